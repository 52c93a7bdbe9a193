from flask import flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy import select

from app.auth.services import find_user
from app.communities import services as community_services
from app.communities.models import Community
from app.communities.permissions import is_admin
from app.core.errors import DomainError
from app.core.forms import fields_of
from app.core.guards import guard_blueprint
from app.core.service import get_or_404
from app.extensions import db

from . import bp
from .forms import AppointForm, CommunityForm

guard_blueprint(bp, is_admin, _l("This area is for site administrators."))


@bp.route("/", methods=["GET", "POST"])
def index():
    form = CommunityForm()
    if form.validate_on_submit():
        try:
            community = community_services.create_community(
                current_user,
                slug=form.slug.data.strip(),
                **fields_of(form, "name", "kind", "district", "register_size"),
                annual_budget=form.annual_budget.data or 0,
            )
        except DomainError as error:
            form.slug.errors.append(error.message)
        else:
            flash(_("Community created."), "success")
            return redirect(url_for("admin.community", community_id=community.id))
    communities = db.session.scalars(select(Community).order_by(Community.name)).all()
    return render_template("admin/index.html", form=form, communities=communities), 400 if form.errors else 200


@bp.route("/communities/<int:community_id>", methods=["GET", "POST"])
def community(community_id):
    community = get_or_404(Community, community_id)
    form = AppointForm()
    if form.validate_on_submit():
        user = find_user(form.username.data)
        if user is None:
            form.username.errors.append(_("No account with this phone number or user name."))
        else:
            community_services.add_member(current_user, community, user, form.role.data)
            flash(_("Saved."), "success")
            return redirect(url_for("admin.community", community_id=community.id))
    return render_template("admin/community.html", community=community, form=form), 400 if form.errors else 200
