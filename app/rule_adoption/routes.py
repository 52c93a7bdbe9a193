"""The committee's page that puts a rule change adopted by the council to the residents."""

from flask_babel import gettext as _
from flask_login import current_user, login_required

from app.communities.scoping import current_community
from app.conventions.routes import residents_round_page  # the same yes/no round form
from app.core.errors import refuse
from app.rules.permissions import can_edit_rules

from . import bp, services


@bp.route("/residents-round", methods=["GET", "POST"])
@login_required
def residents_round():
    community = current_community()
    if not can_edit_rules(current_user, community):
        refuse(403, _("Only the committee puts a rule change to the residents."))
    return residents_round_page(
        lambda **window: services.open_round(current_user, community, **window),
        "rule_adoption/round.html",
        community=community,
        ruleset=services.awaiting_residents(community),
    )
