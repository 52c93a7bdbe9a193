"""The committee's page that puts a rule change adopted by the council to the residents."""

from datetime import timedelta

from flask import render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from app.communities.scoping import current_community
from app.conventions.forms import ApprovalRoundForm  # the same yes/no round form
from app.core import clock
from app.core.errors import refuse
from app.core.forms import submitted
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
        now = clock.to_local(clock.now()).replace(second=0, microsecond=0)
        form.opens_at.data = now
        form.closes_at.data = now + timedelta(days=7)
    done = submitted(
        form,
        lambda: services.open_round(
            current_user,
            community,
            opens_at=clock.to_utc(form.opens_at.data),
            closes_at=clock.to_utc(form.closes_at.data),
            per_household=form.per_household.data,
        ),
        _("The residents' round is open."),
        lambda voting_round: url_for("voting.ballot", round_id=voting_round.id),
        fields=False,
    )
    if done:
        return done
    return render_template(
        "rule_adoption/round.html",
        community=community,
        ruleset=services.awaiting_residents(community),
        form=form,
    ), 400 if request.method == "POST" else 200
