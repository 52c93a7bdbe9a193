"""The yearly record's figures against records built in the test, the comparison with the year
before, the CSV bundle, regenerating a closed year, and who may read it."""

import csv
import io
import zipfile
from datetime import date

import pytest
from flask_babel import lazy_gettext as _l
from freezegun import freeze_time

from app.extensions import db
from app.matters.models import Support
from app.tracker.models import Evaluation, SpendingEntry
from app.yearbook import services
from app.yearbook.compare import compare

from .helpers import YEAR, build_world, fund_entry, street_of


@pytest.fixture
def world(app, make):
    return build_world(make)


def section(report, name):
    return next(t for t in (report.comparison, *report.sections) if t.name == name)


def test_the_community_report_holds_the_years_records(world):
    report = services.community_report(world.community, YEAR)
    [meeting] = section(report, "meetings").rows
    assert meeting["date"] == date(YEAR, 2, 19)
    assert (meeting["present"], meeting["members"], meeting["quorum_needed"]) == (3, 3, 2)
    assert (meeting["decisions"], meeting["passed"]) == (1, 1)
    assert world.matter.title in meeting["decided"]
    matters = {row["title"]: row for row in section(report, "matters").rows}
    assert set(matters) == {world.matter.title, world.spoof.title}  # 2024's matter is not in 2025
    rated = matters[world.matter.title]
    assert (rated["supports"], rated["ratings"], rated["average_stars"]) == (3, 3, 4.0)
    assert rated["proposed_on"] == date(YEAR, 2, 9) and rated["approved_on"] == date(YEAR, 6, 1)
    assert rated["stage"] == str(_l("Rated"))
    assert matters[world.spoof.title]["stage"] == str(_l("Proposed")) and matters[world.spoof.title]["ratings"] == 0
    [voting] = section(report, "rounds").rows
    assert (voting["ballots"], voting["electorate"], voting["turnout"]) == (4, 10, 40.0)
    assert voting["winners"] == world.matter.title
    [record] = section(report, "implementations").rows
    assert (record["budget"], record["spent_in_year"], record["spent_to_date"]) == (8000, 7600, 7600)
    assert record["accepted_on"] == date(YEAR, 5, 31) and record["satisfaction"] == pytest.approx(66.7)
    [notice] = section(report, "notices").rows
    assert (notice["objections"], notice["answered"]) == (1, 1)
    fund = {row["figure"]: row["yuan"] for row in section(report, "fund").rows}
    assert (fund["allocation"], fund["committed"], fund["payments"], fund["balance"]) == (50000, 8000, 7600, 42000)


def test_figures_are_compared_with_the_previous_year(world):
    rows = {row["figure"]: row for row in services.community_report(world.community, YEAR).comparison.rows}
    assert (rows["matters"]["this_year"], rows["matters"]["previous_year"]) == (2, 1)
    assert rows["matters"]["change"] == "+1" and rows["matters"]["trend"] == str(_l("increase"))
    assert (rows["meetings"]["change"], rows["allocated"]["change"]) == ("+1", "+10000")
    rows = {row["figure"]: row for row in services.community_report(world.community, YEAR + 1).comparison.rows}
    assert rows["matters"]["change"] == "\u22122" and rows["matters"]["trend"] == str(_l("decrease"))
    assert rows["satisfaction"]["trend"] == str(_l("not comparable"))  # nobody rated in 2026


@pytest.mark.parametrize(
    ("current", "previous", "change", "direction"),
    [
        (3, 1, "+2", 1),
        (1, 3, "\u22122", -1),
        (2, 2, "0", 0),
        (40.0, 37.5, "+2.5", 1),
        (None, 2, "", 0),
        (0.1, 0.3, "\u22120.2", -1),
    ],
)
def test_a_change_carries_its_sign_and_words(app, current, previous, change, direction):
    out = compare(current, previous)
    assert (out["change"], out["direction"]) == (change, direction)
    assert out["trend"]


