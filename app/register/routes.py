"""The committee's register page: import, search, households; and the match shown beside each
join request on the members page (a template global, so the communities feature needs no import)."""

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from app.communities.permissions import is_committee
from app.communities.scoping import current_community, permitted_community
from app.core.errors import DomainError
from app.core.forms import and_back
from app.core.params import page_arg

from . import bp, permissions, services
from .forms import HouseholdsForm, ImportForm


def register_match(membership):
    """The register's verdict on a join request, for committee eyes only (None otherwise)."""
    if not is_committee(current_user, membership.community):
        return None
    return services.match(membership)


def _page(import_form, status=200, problems=None):
    community = current_community()
    query = request.args.get("q", "").strip()[:60]
    return render_template(
        "register/index.html",
        community=community,
        last=services.last_import(community),
        entries=services.search(community, query, page_arg()),
        query=query,
        import_form=import_form,
        households_form=HouseholdsForm(),
        problems=problems,
    ), status


def _committee_only():
    return permitted_community(permissions.can_keep_register, _("Only the committee keeps the resident register."))


@bp.get("/")
@login_required
def index():
    _committee_only()
    return _page(ImportForm())


@bp.post("/import")
@login_required
def import_file():
    community = _committee_only()
    form = ImportForm()
    problems = None
    if form.validate_on_submit():
        try:
            upload = services.import_register(current_user, community, form.file.data.read())
        except services.RegisterProblems as error:
            problems = error
        except DomainError as error:
            form.file.errors = [*form.file.errors, error.message]
        else:
            flash(
                _(
                    "Imported %(people)s people in %(households)s households.",
                    people=upload.people,
                    households=upload.households,
                ),
                "success",
            )
            return redirect(url_for("register.index"))
    return _page(form, 400, problems)


@bp.post("/households")
@login_required
def households():
    community = _committee_only()
    form = HouseholdsForm()
    return and_back(
        form,
        lambda: services.households_from_register(current_user, community),
        lambda placed: _("%(count)s members placed in their households.", count=placed),
        url_for("register.index"),
    )
