"""Tally sheets: the count of a session's box, one line per distinct ballot content with its
number of ballots (e.g. `1 3 × 12`, `1:yes 2:no × 7`, typed or imported as CSV) and the spoilt ballots.

One committee member enters a sheet; a second person (another committee member, or a council
member acting as scrutineer 监票人, never the one who entered it) confirms it against the paper.
Only a confirmed sheet puts its ballots into the box (one anonymous row per ballot); its
per-content lines are then cleared, so no table joins the session's marked voters to what they
chose. A sheet can be rejected before its confirmation, so that a corrected one can be entered.

Every public function checks its rules again, audits and commits, or raises DomainError and
leaves nothing behind (as casting.py and rounds.py do).
"""

import csv
import io

from flask_babel import lazy_gettext as _l
from sqlalchemy import select, update
from sqlalchemy.orm import selectinload
from werkzeug.exceptions import NotFound

from app.core import clock
from app.core.errors import DomainError
from app.core.params import parse_id
from app.core.secrecy import forget_history
from app.core.service import commit, get_or_404, insert_once, require, rolls_back
from app.core.spreadsheet import decode_csv
from app.core.text import clean_plain
from app.extensions import db

from . import casting, permissions, tally
from .in_person import NOTE_MAX, audit, check_recorder, when
from .models import Channel, Method, RoundState, SheetStatus, TallySheet

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


def _audit_sheet(action, sheet, actor, voting_round, **data):
    # Totals only: the per-content lines never reach the audit log (see the module docstring).
    audit(
        action,
        sheet,
        actor,
        voting_round,
        session_id=sheet.session_id,
        ballots=sheet.ballots,
        spoilt=sheet.spoilt,
        **data,
    )


# --- the sheet's syntax: typed, or a CSV file ------------------------------------------------


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


# --- entered by one, confirmed or rejected by a second person --------------------------------


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
    check_recorder(actor, voting_round, now)
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
