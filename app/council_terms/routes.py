"""The council pages of a community (…/council/): the public list of the council with its terms and
substitutes, attendance over a year, and the committee's page of terms and substitutes."""

from flask import render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from app.communities.scoping import current_community, permitted_community
from app.core import clock
from app.core.forms import and_back, fields_of, form_page
from app.core.params import parse_id
from app.core.service import get_or_404

from . import bp, permissions, services, substitute_list
from .forms import ButtonForm, EndTermForm, SubstituteForm, TermForm
from .models import ChosenHow, CouncilTerm, EndCause


def _committee_only():
    return permitted_community(permissions.can_manage_terms, _("Only the committee keeps council terms."))


@bp.get("/members")
def members():
    community = current_community()
    return render_template(
        "council_terms/members.html",
        community=community,
        council=services.council_with_terms(community),
        substitutes=services.substitutes(community, members_only=True),
        chosen_labels=ChosenHow.labels(),
        can_manage=permissions.can_manage_terms(current_user, community),
    )


@bp.get("/attendance")
def attendance():
    community = current_community()
    years = services.years_with_meetings(community)
    year = parse_id(request.args.get("year", ""))
    if year not in years:
        year = clock.local_today().year
    rows, held = services.attendance_of_year(community, year)
    return render_template(
        "council_terms/attendance.html", community=community, year=year, years=years, rows=rows, held=held
    )


def _manage_context(community, term_form=None, substitute_form=None):
    """What the committee's page shows: a form sent and refused as it was sent, the other one empty
    (not filled from the other form's fields)."""
    term_form = term_form or TermForm(formdata=None)
    term_form.user_id.choices = [(user.id, user.display_name) for user in services.council_candidates(community)]
    substitute_form = substitute_form or SubstituteForm(formdata=None)
    substitute_form.user_id.choices = [
        (user.id, user.display_name) for user in services.substitute_candidates(community)
    ]
    return {
        "community": community,
        "terms": services.terms_of(community),
        "substitutes": services.substitutes(community),
        "term_form": term_form,
        "substitute_form": substitute_form,
        "button": ButtonForm(),
        "chosen_labels": ChosenHow.labels(),
        "cause_labels": EndCause.labels(),
        "today": clock.local_today(),
    }


MANAGE = "council_terms/manage.html"


@bp.get("/terms")
@login_required
def manage():
    return render_template(MANAGE, **_manage_context(_committee_only()))


@bp.post("/terms/new")
@login_required
def add_term():
    community = _committee_only()
    form = TermForm()
    return form_page(
        form,
        lambda: services.add_term(
            current_user,
            community,
            **fields_of(form, "user_id", "starts_on", "ends_on", "chosen_how", "chosen_by"),
        ),
        _("The term is recorded."),
        url_for("council_terms.manage"),
        MANAGE,
        **_manage_context(community, term_form=form),
    )


@bp.route("/terms/<int:term_id>/end", methods=["GET", "POST"])
@login_required
def end_term(term_id):
    community = _committee_only()
    term = get_or_404(CouncilTerm, term_id, community_id=community.id)
    form = EndTermForm()
    return form_page(
        form,
        lambda: services.end_term_early(current_user, community, term.id, form.reason.data),
        _("The term is ended."),
        url_for("council_terms.manage"),
        "council_terms/end_term.html",
        community=community,
        term=term,
        chosen_labels=ChosenHow.labels(),
    )


@bp.post("/substitutes")
@login_required
def add_substitute():
    community = _committee_only()
    form = SubstituteForm()
    return form_page(
        form,
        lambda: substitute_list.add_substitute(
            current_user, community, user_id=form.user_id.data, chosen_by=form.chosen_by.data
        ),
        _("The substitute is added."),
        url_for("council_terms.manage"),
        MANAGE,
        **_manage_context(community, substitute_form=form),
    )


def _substitute_action(call, message):
    community = _committee_only()
    return and_back(ButtonForm(), lambda: call(community), message, url_for("council_terms.manage"))


@bp.post("/substitutes/<int:substitute_id>/remove")
@login_required
def remove_substitute(substitute_id):
    return _substitute_action(
        lambda community: substitute_list.remove_substitute(current_user, community, substitute_id),
        _("The substitute is removed from the list."),
    )


@bp.post("/substitutes/<int:substitute_id>/up")
@login_required
def move_up(substitute_id):
    return _substitute_action(
        lambda community: substitute_list.move_up(current_user, community, substitute_id),
        _("The substitute is moved up."),
    )
