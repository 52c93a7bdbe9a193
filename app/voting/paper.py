"""Paper ballots, counted in the open by more than one person (唱票、计票、监票).

- In-person voting happens in declared sessions (place, start, end) inside the round's window.
  A resident is marked as having voted in person only while a session of the round is running
  (server clock), never after the close; each mark tells the resident (inbox and e-mail), who can
  object ("that was not me"); objections are listed for the council and the committee.
- The session's ballots are counted into a tally sheet (ballots per distinct ballot content, and
  spoilt ballots), entered by one committee member and confirmed by a second person (another
  committee member, or a council member acting as scrutineer 监票人). Only a confirmed sheet puts
  its ballots into the box (one anonymous row per ballot); its per-content lines are then cleared,
  so no table joins the session's marked voters to what they chose.
- check_paper_balanced() refuses the count while a sheet is unconfirmed or a session's ballots
  plus spoilt ballots differ from its in-person marks.

Every public function checks its rules again, audits and commits, or raises DomainError and
leaves nothing behind (as casting.py and rounds.py do).
"""

import csv
import io
from dataclasses import dataclass, field
from datetime import timedelta

from flask_babel import format_datetime
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select, update
from sqlalchemy.orm import selectinload
from werkzeug.exceptions import NotFound

from app.audit.services import record
from app.auth.services import find_user
from app.communities.models import Role
from app.communities.permissions import verified_members
from app.core import clock
from app.core.errors import DomainError
from app.core.i18n import N_
from app.core.params import parse_id
from app.core.secrecy import forget_history
from app.core.service import commit, get_or_404, insert_once, require, rolls_back
from app.core.spreadsheet import decode_csv
from app.core.text import clean_plain
from app.core.urls import path_for
from app.extensions import db
from app.notifications.services import notify

from . import casting, permissions, tally
from .models import (
    Channel,
    Method,
    PaperObjection,
    PollingSession,
    RoundBallot,
    RoundParticipation,
    RoundState,
    SheetStatus,
    TallySheet,
)

PLACE_MAX = 120
NOTE_MAX = 300
# A session is declared before it starts; a few minutes' slack for a form filled in at the door.
DECLARE_SLACK = timedelta(minutes=10)
SHEET_LINES_MAX = 500
SHEET_BALLOTS_MAX = 20_000
CSV_MAX_BYTES = 2_000_000
CSV_HEADER = ["choices", "count"]
COUNT_MARKS = "×xX*＊"  # "1 3 × 12": twelve ballots choosing 1 and 3
BLANK = ("-", "—", "空白")  # a line for blank ballots, e.g. "- × 2"


class SheetProblems(DomainError):
    """Problems on a tally sheet (typed or imported), each with its line number; nothing was entered."""

    def __init__(self, errors, message=None):
        super().__init__(message or _l("The tally sheet was not entered: %(count)s problems.", count=len(errors)))
        self.errors = errors  # [(line, message)]


class PaperNotBalanced(DomainError):
    """The count is refused: what disagrees, by how many, and where to fix it."""

    def __init__(self, problems):
        super().__init__(_l("The count is refused. %(problems)s", problems=" ".join(str(p) for p in problems)))
        self.problems = problems


def when(dt):
    """A session's time in messages and notifications (the site's time zone, any language)."""
    return format_datetime(dt, "yyyy-MM-dd HH:mm")


# --- permission checks -----------------------------------------------------------------------


def _check_recorder(actor, voting_round, now):
    if not permissions.can_manage_rounds(actor, voting_round.community):
        raise DomainError(_l("Only the committee can record paper ballots."))
    if voting_round.state(now) == RoundState.COUNTED:
        raise DomainError(_l("This round has been counted: paper ballots can no longer be recorded."))


def _check_started(polling_session, now):
    if now < polling_session.starts_at:
        raise DomainError(
            _l(
                "The session at %(place)s starts at %(start)s: its tally sheet can be entered "
                "and confirmed from then until the count.",
                place=polling_session.place,
                start=when(polling_session.starts_at),
            )
        )


