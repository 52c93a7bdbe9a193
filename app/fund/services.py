"""The fund's services: reading a year, the committee's entries, and the entries that follow the
micro-matters (a commitment on approval, a payment with each of the tracker's spending entries, a
release of the unspent commitment on acceptance).

Every entry is written with its audit entry. The committee's services commit; the followers write
inside the transaction of the change they follow, so the figures never change without an entry and
an entry never exists without its change. A refusal (a closed year, an overdrawn fund) refuses
that change as a whole.
"""

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from app.audit.services import record as audit
from app.core import clock
from app.core.errors import DomainError, FieldError
from app.core.params import checked_date
from app.core.service import commit, rolls_back
from app.core.text import checked_text, clean_plain
from app.councils.models import AgendaItem, MeetingItem, Motion, MotionStatus
from app.extensions import db
from app.matters.lifecycle import Status
from app.tracker.delivery import MAX_AMOUNT
from app.tracker.records import create_record
from app.voting.models import RoundOption

from . import ledger
from .ledger import Kind, SourceKind
from .models import FundEntry, FundYearClosing
from .permissions import can_keep_fund

EARLIEST_YEAR, LATEST_YEAR = 2000, 2100


def current_year():
    return clock.local_today().year


def valid_year(year):
    return isinstance(year, int) and EARLIEST_YEAR <= year <= LATEST_YEAR


# ---------------------------------------------------------------- reading


def entries_of(community, year):
    return db.session.scalars(
        select(FundEntry)
        .where(FundEntry.community_id == community.id, FundEntry.year == year)
        .options(selectinload(FundEntry.matter), selectinload(FundEntry.entered_by))
        .order_by(FundEntry.entry_date, FundEntry.id)
    ).all()


def figures_of(community, year, entries=None):
    rows = entries_of(community, year) if entries is None else entries
    return ledger.figures(e.as_ledger_entry() for e in rows)


def is_opened(community, year):
    """A ledger is open for the year once it has a source entry; before that nothing is blocked."""
    return (
        db.session.scalar(
            select(FundEntry.id)
            .where(FundEntry.community_id == community.id, FundEntry.year == year, FundEntry.kind == Kind.SOURCE)
            .limit(1)
        )
        is not None
    )


def closing_of(community, year):
    return db.session.scalar(
        select(FundYearClosing).where(FundYearClosing.community_id == community.id, FundYearClosing.year == year)
    )


def years_of(community):
    """The years with entries, and the current one; newest first."""
    years = set(db.session.scalars(select(FundEntry.year).where(FundEntry.community_id == community.id).distinct()))
    return sorted(years | {current_year()}, reverse=True)


def reversed_ids(entries):
    return {e.reverses_id for e in entries if e.reverses_id is not None}


def available_balance(community):
    """The balance of the current year, for a new round's budget; None while no ledger is open."""
    year = current_year()
    if not is_opened(community, year):
        return None
    return max(figures_of(community, year).balance, 0)


def annual_budget(community, year=None):
    """The year's micro-matter budget: its allocation entries once there are any, otherwise the
    figure set when the community was created."""
    return annual_budgets([community], year)[community.id]


def annual_budgets(communities, year=None):
    """{community id: annual_budget} of several communities in one statement (the open data's list)."""
    year = year or current_year()
    allocations = {}
    for community_id, amount in db.session.execute(
        select(FundEntry.community_id, FundEntry.amount).where(
            FundEntry.community_id.in_([c.id for c in communities]),
            FundEntry.year == year,
            FundEntry.kind == Kind.SOURCE,
            FundEntry.source_kind == SourceKind.ALLOCATION,
        )
    ):
        allocations[community_id] = allocations.get(community_id, 0) + amount
    return {c.id: allocations.get(c.id, c.annual_budget) for c in communities}


# ---------------------------------------------------------------- checks


def _closed_message(year):
    return _l("The fund of %(year)s is closed: no entry can be added to it.", year=year)


def _require_open_year(community, year):
    if closing_of(community, year) is not None:
        raise DomainError(_closed_message(year))


def parse_amount(value, field="amount"):
    """A whole number of yuan above zero, from a form's text (¥ and thousands separators allowed)."""
    if isinstance(value, int) and not isinstance(value, bool):
        amount = value
    else:
        text = clean_plain(value).replace(",", "").replace("，", "").replace("¥", "").replace("元", "").strip()
        if text.startswith("-") and text[1:].isascii() and text[1:].isdigit():
            raise FieldError(field, _l("The amount must be above zero."))
        if not (text.isascii() and text.isdigit()) or len(text) > 12:
            raise FieldError(field, _l("Please give the amount as a whole number of yuan, for example 50000."))
        amount = int(text)
    if amount <= 0:
        raise FieldError(field, _l("The amount must be above zero."))
    if amount > MAX_AMOUNT:
        raise FieldError(field, _l("This amount is too large."))
    return amount


