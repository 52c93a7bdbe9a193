"""Voting's queue on the committee's home (communities.pending): paper tally sheets entered and
waiting for a second person's confirmation."""

from flask import url_for
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from app.communities.pending import Pending
from app.extensions import db

from .models import SheetStatus, TallySheet, VotingRound


def tally_sheets_to_confirm(community):
    round_ids = db.session.scalars(
        select(TallySheet.round_id)
        .join(VotingRound, VotingRound.id == TallySheet.round_id)
        .where(VotingRound.community_id == community.id, TallySheet.status == SheetStatus.ENTERED)
    ).all()
    if len(set(round_ids)) == 1:  # one round: straight to its paper ballots
        url = url_for("voting.paper", slug=community.slug, round_id=round_ids[0])
    else:
        url = url_for("voting.index", slug=community.slug)
    return Pending(_l("Paper tally sheets waiting for confirmation"), len(round_ids), url)