# --- sessions --------------------------------------------------------------------------------


def list_sessions(voting_round):
    return db.session.scalars(
        select(PollingSession)
        .where(PollingSession.round_id == voting_round.id)
        .options(selectinload(PollingSession.created_by))
        .order_by(PollingSession.starts_at, PollingSession.id)
    ).all()


def get_session(voting_round, session_id):
    return get_or_404(PollingSession, session_id, round_id=voting_round.id)


def running_sessions(voting_round, now=None):
    now = now or clock.now()
    return [s for s in list_sessions(voting_round) if s.is_running(now) and voting_round.state(now) == RoundState.OPEN]


def _audit(action, obj, actor, voting_round, **data):
    record(action, obj, actor=actor, community=voting_round.community_id, round_id=voting_round.id, **data)


def _audit_sheet(action, sheet, actor, voting_round, **data):
    # Totals only: the per-content lines never reach the audit log (see the module docstring).
    _audit(
        action,
        sheet,
        actor,
        voting_round,
        session_id=sheet.session_id,
        ballots=sheet.ballots,
        spoilt=sheet.spoilt,
        **data,
    )


@rolls_back
def declare_session(actor, voting_round, *, place, starts_at, ends_at):
    """The committee announces an in-person session: where, and from when to when."""
    now = clock.now()
    _check_recorder(actor, voting_round, now)
    place = clean_plain(place)
    if not place or len(place) > PLACE_MAX:
        raise DomainError(_l("Give the place of the session (at most %(n)s characters).", n=PLACE_MAX))
    if starts_at is None or ends_at is None or ends_at <= starts_at:
        raise DomainError(_l("The session must end after it starts."))
    if starts_at < voting_round.opens_at or ends_at > voting_round.closes_at:
        raise DomainError(
            _l(
                "A session must lie inside the voting window, from %(opens)s to %(closes)s.",
                opens=when(voting_round.opens_at),
                closes=when(voting_round.closes_at),
            )
        )
    if starts_at < now - DECLARE_SLACK:
        raise DomainError(_l("A session is declared before it starts: this start time has passed."))
    polling_session = PollingSession(
        round_id=voting_round.id, place=place, starts_at=starts_at, ends_at=ends_at, created_by_id=actor.id
    )
    db.session.add(polling_session)
    db.session.flush()
    _audit(
        "round.polling_session_declared",
        polling_session,
        actor,
        voting_round,
        place=place,
        starts_at=starts_at.isoformat(),
        ends_at=ends_at.isoformat(),
    )
    db.session.commit()
    return polling_session


# --- marks in person -------------------------------------------------------------------------


def _in_person_voter(voting_round, username):
    """The resident to mark as having voted in person, and their voter key. Raises DomainError."""
    user = find_user(username or "") if (username or "").strip() else None
    if user is None:
        raise DomainError(_l("No account with the user name “%(name)s”.", name=clean_plain(username)[:40]))
    key, household = casting.voter_key(user, voting_round)
    return user, key, household


def _session_for_mark(voting_round, polling_session, now):
    if voting_round.state(now) != RoundState.OPEN:
        raise DomainError(_l("Voting has closed: nobody can be marked as having voted in person any more."))
    if polling_session is None:
        running = running_sessions(voting_round, now)
        if not running:
            raise DomainError(
                _l(
                    "Residents can be marked as having voted in person only during a declared "
                    "in-person session of this round, and none is running now."
                )
            )
        if len(running) > 1:
            raise DomainError(_l("Several sessions are running: choose the one the resident voted at."))
        return running[0]
    if polling_session.round_id != voting_round.id or not polling_session.is_running(now):
        raise DomainError(
            _l(
                "The session at %(place)s runs from %(start)s to %(end)s: residents can be marked there only then.",
                place=polling_session.place,
                start=when(polling_session.starts_at),
                end=when(polling_session.ends_at),
            )
        )
    return polling_session