def _percent(value):
    text = clean_plain(value if isinstance(value, str) else "" if value is None else str(value)).rstrip("%％")
    if not text:
        return None
    if not (text.isascii() and text.isdigit()) or not 1 <= int(text) <= 100:
        raise FieldError("matching_percent", _l("The matching share is a whole percentage from 1 to 100."))
    return int(text)


def _add(community_id, year, kind, amount, actor, action, **columns):
    entry = FundEntry(
        community_id=community_id,
        year=year,
        kind=kind,
        amount=amount,
        entered_by_id=getattr(actor, "id", None),
        **columns,
    )
    db.session.add(entry)
    audit(
        action,
        entry,
        actor=actor,
        community=community_id,
        year=year,
        kind=str(kind),
        amount=amount,
        source_kind=columns.get("source_kind"),
        matter_id=columns.get("matter_id"),
        spending_id=columns.get("spending_id"),
        reverses_id=columns.get("reverses_id"),
        entry_date=columns["entry_date"].isoformat(),
        donor=columns.get("donor") or None,
        matching_percent=columns.get("matching_percent"),
        note=columns.get("note") or None,
        reason=columns.get("reason") or None,
    )
    return entry


# ---------------------------------------------------------------- the committee's entries


@rolls_back
def record_source(actor, community, year, *, source_kind, amount, entry_date, donor="", matching_percent=None, note=""):
    if not can_keep_fund(actor, community):
        raise DomainError(_l("Only the committee of this community can record money for the fund."))
    if not valid_year(year):
        raise DomainError(_l("Please choose a year between 2000 and 2100."))
    _require_open_year(community, year)
    if source_kind not in set(SourceKind):
        raise FieldError("source_kind", _l("Choose where the money comes from."))
    amount = parse_amount(amount)
    entry_date = checked_date(entry_date, "entry_date", past=True)
    columns = {"donor": "", "matching_percent": None, "note": ""}
    if source_kind == SourceKind.CHARITY:
        columns["donor"] = checked_text(donor, "donor", 120, _l("Please name the donor or charity fund."))
        columns["matching_percent"] = _percent(matching_percent)
    elif source_kind == SourceKind.OTHER:
        columns["note"] = checked_text(note, "note", 300, _l("Please say where this money comes from."))
    entry = _add(
        community.id,
        year,
        Kind.SOURCE,
        amount,
        actor,
        "fund.source_recorded",
        source_kind=str(source_kind),
        entry_date=entry_date,
        **columns,
    )
    commit()
    return entry


@rolls_back
def reverse(actor, community, entry, reason, *, confirmed):
    """A correction: a new entry that cancels `entry` (same kind, the amount negated)."""
    if not can_keep_fund(actor, community):
        raise DomainError(_l("Only the committee of this community can correct the fund."))
    if entry.community_id != community.id:
        raise DomainError(_l("This entry belongs to another community."))
    if entry.reverses_id is not None:
        raise DomainError(_l("A correction cannot be reversed; record a new entry instead."))
    already = db.session.scalar(select(FundEntry.id).where(FundEntry.reverses_id == entry.id))
    if already is not None:
        raise DomainError(_l("This entry has already been reversed."))
    _require_open_year(community, entry.year)
    reason = checked_text(reason, "reason", 300, _l("Please give the reason for the correction; it will be published."))
    if not confirmed:
        raise FieldError("confirm", _l("Please confirm: the correction is published and cannot be undone."))
    reversal = _add(
        community.id,
        entry.year,
        entry.kind,
        -entry.amount,
        actor,
        "fund.entry_reversed",
        source_kind=entry.source_kind,
        matter_id=entry.matter_id,
        spending_id=entry.spending_id,
        donor=entry.donor,
        matching_percent=entry.matching_percent,
        note=entry.note,
        reason=reason,
        reverses_id=entry.id,
        entry_date=clock.local_today(),
    )
    commit(_l("This entry has already been reversed."))
    return reversal


@rolls_back
def close_year(actor, community, year, *, confirmed):
    if not can_keep_fund(actor, community):
        raise DomainError(_l("Only the committee of this community can close a year of the fund."))
    if not valid_year(year) or year > current_year():
        raise DomainError(_l("Only a past or the current year can be closed."))
    if not confirmed:
        raise FieldError("confirm", _l("Please confirm: a closed year cannot be opened again."))
    _require_open_year(community, year)
    closing = FundYearClosing(community_id=community.id, year=year, closed_by_id=actor.id)
    db.session.add(closing)
    figures = figures_of(community, year)
    audit(
        "fund.year_closed",
        closing,
        actor=actor,
        community=community.id,
        year=year,
        sources=figures.sources,
        committed=figures.committed,
        payments=figures.payments,
        balance=figures.balance,
    )
    commit(_closed_message(year))
    return closing


# ---------------------------------------------------------------- following the micro-matters


