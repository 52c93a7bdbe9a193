"""The fund's open data: a year's figures and every entry (with its CSV twin). No personal data:
who entered an entry is left out; a charity donor is published as the page publishes it."""

from flask_babel import gettext as _
from sqlalchemy import select

from app.core.errors import refuse
from app.core.i18n import N_
from app.core.urls import path_for
from app.fund import services as fund
from app.fund.ledger import Kind, SourceKind
from app.fund.models import FundEntry

from .registry import SLUG, Param, collection, item
from .routes import community_or_404
from .schema import Field, Resource, url_field

YEAR = Param("year", "path", "integer", "The fund's year.", minimum=2000, maximum=2100, example=2026)

FUND_YEAR = Resource(
    "FundYear",
    "A community's 民生微实事 fund in one year: balance = sources − committed − paid beyond the commitments.",
    [
        Field("year", "integer", minimum=2000, maximum=2100, example=2026),
        Field("opened", "boolean", "A source was recorded: approvals may not overdraw the fund.", example=True),
        Field("closed", "boolean", "The committee closed the year: no more entries.", example=False),
        Field("allocation", "integer", "Yearly allocation, in yuan.", example=300000),
        Field("charity", "integer", "Charity co-funding, in yuan.", example=60000),
        Field("other", "integer", "Other sources, in yuan.", example=0),
        Field("sources", "integer", example=360000),
        Field("commitments", "integer", "Made on approvals, in yuan.", example=120000),
        Field("releases", "integer", "Given back by projects delivered under budget, in yuan.", example=5000),
        Field("committed", "integer", "Commitments less releases, in yuan.", example=115000),
        Field("payments", "integer", "Paid from the implementations' spending, in yuan.", example=80000),
        Field("beyond", "integer", "Paid beyond the commitments, in yuan.", example=0),
        Field("balance", "integer", "Available for new approvals, in yuan.", example=245000),
        url_field(lambda y: path_for("fund.page", slug=y["slug"], year=y["year"])),
    ],
)

FUND_ENTRY = Resource(
    "FundEntry",
    "One entry of the fund's ledger. Corrections are new entries with the amount negated.",
    [
        Field("id", "integer", minimum=1, example=12),
        Field("year", "integer", minimum=2000, maximum=2100, example=2026),
        Field("kind", "string", enum=tuple(Kind), example="source"),
        Field("source_kind", "string", enum=tuple(SourceKind), nullable=True, example="charity"),
        Field("amount", "integer", "Yuan; negative on a correction.", example=60000),
        Field("entry_date", "string", format="date", example="2026-03-01"),
        Field("matter_id", "integer", nullable=True, minimum=1, example=None),
        Field("donor", "string", "Charity co-funding: the donor or fund.", example="杏林社区基金"),
        Field("matching_percent", "integer", nullable=True, minimum=1, maximum=100, example=30),
        Field("note", "string", example=""),
        Field(
            "reason", "string", "Why a correction was made, or why a payment went beyond its commitment.", example=""
        ),
        Field("reverses_id", "integer", "The entry this one corrects.", nullable=True, minimum=1, example=None),
    ],
)

FIGURES = "allocation charity other sources commitments releases committed payments beyond balance".split()


def _with_year(slug, year):
    """The community at `slug`, when `year` is one the fund can have (404 otherwise)."""
    community = community_or_404(slug)
    if not fund.valid_year(year):
        refuse(404, _("Not found."))
    return community


@item(
    "/communities/{slug}/fund/{year}",
    FUND_YEAR,
    tag="fund",
    params=[SLUG, YEAR],
    summary=N_("The fund's figures of one year."),
)
def fund_year(slug, year):
    community = _with_year(slug, year)
    figures = fund.figures_of(community, year)
    return {
        "slug": slug,
        "year": year,
        "opened": fund.is_opened(community, year),
        "closed": fund.closing_of(community, year) is not None,
        **{name: getattr(figures, name) for name in FIGURES},
    }


@collection(
    "/communities/{slug}/fund/{year}/entries",
    FUND_ENTRY,
    tag="fund",
    params=[SLUG, YEAR],
    summary=N_("Every entry of the fund's ledger in one year, oldest first."),
)
def fund_entries(slug, year):
    community = _with_year(slug, year)
    return (
        select(FundEntry)
        .where(FundEntry.community_id == community.id, FundEntry.year == year)
        .order_by(FundEntry.entry_date, FundEntry.id)
    )