@rolls_back
def mark_in_person(actor, voting_round, username, polling_session=None):
    """The committee ticks a resident off the register at a running session: voted in person
    (blocks their online ballot). The resident is told, with a link to object."""
    now = clock.now()
    _check_recorder(actor, voting_round, now)
    polling_session = _session_for_mark(voting_round, polling_session, now)
    user, key, household = _in_person_voter(voting_round, username)
    participation = casting._participation(voting_round, key)
    if participation is not None:
        if participation.channel == Channel.PAPER:
            raise DomainError(_l("%(name)s is already marked as having voted in person.", name=user.display_name))
        if voting_round.per_household:
            raise DomainError(_l("%(name)s's household has already voted online.", name=user.display_name))
        raise DomainError(_l("%(name)s has already voted online.", name=user.display_name))
    if casting._took_part_otherwise(voting_round, user):
        raise DomainError(_l("%(name)s has already voted in this round.", name=user.display_name))
    mark = RoundParticipation(
        round_id=voting_round.id,
        voter_key=key,
        user_id=user.id,
        household_id=household.id if household else None,
        channel=Channel.PAPER,
        recorded_by_id=actor.id,
        polling_session_id=polling_session.id,
        created_at=now,
    )
    voted = _l("%(name)s has already voted in this round.", name=user.display_name)
    insert_once(mark, voted)
    _audit("round.voter_marked_in_person", mark, actor, voting_round, user_id=user.id, session_id=polling_session.id)
    notify(
        [user],
        N_(
            "You were recorded as voting on paper in “%(title)s” at %(place)s on %(time)s. "
            "If that was not you, object here."
        ),
        path_for("voting.paper_objection", slug=voting_round.community.slug, round_id=voting_round.id),
        title=voting_round.title,
        place=polling_session.place,
        time=when(now),
    )
    commit(voted)
    return mark


def in_person_voters(voting_round):
    return db.session.scalars(
        select(RoundParticipation)
        .options(selectinload(RoundParticipation.user), selectinload(RoundParticipation.polling_session))
        .where(RoundParticipation.round_id == voting_round.id, RoundParticipation.channel == Channel.PAPER)
        .order_by(RoundParticipation.id.desc())
    ).all()


# --- objections ("that was not me") ----------------------------------------------------------


def my_mark(user, voting_round):
    """The user's own in-person mark in this round, or None."""
    if not getattr(user, "is_authenticated", False):
        return None
    return db.session.scalar(
        select(RoundParticipation).where(
            RoundParticipation.round_id == voting_round.id,
            RoundParticipation.user_id == user.id,
            RoundParticipation.channel == Channel.PAPER,
        )
    )


def my_objection(user, voting_round):
    if not getattr(user, "is_authenticated", False):
        return None
    return db.session.scalar(
        select(PaperObjection).where(PaperObjection.round_id == voting_round.id, PaperObjection.user_id == user.id)
    )


@rolls_back
def object_to_mark(user, voting_round, note=""):
    """The resident says they did not vote in person; the council and the committee are told."""
    mark = my_mark(user, voting_round)
    if mark is None:
        raise DomainError(_l("You are not marked as having voted in person in this round."))
    already = _l("You have already objected to this mark.")
    require(my_objection(user, voting_round) is None, already)
    note = clean_plain(note)[:NOTE_MAX]
    objection = PaperObjection(
        round_id=voting_round.id,
        session_id=mark.polling_session_id,
        user_id=user.id,
        recorded_by_id=mark.recorded_by_id,
        note=note,
    )
    insert_once(objection, already)
    _audit(
        "round.in_person_mark_objected",
        objection,
        user,
        voting_round,
        session_id=mark.polling_session_id,
        marked_by=mark.recorded_by_id,
    )
    staff = verified_members(voting_round.community, [Role.COMMITTEE, Role.CHAIR, Role.COUNCIL_MEMBER])
    notify(
        [m.user for m in staff],
        N_(
            "A resident says they did not vote on paper in “%(title)s”, though "
            "they were marked as having voted in person."
        ),
        path_for("voting.paper", slug=voting_round.community.slug, round_id=voting_round.id),
        exclude=user,
        title=voting_round.title,
    )
    commit(already)
    return objection


