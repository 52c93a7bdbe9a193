"""Where a micro-matter is placed now: on the agenda of an upcoming council meeting, or in a
resident voting round. It is never in both at once: whoever places it second is refused with
a message naming the first (scheduling here, opening a round in app.voting.rounds)."""

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from app.core.errors import DomainError
from app.extensions import db

from .models import AgendaItem, ItemStatus, Meeting, MeetingItem, MeetingStatus


def meeting_holding(matter):
    """The scheduled or open meeting that still has the matter to deal with, or None."""
    return db.session.scalar(
        select(Meeting)
        .join(MeetingItem, MeetingItem.meeting_id == Meeting.id)
        .join(AgendaItem, AgendaItem.id == MeetingItem.agenda_item_id)
        .where(
            AgendaItem.matter_id == matter.id,
            Meeting.status != MeetingStatus.CLOSED,
            MeetingItem.status.in_([ItemStatus.PENDING, ItemStatus.OPEN]),
        )
        .order_by(Meeting.starts_at)
        .limit(1)
    )


def round_holding(matter):
    """The voting round (scheduled, open, or waiting for its count) the matter is in, or None."""
    # Imported here: app.voting imports this module while it opens a round.
    from app.voting.models import RoundOption, RoundResult, VotingRound

    return db.session.scalar(
        select(VotingRound)
        .join(RoundOption, RoundOption.round_id == VotingRound.id)
        .outerjoin(RoundResult, RoundResult.round_id == VotingRound.id)
        .where(RoundOption.matter_id == matter.id, RoundResult.id.is_(None))
        .order_by(VotingRound.id.desc())
        .limit(1)
    )


def refuse_if_on_meeting_agenda(matter):
    """Called before a voting round takes the matter."""
    meeting = meeting_holding(matter)
    if meeting is not None:
        raise DomainError(
            _l(
                "“%(title)s” is on the agenda of the council meeting “%(meeting)s”; it cannot be put "
                "to a resident vote while that meeting may decide it.",
                title=matter.title,
                meeting=meeting.title,
            )
        )


def refuse_if_in_round(matter):
    """Called before a meeting's agenda takes the matter."""
    voting_round = round_holding(matter)
    if voting_round is not None:
        raise DomainError(
            _l(
                "“%(title)s” is in the resident voting round “%(round)s”; it cannot also be on a meeting agenda.",
                title=matter.title,
                round=voting_round.title,
            )
        )
