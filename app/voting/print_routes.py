"""The paper ballot of a round, printed on A4 for the in-person sessions (templates/_print.html):
the projects by number (the tally sheet counts ballots by those numbers), their costs, the budget,
how to mark and the round's number."""

from flask import render_template, url_for
from flask_babel import gettext as _
from flask_login import login_required

from app.communities.scoping import permitted_community
from app.core.printing import sheet_qr
from app.core.urls import path_for

from . import bp, permissions
from .models import Method
from .routes import community_round, labels


@bp.get("/rounds/<int:round_id>/paper/ballot")
@login_required
def print_ballot(round_id):
    voting_round = community_round(round_id)
    community = permitted_community(
        permissions.can_print_ballot, _("Only the committee and the council can print paper ballots.")
    )
    return render_template(
        "voting/print_ballot.html",
        community=community,
        round=voting_round,
        Method=Method,
        back_url=url_for("voting.paper", round_id=voting_round.id),
        back_label=_("Back to the paper ballots page"),
        **sheet_qr(
            path_for("voting.ballot", slug=community.slug, round_id=voting_round.id),
            _("Scan to read about the projects and the rules of this round:"),
        ),
        **labels(),
    )