def objections(voting_round):
    return db.session.scalars(
        select(PaperObjection)
        .where(PaperObjection.round_id == voting_round.id)
        .options(selectinload(PaperObjection.user), selectinload(PaperObjection.session))
        .order_by(PaperObjection.id)
    ).all()


# --- tally sheets ----------------------------------------------------------------------------


def parse_paper_choices(voting_round, text):
    """One ballot's content -> canonical choices. Approval/budget ballots: option numbers separated
    by spaces (or , ; 、); yes/no: number:answer pairs, e.g. "1:yes 2:no 3:abstain" (是/否/弃权 too)."""
    text = (text or "").strip()
    if text in BLANK:
        text = ""
    for separator in ",;、，；":
        text = text.replace(separator, " ")
    items = text.split()
    numbers = {o.number for o in voting_round.options}
    if voting_round.method == Method.YES_NO:
        answers = {
            "yes": "yes",
            "y": "yes",
            "是": "yes",
            "同意": "yes",
            "赞成": "yes",
            "no": "no",
            "n": "no",
            "否": "no",
            "反对": "no",
            "不同意": "no",
            "abstain": "abstain",
            "a": "abstain",
            "弃权": "abstain",
        }
        pairs = []
        for item in items:
            number, colon, answer = item.replace("：", ":").partition(":")
            option = parse_id(number)
            if not colon or option is None or answer.strip().lower() not in answers:
                raise DomainError(
                    _l("“%(item)s” is not of the form number:yes, number:no or number:abstain.", item=item[:20])
                )
            if option not in numbers:
                raise DomainError(_l("There is no option %(n)s in this round.", n=number[:6]))
            pairs.append((option, answers[answer.strip().lower()]))
        return tally.normalise(Method.YES_NO, pairs)
    chosen = []
    for item in items:
        option = parse_id(item)
        if option is None:
            raise DomainError(_l("“%(item)s” is not an option number.", item=item[:20]))
        if option not in numbers:
            raise DomainError(_l("There is no option %(n)s in this round.", n=item[:6]))
        chosen.append(option)
    if len(set(chosen)) != len(chosen):
        raise DomainError(casting.BALLOT_PROBLEMS[tally.DUPLICATE])
    return tuple(sorted(chosen))


def format_choices(method, choices):
    """The sheet syntax of one ballot's content: "1 3", "1:yes 2:no", or "-" for a blank ballot."""
    if not choices:
        return "-"
    if method == Method.YES_NO:
        return " ".join(f"{n}:{a}" for n, a in choices)
    return " ".join(str(n) for n in choices)


def _parse_count(text):
    text = (text or "").strip()
    if not text:
        return 1
    count = parse_id(text)
    if count is None or count > SHEET_BALLOTS_MAX:
        raise DomainError(_l("“%(item)s” is not a number of ballots.", item=text[:20]))
    return count


def _collect(voting_round, rows):
    """[(line, choices text, count text)] -> {choices: count}, or SheetProblems with every problem."""
    lines, errors = {}, []
    for line, content, count in rows:
        try:
            choices = parse_paper_choices(voting_round, content)
            casting.check_choices(voting_round, choices)
            lines[choices] = lines.get(choices, 0) + _parse_count(count)
        except DomainError as error:
            errors.append((line, error.message))
    if len(lines) > SHEET_LINES_MAX:
        errors.append((0, _l("At most %(n)s different ballot contents per sheet.", n=SHEET_LINES_MAX)))
    if sum(lines.values()) > SHEET_BALLOTS_MAX:
        errors.append((0, _l("At most %(n)s ballots per sheet.", n=SHEET_BALLOTS_MAX)))
    if errors:
        raise SheetProblems(errors)
    return lines


