"""The committee's page that puts a rule change adopted by the council to the residents."""

from flask import request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from app.communities.scoping import current_community
from app.conventions.forms import ApprovalRoundForm  # the same yes/no round form
from app.core.errors import refuse
from app.core.forms import form_page
from app.rules.permissions import can_edit_rules

from . import bp, services


@bp.route("/residents-round", methods=["GET", "POST"])
@login_required
def residents_round():
    community = current_community()
    if not can_edit_rules(current_user, community):
        refuse(403, _("Only the committee puts a rule change to the residents."))
    form = ApprovalRoundForm()
    if request.method == "GET":
        form.from_now()
    return form_page(
        form,
        lambda: services.open_round(current_user, community, **form.window()),
        _("The residents' round is open."),
        lambda voting_round: url_for("voting.ballot", round_id=voting_round.id),
        "rule_adoption/round.html",
        fields=False,
        community=community,
        ruleset=services.awaiting_residents(community),
    )
