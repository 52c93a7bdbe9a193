"""The street's figures read by grouped queries: one community or four, one year of records or four,
the street's pages, its yearly report and the committee's charity per year run the same number of
SQL statements (no query per community or per year); and each community's row holds its own
figures, checked against values computed by hand."""

from datetime import date

import pytest
from sqlalchemy import select

from app.communities.models import Community
from app.extensions import db
from app.fund.models import FundEntry
from app.matters.models import MicroMatter
from app.partners import money
from app.partners.models import DeliveryTask, Partner, TaskSignup, Volunteer
from app.streets import figures
from app.tracker.models import ImplementationRecord
from app.yearbook import services as yearbook
from tests.helpers import login
from tests.perf.test_statement_budgets import counted_statements

YEAR = 2025
PAGES = (
    f"/street/shuangta/?year={YEAR}",
    f"/street/shuangta/figures.csv?year={YEAR}",
    f"/street/shuangta/yearbook/?year={YEAR}",
    f"/street/shuangta/yearbook/bundle.zip?year={YEAR}",
)


def records_of(community, user, n, years):
    """Community number `n` gets, in each of `years`: an allocation, a charity gift, a matter
    committed and paid, and a delivery task with its partner's and volunteer's confirmed sign-ups."""
    partner = db.session.scalar(select(Partner).where(Partner.community_id == community.id))
    volunteer = db.session.scalar(select(Volunteer).where(Volunteer.community_id == community.id))
    if partner is None:
        partner = Partner(community_id=community.id, kind="social_organisation", name=f"社工站{n}")
        volunteer = Volunteer(community_id=community.id, user_id=user.id)
        db.session.add_all([partner, volunteer])
    for year in years:
        matter = MicroMatter(
            community_id=community.id,
            proposer_id=user.id,
            title=f"事项{n}-{year}",
            description="d",
            description_html="<p>d</p>",
            category="facilities",
            location="1栋",
            estimated_cost=1_000,
            project_type="works",
            status="implementing",
        )
        db.session.add(matter)
        db.session.flush()
        record = ImplementationRecord(
            community_id=community.id, matter_id=matter.id, state="in_progress", approved_budget=1_000 * n
        )
        db.session.add(record)
        db.session.flush()
        day = date(year, 3, 1)
        for kind, source_kind, amount, matter_id in (
            ("source", "allocation", 10_000 * n, None),
            ("source", "charity", 100 * n + year - YEAR, None),
            ("commitment", None, 1_000 * n, matter.id),
            ("payment", None, 900 * n, matter.id),
        ):
            db.session.add(
                FundEntry(
                    community_id=community.id,
                    year=year,
                    kind=kind,
                    source_kind=source_kind,
                    amount=amount,
                    matter_id=matter_id,
                    entry_date=day,
                    donor="社区基金" if source_kind == "charity" else "",
                )
            )
        task = DeliveryTask(
            community_id=community.id,
            record_id=record.id,
            title="协助",
            people_needed=2,
            task_date=day,
            length_minutes=240,
        )
        db.session.add(task)
        db.session.flush()
        db.session.add_all(
            [
                TaskSignup(task_id=task.id, volunteer_id=volunteer.id, status="confirmed", minutes=30 * n),
                TaskSignup(task_id=task.id, partner_id=partner.id, people=2, status="confirmed"),
            ]
        )
    db.session.commit()


def grow(street, make, user, count, years=(YEAR,)):
    """Add communities to the street until it has `count`, each with records in `years`."""
    have = len(street.communities)
    for n in range(have + 1, count + 1):
        community = make.community(slug=f"c{n}")
        community.street_id = street.id
        db.session.commit()
        records_of(community, user, n, years)
    db.session.expire_all()


def counted(call):
    db.session.expire_all()
    with counted_statements() as statements:
        call()
    return len(statements)


def page_statements(client, path):
    assert client.get(path).status_code == 200, path
    db.session.expire_all()  # the test's session is the request's: nothing kept from the first view
    with counted_statements() as statements:
        assert client.get(path).status_code == 200, path
    return len(statements)


@pytest.fixture
def single(street, community, other, committee, make):
    """The street with its first community's records only (the second has none)."""
    records_of(community, committee, 1, (YEAR,))
    return street


def test_each_community_has_its_own_figures(single, make, committee):
    grow(single, make, committee, 4, years=(YEAR - 1, YEAR))
    rows = {row["slug"]: row for row in figures.street_year_figures(single, YEAR)}
    assert rows["lianhua"]["allocated"] == db.session.get(Community, rows["lianhua"]["community_id"]).annual_budget
    assert (rows["lianhua"]["committed"], rows["lianhua"]["tasks"], rows["lianhua"]["charity"]) == (0, 0, 0)
    for n, slug in ((1, "xinglin"), (3, "c3"), (4, "c4")):
        row = rows[slug]
        assert (row["allocated"], row["committed"], row["spent"]) == (10_000 * n, 1_000 * n, 900 * n)
        assert (row["partners"], row["tasks"], row["charity"]) == (1, 1, 100 * n)
        assert (row["volunteer_minutes"], row["volunteer_hours"]) == (30 * n, round(30 * n / 60, 1))
    before = {row["slug"]: row for row in figures.street_year_figures(single, YEAR - 1)}
    assert (before["c3"]["charity"], before["c3"]["spent"], before["c3"]["tasks"]) == (299, 2_700, 1)
    assert before["xinglin"]["charity"] == before["xinglin"]["tasks"] == 0  # no records that year
    community = db.session.scalar(select(Community).where(Community.slug == "c4"))
    charity = money.charity_by_year(community)
    assert (charity[YEAR - 1], charity[YEAR]) == (399, 400)
    report = yearbook.street_report(single, YEAR)
    compared = {row["figure"]: row for row in report.comparison.rows}
    assert (compared["spent"]["this_year"], compared["spent"]["previous_year"]) == (900 * 8, 900 * 7)
    assert (compared["volunteer_hours"]["this_year"], compared["volunteer_hours"]["previous_year"]) == (4.0, 3.5)


def test_the_statements_do_not_grow_with_the_communities(client, single, staff, make, committee):
    one = [counted(lambda y=y: figures.street_year_figures(single, y)) for y in (YEAR, YEAR - 1)]
    report = counted(lambda: yearbook.street_report(single, YEAR))
    login(client, staff)
    pages = [page_statements(client, path) for path in PAGES]
    grow(single, make, committee, 5, years=(YEAR - 1, YEAR))
    assert [counted(lambda y=y: figures.street_year_figures(single, y)) for y in (YEAR, YEAR - 1)] == one
    assert counted(lambda: yearbook.street_report(single, YEAR)) == report
    assert [page_statements(client, path) for path in PAGES] == pages


def test_the_statements_do_not_grow_with_the_years(client, community, committee):
    records_of(community, committee, 1, (YEAR,))
    charity = counted(lambda: money.charity_by_year(community))
    report = counted(lambda: yearbook.community_report(community, YEAR))
    login(client, committee)
    dashboard = page_statements(client, "/c/xinglin/dashboard")
    records_of(community, committee, 1, (YEAR - 3, YEAR - 2, YEAR - 1))
    assert counted(lambda: money.charity_by_year(community)) == charity
    assert counted(lambda: yearbook.community_report(community, YEAR)) == report
    assert page_statements(client, "/c/xinglin/dashboard") == dashboard
