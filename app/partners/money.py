"""With what money a matter was delivered, and the charity money raised per year, read from the
fund's ledger (app/fund), the one record of money.

The fund is a pool: a matter's commitment and payments come out of its year's fund, so its
charity share is the share charity co-funding has among that year's sources (and likewise
for the other sources)."""

from dataclasses import dataclass, field

from sqlalchemy import select

from app.extensions import db
from app.fund import ledger
from app.fund import services as fund
from app.fund.ledger import Kind, SourceKind
from app.fund.models import FundEntry


@dataclass
class MatterMoney:
    year: int | None = None  # the fund year the matter was committed in
    committed: int = 0  # commitments less releases
    paid: int = 0
    charity_percent: float | None = None  # charity co-funding's share of the year's sources
    other_percent: float | None = None
    donors: list = field(default_factory=list)  # the year's charity donors or funds, by name

    def __bool__(self):
        return self.year is not None


def _percent(part, whole):
    return round(100 * part / whole, 1) if whole > 0 and part > 0 else None


def of_matter(matter):
    entries = db.session.scalars(select(FundEntry).where(FundEntry.matter_id == matter.id)).all()
    if not entries:
        return MatterMoney()
    year = max([e.year for e in entries if e.kind == Kind.COMMITMENT] or [e.year for e in entries])
    committed, paid = ledger.matter_position([e.as_ledger_entry() for e in entries], matter.id)
    year_entries = fund.entries_of(matter.community, year)
    figures = fund.figures_of(matter.community, year, year_entries)
    by_donor = {}
    for entry in year_entries:
        if entry.kind == Kind.SOURCE and entry.source_kind == SourceKind.CHARITY and entry.donor:
            by_donor[entry.donor] = by_donor.get(entry.donor, 0) + entry.amount
    return MatterMoney(
        year=year,
        committed=committed,
        paid=paid,
        charity_percent=_percent(figures.charity, figures.sources),
        other_percent=_percent(figures.other, figures.sources),
        donors=sorted(donor for donor, total in by_donor.items() if total > 0),  # a reversed gift is no gift
    )


def charity_by_year(community):
    """{year: yuan} of charity co-funding in the community's fund (reversals included)."""
    return {year: fund.figures_of(community, year).charity for year in fund.years_of(community)}
