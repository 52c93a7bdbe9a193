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
    mine = db.session.execute(
        select(FundEntry.year, FundEntry.kind, FundEntry.amount, FundEntry.matter_id, FundEntry.source_kind).where(
            FundEntry.matter_id == matter.id
        )
    ).all()
    if not mine:
        return MatterMoney()
    year = max([y for y, kind, *_rest in mine if kind == Kind.COMMITMENT] or [y for y, *_rest in mine])
    committed, paid = ledger.matter_position([ledger.Entry(*entry) for _year, *entry in mine], matter.id)
    # The year's entries as the columns the figures and the donors need, not whole rows with their people.
    year_entries = db.session.execute(
        select(FundEntry.kind, FundEntry.amount, FundEntry.matter_id, FundEntry.source_kind, FundEntry.donor).where(
            FundEntry.community_id == matter.community_id, FundEntry.year == year
        )
    ).all()
    figures = ledger.figures(ledger.Entry(*entry) for *entry, _donor in year_entries)
    by_donor = {}
    for kind, amount, _matter, source_kind, donor in year_entries:
        if kind == Kind.SOURCE and source_kind == SourceKind.CHARITY and donor:
            by_donor[donor] = by_donor.get(donor, 0) + amount
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
    years = fund.years_of(community)
    by_year = fund.figures_by([community.id], years)  # one statement for all the years
    return {year: by_year[community.id, year].charity for year in years}