def expected_budget(matter):
    """What an approval of `matter` would commit now: the cost on its ballot when residents vote,
    the budget of the council's approval motion, otherwise its estimated cost."""
    if matter.status == Status.IN_VOTE:
        cost = db.session.scalar(
            select(RoundOption.cost).where(RoundOption.matter_id == matter.id).order_by(RoundOption.id.desc()).limit(1)
        )
        if cost is not None:
            return cost
    budget = db.session.scalar(
        select(Motion.budget)
        .join(MeetingItem, Motion.meeting_item_id == MeetingItem.id)
        .join(AgendaItem, MeetingItem.agenda_item_id == AgendaItem.id)
        .where(
            AgendaItem.matter_id == matter.id,
            Motion.kind == "approve",
            Motion.budget.is_not(None),
            Motion.status.not_in([MotionStatus.FAILED, MotionStatus.WITHDRAWN]),
        )
        .order_by(Motion.id.desc())
        .limit(1)
    )
    return budget if budget is not None else matter.estimated_cost or 0


def approval_refusal(community, amount, year=None):
    """Why committing `amount` in the year is refused, or None. A year without any source entry
    has no ledger yet and refuses nothing."""
    if amount <= 0:
        return None  # nothing to commit, no entry
    year = year or current_year()
    if closing_of(community, year) is not None:
        return _closed_message(year)
    if not is_opened(community, year):
        return None
    missing = ledger.shortfall(figures_of(community, year).balance, amount)
    if missing:
        return _l(
            "Not enough money left in this year's fund: ¥%(shortfall)s short. "
            "The committee can record an additional source first.",
            shortfall=f"{missing:,}",
        )
    return None


def fund_guard(matter, action):
    """Transition guard: an approval must not overdraw the year's fund."""
    if action != "approve":
        return None
    return approval_refusal(matter.community, expected_budget(matter))


def _matter_entries(matter_id):
    return db.session.scalars(select(FundEntry).where(FundEntry.matter_id == matter_id)).all()


def _commitment_year(entries):
    years = [e.year for e in entries if e.kind == Kind.COMMITMENT]
    return max(years) if years else None


def _position(entries, year, matter_id):
    return ledger.matter_position([e.as_ledger_entry() for e in entries if e.year == year], matter_id)


def _add_for_matter(matter, year, kind, amount, actor, action):
    """An entry the micro-matter's lifecycle makes by itself, dated today."""
    return _add(
        matter.community_id, year, kind, amount, actor, action, matter_id=matter.id, entry_date=clock.local_today()
    )


def commit_approval(matter, actor, data):
    """On approval: commit the approved budget (the implementation record's) in the current year."""
    budget = create_record(matter, actor, data).approved_budget
    if budget <= 0:
        return None
    year = current_year()
    refusal = approval_refusal(matter.community, budget, year)
    if refusal:
        raise DomainError(refusal)
    return _add_for_matter(matter, year, Kind.COMMITMENT, budget, actor, "fund.commitment_recorded")


def release_unspent(matter, actor):
    """On acceptance or cancellation: what the work did not use goes back to the year it was committed in."""
    entries = _matter_entries(matter.id)
    year = _commitment_year(entries)
    if year is None:
        return None
    committed, paid = _position(entries, year, matter.id)
    amount = ledger.unspent(committed, paid)
    if not amount:
        return None
    _require_open_year(matter.community, year)
    return _add_for_matter(matter, year, Kind.RELEASE, amount, actor, "fund.release_recorded")


def on_transition(matter, action=None, actor=None, data=None, **_extra):
    if action == "approve":
        commit_approval(matter, actor, data or {})
    elif action in ("complete", "cancel"):  # delivered under budget, or not delivered at all
        release_unspent(matter, actor)


def on_spending(spending, actor=None, reason="", **_extra):
    """A payment for each of the tracker's spending entries, in the year its matter was committed
    in. A payment beyond the commitment needs the public reason the person gave. (A matter
    approved before its community kept a ledger has no commitment: its payments count in the
    year they were made, and the tracker's own budget rule asks for the reason.)"""
    db.session.flush()  # the spending entry's id, for the payment that follows it
    record = spending.record
    entries = _matter_entries(record.matter_id)
    year = _commitment_year(entries)
    beyond = 0
    if year is None:
        year = spending.spent_on.year
    else:
        committed, paid = _position(entries, year, record.matter_id)
        beyond = ledger.beyond_commitment(committed, paid, spending.amount)
        if beyond and not reason:
            raise FieldError(
                "over_budget_reason",
                _l(
                    "This payment goes ¥%(beyond)s beyond what the fund committed to this micro-matter "
                    "(¥%(committed)s): please give the reason (it will be published).",
                    beyond=beyond,
                    committed=max(committed, 0),
                ),
            )
    _require_open_year(record.community, year)
    return _add(
        record.community_id,
        year,
        Kind.PAYMENT,
        spending.amount,
        actor,
        "fund.payment_recorded",
        matter_id=record.matter_id,
        spending_id=spending.id,
        reason=reason if beyond else "",
        entry_date=spending.spent_on,
    )