def test_a_closed_year_regenerates_with_identical_figures(world):
    before = list(services.community_report(world.community, YEAR).tables())
    with freeze_time("2026-02-01 02:00:00"):  # later activity on the same records
        db.session.add(Support(matter_id=world.spoof.id, user_id=world.committee.id))
        db.session.add(SpendingEntry(record_id=world.record.id, amount=300, spent_on=date(2026, 1, 20), purpose="补漆"))
        db.session.add(
            Evaluation(
                window_id=world.record.windows[0].id, record_id=world.record.id, user_id=world.residents[3].id, stars=1
            )
        )
        world.spoof.status = "approved"
        fund_entry(
            world.community, world.committee, YEAR + 1, "source", 60000, date(2026, 1, 5), source_kind="allocation"
        )
    db.session.commit()
    assert list(services.community_report(world.community, YEAR).tables()) == before


def _bundle(response):
    archive = zipfile.ZipFile(io.BytesIO(response.data))
    return {name: archive.read(name).decode("utf-8") for name in archive.namelist()}


def test_the_csv_bundle_has_one_file_per_section(client, world):
    response = client.get(f"/c/xinglin/yearbook/bundle.zip?year={YEAR}")
    assert response.status_code == 200 and response.mimetype == "application/zip"
    assert f"xinglin-{YEAR}-yearbook.zip" in response.headers["Content-Disposition"]
    files = _bundle(response)
    names = ("comparison", "meetings", "matters", "rounds", "implementations", "notices", "fund")
    assert set(files) == {f"{name}.csv" for name in names}
    assert all(text.startswith("\ufeff") for text in files.values())
    matters = list(csv.DictReader(io.StringIO(files["matters.csv"].lstrip("\ufeff"))))
    assert {row["title"] for row in matters} == {world.matter.title, "'" + world.spoof.title}  # a formula is quoted
    comparison = {row["figure"]: row for row in csv.DictReader(io.StringIO(files["comparison.csv"].lstrip("\ufeff")))}
    assert (comparison["matters"]["this_year"], comparison["matters"]["change"]) == ("2", "'+1")
    fund = {row["figure"]: row["yuan"] for row in csv.DictReader(io.StringIO(files["fund.csv"].lstrip("\ufeff")))}
    assert fund["payments"] == "7600"


def test_the_report_page_is_public_and_prints_the_audit_head(client, world):
    response = client.get(f"/c/xinglin/yearbook/?year={YEAR}&lang=en")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "audit-head" in page and world.matter.title in page and "yearly record 2025" in page
    assert "+1" in page and "increase" in page  # a change in words, not colour alone
    assert page.count('class="report-section"') == 6
    assert "王阿姨" not in page and world.residents[3].display_name not in page  # no resident's name
    assert client.get("/c/xinglin/yearbook/?year=abc").status_code == 200  # this year instead
    assert client.get("/c/nowhere/yearbook/").status_code == 404


def test_the_street_report_sums_its_communities(client, make, world):
    other = build_world(make, slug="lianhua")
    street = street_of(world.community, other.community)
    report = services.street_report(street, YEAR)
    rows = {row["figure"]: row for row in report.comparison.rows}
    assert (rows["matters"]["this_year"], rows["matters"]["previous_year"], rows["matters"]["change"]) == (4, 2, "+2")
    assert "turnout" not in rows  # a rate is not summed
    [communities] = report.sections
    assert [row["community"] for row in communities.rows] == sorted(c.name for c in (world.community, other.community))
    response = client.get(f"/street/shuangta/yearbook/?year={YEAR}")
    assert response.status_code == 200 and "双塔街道" in response.get_data(as_text=True)
    files = _bundle(client.get(f"/street/shuangta/yearbook/bundle.zip?year={YEAR}"))
    assert set(files) == {"comparison.csv", "communities.csv"}
    assert client.get("/street/nowhere/yearbook/").status_code == 404