def parse_sheet(voting_round, text):
    """The typed sheet: one line per distinct content, "CONTENT × COUNT" (count 1 when left out)."""
    rows = []
    for number, raw in enumerate((text or "").splitlines(), start=1):
        raw = raw.strip()
        if not raw:
            continue
        cut = max(raw.rfind(mark) for mark in COUNT_MARKS)
        rows.append((number, raw[:cut], raw[cut + 1 :]) if cut >= 0 else (number, raw, ""))
    return _collect(voting_round, rows)


def _decode(data):
    text = decode_csv(data)
    if text is None:
        raise SheetProblems([(1, _l("The file is not UTF-8 or GB18030 text."))])
    return text


def parse_sheet_csv(voting_round, data):
    """The CSV template (choices,count; count 1 when empty), e.g. from a spreadsheet of the count."""
    if not data:
        raise SheetProblems([(1, _l("The file is empty."))])
    if len(data) > CSV_MAX_BYTES:
        raise SheetProblems([(1, _l("The file is larger than %(n)s MB.", n=CSV_MAX_BYTES // 1_000_000))])
    text = _decode(data)
    if "\x00" in text:
        raise SheetProblems([(1, _l("This is not a CSV text file."))])
    reader = csv.reader(io.StringIO(text, newline=""))
    rows, errors = [], []
    try:
        header = next(reader, None)
        if header is None or [h.strip().lower() for h in header] != CSV_HEADER:
            raise SheetProblems([(1, _l("The first line must be the header: %(header)s", header=",".join(CSV_HEADER)))])
        for row in reader:
            if not any(cell.strip() for cell in row):
                continue
            if len(row) != 2:
                errors.append((reader.line_num, _l("Expected 2 columns (choices, count), found %(n)s.", n=len(row))))
                continue
            rows.append((reader.line_num, row[0], row[1]))
    except csv.Error as error:
        raise SheetProblems([(reader.line_num, _l("The CSV could not be read: %(error)s", error=str(error)))]) from None
    try:
        lines = _collect(voting_round, rows)
    except SheetProblems as problems:
        errors += problems.errors
    if errors:
        raise SheetProblems(errors)
    if not lines:
        raise SheetProblems([(2, _l("The file has no ballots below the header."))])
    return lines


ONE_SHEET = _l(
    "This session already has a tally sheet. To correct it, reject it first (before "
    "it is confirmed), then enter the corrected one."
)


def _active_sheet(polling_session):
    return db.session.scalar(
        select(TallySheet).where(TallySheet.session_id == polling_session.id, TallySheet.active.is_(True))
    )


@rolls_back
def enter_sheet(actor, voting_round, polling_session, lines, spoilt, source="form"):
    """A committee member enters the session's count: {choices: count} and the spoilt ballots.
    It waits for a second person's confirmation; nothing goes into the box yet."""
    now = clock.now()
    _check_recorder(actor, voting_round, now)
    if polling_session.round_id != voting_round.id:
        raise NotFound()
    _check_started(polling_session, now)
    if not isinstance(spoilt, int) or not 0 <= spoilt <= SHEET_BALLOTS_MAX:
        raise DomainError(_l("Give the number of spoilt ballots (0 or more)."))
    require(_active_sheet(polling_session) is None, ONE_SHEET)
    stored = [[casting._stored_choices(voting_round.method, c), n] for c, n in sorted(lines.items())]
    sheet = TallySheet(
        round_id=voting_round.id,
        session_id=polling_session.id,
        lines=stored,
        ballots=sum(lines.values()),
        spoilt=spoilt,
        source=source,
        entered_by_id=actor.id,
        entered_at=now,
    )
    insert_once(sheet, ONE_SHEET)  # a second sheet entered at the same moment
    _audit_sheet("round.tally_sheet_entered", sheet, actor, voting_round, source=source)
    commit(ONE_SHEET)
    return sheet


def get_sheet(voting_round, sheet_id):
    return get_or_404(TallySheet, sheet_id, round_id=voting_round.id)


def _check_pending(voting_round, sheet, now):
    if voting_round.state(now) == RoundState.COUNTED:
        raise DomainError(_l("This round has been counted: paper ballots can no longer be recorded."))
    if sheet.status != SheetStatus.ENTERED:
        raise DomainError(_l("This tally sheet is already confirmed or rejected."))


def _settle(sheet, **values):
    """Move a pending sheet on, compare-and-set: of two scrutineers at once, one wins."""
    moved = db.session.execute(
        update(TallySheet)
        .where(TallySheet.id == sheet.id, TallySheet.status == SheetStatus.ENTERED)
        .values(**values)
        .execution_options(synchronize_session=False)
    )
    if moved.rowcount != 1:
        raise DomainError(_l("This tally sheet is already confirmed or rejected."))
    db.session.expire(sheet)


@rolls_back
def confirm_sheet(actor, voting_round, sheet):
    """A second person checks the sheet against the paper and confirms it: its ballots go into the
    box, one anonymous row each, for good."""
    now = clock.now()
    if not permissions.can_scrutinise(actor, voting_round.community):
        raise DomainError(_l("Only a committee member or a council member can confirm a tally sheet."))
    if sheet.entered_by_id == getattr(actor, "id", None):
        raise DomainError(_l("You entered this tally sheet: a second person must confirm it."))
    _check_pending(voting_round, sheet, now)
    _check_started(sheet.session, now)
    lines = sheet.lines
    _settle(sheet, status=SheetStatus.CONFIRMED, confirmed_by_id=actor.id, confirmed_at=now, lines=None)
    for stored, count in lines:
        choices = tally.normalise(voting_round.method, stored)
        for _ in range(count):
            casting.put_in_box(voting_round, choices, Channel.PAPER)
    _audit_sheet("round.tally_sheet_confirmed", sheet, actor, voting_round, entered_by=sheet.entered_by_id)
    db.session.commit()
    forget_history()  # the cleared lines leave the SQLite WAL too
    return sheet


@rolls_back
def reject_sheet(actor, voting_round, sheet, reason=""):
    """Before its confirmation a sheet can be rejected (by the scrutineer, or withdrawn by the
    person who entered it), so that a corrected one can be entered. It stays on record, without
    its per-content lines."""
    now = clock.now()
    if not permissions.can_scrutinise(actor, voting_round.community):
        raise DomainError(_l("Only a committee member or a council member can reject a tally sheet."))
    _check_pending(voting_round, sheet, now)
    reason = clean_plain(reason)[:NOTE_MAX]
    _settle(
        sheet,
        status=SheetStatus.REJECTED,
        active=None,
        lines=None,
        rejected_by_id=actor.id,
        rejected_at=now,
        reject_reason=reason,
    )
    _audit_sheet("round.tally_sheet_rejected", sheet, actor, voting_round, reason=reason)
    db.session.commit()
    forget_history()
    return sheet


def sheets(voting_round):
    return db.session.scalars(
        select(TallySheet)
        .where(TallySheet.round_id == voting_round.id)
        .options(
            selectinload(TallySheet.entered_by),
            selectinload(TallySheet.confirmed_by),
            selectinload(TallySheet.rejected_by),
            selectinload(TallySheet.session),
        )
        .order_by(TallySheet.id)
    ).all()


def sheet_lines(voting_round, sheet):
    """A pending sheet's lines as [(content in the sheet syntax, count)] for the scrutineer."""
    return [
        (format_choices(voting_round.method, tally.normalise(voting_round.method, stored)), count)
        for stored, count in sheet.lines or []
    ]


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
