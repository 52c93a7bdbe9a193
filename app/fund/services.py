"""The fund's services: reading a year, and the committee's entries (sources, corrections, closing
a year), which commit. The entries that follow the micro-matters are in matter_entries.py.

Every entry is written with its audit entry. A refusal (a closed year, an overdrawn fund) refuses
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
from app.extensions import db
from app.tracker.delivery import MAX_AMOUNT

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
    """The year's figures, from `entries` when the caller has the rows, otherwise from the four
    columns they need (loading whole rows with their matters and people cost ~6 ms a call)."""
    if entries is not None:
        return ledger.figures(e.as_ledger_entry() for e in entries)
    return figures_by([community.id], [year])[community.id, year]


def figures_by(community_ids, years):
    """{(community id, year): figures} of several communities and years in one statement (a year
    without entries has empty figures)."""
    columns = select(
        FundEntry.community_id,
        FundEntry.year,
        FundEntry.kind,
        FundEntry.amount,
        FundEntry.matter_id,
        FundEntry.source_kind,
    ).where(FundEntry.community_id.in_(community_ids), FundEntry.year.in_(years))
    entries = {(cid, year): [] for cid in community_ids for year in years}
    for community_id, year, *entry in db.session.execute(columns):
        entries[community_id, year].append(ledger.Entry(*entry))
    return {key: ledger.figures(rows) for key, rows in entries.items()}


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
    return {cid: budget for (cid, _year), budget in annual_budgets_by_year(communities, [year]).items()}


def annual_budgets_by_year(communities, years):
    """{(community id, year): annual_budget} of several communities and years in one statement."""
    allocations = {}
    for community_id, year, amount in db.session.execute(
        select(FundEntry.community_id, FundEntry.year, FundEntry.amount).where(
            FundEntry.community_id.in_([c.id for c in communities]),
            FundEntry.year.in_(years),
            FundEntry.kind == Kind.SOURCE,
            FundEntry.source_kind == SourceKind.ALLOCATION,
        )
    ):
        allocations[community_id, year] = allocations.get((community_id, year), 0) + amount
    return {(c.id, year): allocations.get((c.id, year), c.annual_budget) for c in communities for year in years}


# ---------------------------------------------------------------- checks


def closed_message(year):
    return _l("The fund of %(year)s is closed: no entry can be added to it.", year=year)


def require_open_year(community, year):
    if closing_of(community, year) is not None:
        raise DomainError(closed_message(year))


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


def add_entry(community_id, year, kind, amount, actor, action, **columns):
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
    require_open_year(community, year)
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
    entry = add_entry(
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
    require_open_year(community, entry.year)
    reason = checked_text(reason, "reason", 300, _l("Please give the reason for the correction; it will be published."))
    if not confirmed:
        raise FieldError("confirm", _l("Please confirm: the correction is published and cannot be undone."))
    reversal = add_entry(
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
    require_open_year(community, year)
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
    commit(closed_message(year))
    return closing
