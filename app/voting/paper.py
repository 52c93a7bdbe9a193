"""Paper ballots, counted in the open by more than one person (唱票、计票、监票), and the paper count.

- In-person voting happens in declared sessions (place, start, end) inside the round's window;
  residents are marked as having voted in person at a running one, and can object
  (in_person.py).
- The session's ballots are counted into a tally sheet, entered by one committee member and
  confirmed by a second person; only a confirmed sheet puts its ballots into the box
  (tally_sheets.py).
- This module: the paper count. The register's marks against the ballots in the box, per session
  and in all (the paper ballots page, the results page); check_paper_balanced() refuses the count
  while a sheet is unconfirmed or a session's ballots plus spoilt ballots differ from its
  in-person marks.
"""

from dataclasses import dataclass, field

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from app.core.errors import DomainError
from app.extensions import db

from .in_person import list_sessions, when
from .models import Channel, PaperObjection, PollingSession, RoundBallot, RoundParticipation, SheetStatus, TallySheet
from .tally_sheets import sheets


class PaperNotBalanced(DomainError):
    """The count is refused: what disagrees, by how many, and where to fix it."""

    def __init__(self, problems):
        super().__init__(_l("The count is refused. %(problems)s", problems=" ".join(str(p) for p in problems)))
        self.problems = problems


# --- reconciliation --------------------------------------------------------------------------


@dataclass
class Reconciliation:
    online_ballots: int
    paper_ballots: int
    marked_online: int
    marked_in_person: int
    spoilt: int = 0  # spoilt paper ballots on confirmed tally sheets

    @property
    def ballots(self):
        return self.online_ballots + self.paper_ballots

    @property
    def marked(self):
        return self.marked_online + self.marked_in_person

    @property
    def paper_difference(self):
        """Paper ballots plus spoilt ballots minus voters marked in person (0 when they agree)."""
        return self.paper_ballots + self.spoilt - self.marked_in_person

    @property
    def balanced(self):
        return self.online_ballots == self.marked_online and self.paper_difference == 0


def spoilt_ballots(voting_round):
    return db.session.scalar(
        select(func.coalesce(func.sum(TallySheet.spoilt), 0)).where(
            TallySheet.round_id == voting_round.id, TallySheet.status == SheetStatus.CONFIRMED
        )
    )


def _count_by(column, counted, *where):
    """{value of `column`: number of rows} among the rows that match `where`."""
    return dict(db.session.execute(select(column, func.count(counted)).where(*where).group_by(column)).all())


def reconciliation(voting_round):
    by_channel = _count_by(RoundBallot.channel, RoundBallot.id, RoundBallot.round_id == voting_round.id)
    marked = _count_by(
        RoundParticipation.channel, RoundParticipation.id, RoundParticipation.round_id == voting_round.id
    )
    return Reconciliation(
        by_channel.get(Channel.ONLINE, 0),
        by_channel.get(Channel.PAPER, 0),
        marked.get(Channel.ONLINE, 0),
        marked.get(Channel.PAPER, 0),
        spoilt_ballots(voting_round),
    )


@dataclass
class SessionRecord:
    """One session as the paper page and the results page show it (no ballot content)."""

    session: PollingSession
    marked: int
    sheets: list = field(default_factory=list)  # every sheet, rejected ones too
    objections: int = 0

    @property
    def confirmed(self):
        return next((s for s in self.sheets if s.status == SheetStatus.CONFIRMED), None)

    @property
    def pending(self):
        return next((s for s in self.sheets if s.status == SheetStatus.ENTERED), None)

    @property
    def difference(self):
        """Confirmed ballots plus spoilt ballots minus marks (0 when they agree)."""
        sheet = self.confirmed
        return (sheet.ballots + sheet.spoilt if sheet else 0) - self.marked


def session_records(voting_round):
    marks = _count_by(
        RoundParticipation.polling_session_id,
        RoundParticipation.id,
        RoundParticipation.round_id == voting_round.id,
        RoundParticipation.channel == Channel.PAPER,
    )
    objected = _count_by(PaperObjection.session_id, PaperObjection.id, PaperObjection.round_id == voting_round.id)
    records = {
        s.id: SessionRecord(s, marks.get(s.id, 0), objections=objected.get(s.id, 0))
        for s in list_sessions(voting_round)
    }
    for sheet in sheets(voting_round):
        records[sheet.session_id].sheets.append(sheet)
    return list(records.values())


def check_paper_balanced(voting_round):
    """Refuse the count (PaperNotBalanced) while a tally sheet is unconfirmed, or a session's
    paper ballots plus spoilt ballots differ from its in-person marks. The count calls it."""
    problems = []
    for rec in session_records(voting_round):
        # what every message says of the session: where, when, how many were marked there
        about = {"place": rec.session.place, "start": when(rec.session.starts_at), "marked": rec.marked}
        if rec.pending is not None:
            problems.append(
                _l(
                    "The tally sheet of the session at %(place)s (%(start)s) is not confirmed yet: a "
                    "second person must confirm or reject it on the paper ballots page.",
                    **about,
                )
            )
        elif rec.difference < 0:
            problems.append(
                _l(
                    "Session at %(place)s (%(start)s): %(marked)s residents are marked as having voted "
                    "in person, but its confirmed tally sheet has %(n)s ballots fewer (counted and "
                    "spoilt). Enter the missing tally sheet, or ask the council about the marks, on "
                    "the paper ballots page.",
                    n=-rec.difference,
                    **about,
                )
            )
        elif rec.difference > 0:
            problems.append(
                _l(
                    "Session at %(place)s (%(start)s): its confirmed tally sheet has %(n)s ballots more "
                    "(counted and spoilt) than the %(marked)s residents marked as having voted in "
                    "person there. Check the box and the register on the paper ballots page.",
                    n=rec.difference,
                    **about,
                )
            )
    if not problems:
        difference = reconciliation(voting_round).paper_difference
        if difference:  # marks or paper ballots from before sessions existed
            problems.append(
                _l(
                    "Paper ballots plus spoilt ballots differ from the residents marked as having voted "
                    "in person by %(n)s. Check them on the paper ballots page.",
                    n=abs(difference),
                )
            )
    if problems:
        raise PaperNotBalanced(problems)
