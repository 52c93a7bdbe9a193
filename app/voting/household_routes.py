"""The committee's pages of households (one ballot per household in a round that says so):
the list, grouping residents by address, and one household's members."""

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from app.communities.scoping import permitted_community
from app.core.errors import DomainError
from app.core.params import page_arg, parse_id

from . import bp, permissions
from . import households as household_services
from .forms import ActionForm, HouseholdForm, MemberForm


def _household_manager():
    """The community whose households the user manages, or 403."""
    return permitted_community(permissions.can_manage_households, _("Only the committee can manage households."))


@bp.route("/households", methods=["GET", "POST"])
@login_required
def households():
    community = _household_manager()
    form, group_form = HouseholdForm(), ActionForm()
    status = 200
    if request.method == "POST":
        status = 400
        try:
            if "group-submit" in request.form:
                if not group_form.validate_on_submit():
                    raise DomainError(_("The form expired. Please try again."))
                created, added = household_services.households_from_addresses(current_user, community)
                flash(
                    _(
                        "%(households)s households created, %(members)s residents added.",
                        households=created,
                        members=added,
                    ),
                    "success",
                )
                return redirect(url_for("voting.households"), code=303)
            if form.validate_on_submit():
                household = household_services.create_household(
                    current_user, community, form.name.data, form.address.data
                )
                flash(_("Household added."), "success")
                return redirect(url_for("voting.household", household_id=household.id), code=303)
        except DomainError as error:
            flash(error.message, "error")
    return render_template(
        "voting/households.html",
        community=community,
        form=form,
        group_form=group_form,
        page=household_services.list_households(community, page_arg()),
    ), status


@bp.route("/households/<int:household_id>", methods=["GET", "POST"])
@login_required
def household(household_id):
    community = _household_manager()
    entry = household_services.get_household(community, household_id)
    form, remove_form = MemberForm(), ActionForm()
    status = 200
    if request.method == "POST":
        status = 400
        try:
            if "remove-submit" in request.form:
                user_id = parse_id(request.form.get("remove-value", ""))
                if not remove_form.validate_on_submit() or user_id is None:
                    raise DomainError(_("Please check the form and try again."))
                household_services.remove_household_member(current_user, community, entry, user_id)
                flash(_("Removed from the household."), "success")
                return redirect(url_for("voting.household", household_id=entry.id), code=303)
            if form.validate_on_submit():
                household_services.add_household_member(current_user, community, entry, form.username.data)
                flash(_("Added to the household."), "success")
                return redirect(url_for("voting.household", household_id=entry.id), code=303)
        except DomainError as error:
            flash(error.message, "error")
    return render_template(
        "voting/household.html",
        community=community,
        household=entry,
        form=form,
        remove_form=remove_form,
        suggestions=household_services.suggested_members(community, entry),
    ), status
