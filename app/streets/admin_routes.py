"""Site admins' pages under /admin/streets/: create streets, assign communities, grant staff."""

from flask import render_template, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm

from app.core.forms import form_page, submitted
from app.core.guards import guard_blueprint
from app.core.service import get_or_404

from . import admin_bp, permissions, services
from .forms import AssignForm, GrantForm, StreetForm
from .models import Street

guard_blueprint(admin_bp, permissions.can_manage_streets, _l("This area is for site administrators."))


@admin_bp.route("/", methods=["GET", "POST"])
def index():
    form = StreetForm()
    return form_page(
        form,
        lambda: services.create_street(
            current_user, slug=form.slug.data, name=form.name.data, district=form.district.data or ""
        ),
        _("Street created."),
        lambda street: url_for("street_admin.street", street_id=street.id),
        "streets/admin_index.html",
        streets=services.all_streets(),
    )


def _street_page(street, assign=None, grant=None, status=200):
    assign = assign or AssignForm(formdata=None)
    assign.community.choices = [(c.id, f"{c.name} ({c.slug})") for c in services.unassigned_communities()]
    return render_template(
        "streets/admin_street.html", street=street, assign=assign, grant=grant or GrantForm(formdata=None)
    ), status


@admin_bp.get("/<int:street_id>")
def street(street_id):
    return _street_page(get_or_404(Street, street_id))


def _back(street):
    return url_for("street_admin.street", street_id=street.id)


def _act(street_id, call, success, form=None, *, fields=True, **on_page):
    """A button (only its CSRF token) or a form on the street's page: `call(street)`, back to the
    page with `success`; a refusal shows the page again (with the form, which `on_page` names)."""
    street = get_or_404(Street, street_id)
    done = submitted(
        FlaskForm() if form is None else form,
        lambda: call(street),
        success,
        _back(street),
        fields=fields and form is not None,
    )
    return done or _street_page(street, **on_page, status=400)


@admin_bp.post("/<int:street_id>/communities")
def assign(street_id):
    form = AssignForm()
    form.community.choices = []
    return _act(
        street_id,
        lambda street: services.assign_community(current_user, street, form.community.data),
        _("The community now belongs to this street."),
        form,
        fields=False,
        assign=form,
    )


@admin_bp.post("/<int:street_id>/grants")
def grant(street_id):
    form = GrantForm()
    return _act(
        street_id,
        lambda street: services.grant_staff(current_user, street, form.username.data),
        _("Street staff granted."),
        form,
        grant=form,
    )


@admin_bp.post("/<int:street_id>/communities/<int:community_id>/remove")
def unassign(street_id, community_id):
    return _act(
        street_id,
        lambda street: services.unassign_community(current_user, street, community_id),
        _("The community no longer belongs to this street."),
    )


@admin_bp.post("/<int:street_id>/grants/<int:grant_id>/withdraw")
def withdraw(street_id, grant_id):
    return _act(
        street_id,
        lambda street: services.withdraw_staff(current_user, street, grant_id),
        _("Street staff withdrawn."),
    )
