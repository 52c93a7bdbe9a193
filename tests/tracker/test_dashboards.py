"""Dashboards from the database, against hand-computed figures; the admin view, its sorting and CSV."""

import csv
import io
from datetime import timedelta

from app.core.clock import utcnow
from app.extensions import db
from app.tracker import dashboards, delivery, rating
from tests.helpers import login

from .helpers import days, today


def build_community_a(approve, committee, residents):
    """Three records: planned and overdue; completed with spending; evaluated and rated."""
    first = approve(title="甲", budget=10_000)
    second = approve(title="乙", budget=20_000)
    third = approve(title="丙", budget=30_000)
    delivery.add_milestone(committee, first, title="签合同", planned_date=days(-2))  # overdue
    for record in (second, third):
        record.matter.submitted_at = utcnow() - timedelta(days=40)
        delivery.update_details(
            committee, record, responsible_unit="施工队", contact="", planned_start=None, planned_end=None
        )
        delivery.start(committee, record)
    delivery.record_spending(committee, second, amount=5_000, spent_on=today(), purpose="材料")
    delivery.record_spending(
        committee, third, amount=31_000, spent_on=today(), purpose="材料", over_budget_reason="追加"
    )
    delivery.accept(committee, second, accepted_on=days(-10), note="合格")  # 30 days after the proposal
    delivery.accept(committee, third, accepted_on=days(-20), note="合格")  # 20 days after the proposal
    rating.open_evaluation(committee, third, closes_on=days(5))
    for user, stars in zip(residents, (5, 4, 3, 1, 4), strict=True):
        rating.rate(user, third, stars=stars)
    return first, second, third


def test_community_figures_from_the_database(community, approve, committee, residents):
    build_community_a(approve, committee, residents)
    figures, rows = dashboards.community_dashboard(community)
    assert figures.records == 3 and figures.matters == 3
    assert figures.stage_counts["approved"] == 1 and figures.stage_counts["completed"] == 1
    assert figures.stage_counts["evaluating"] == 1
    assert figures.state_counts["planned"] == 1 and figures.state_counts["evaluation"] == 1
    assert figures.accepted == 2
    assert figures.overdue == 1 and figures.overdue_records[0].title == "甲"
    assert figures.allocated == 60_000 and figures.spent == 36_000 and figures.spent_percent == 60.0
    assert figures.average_days == 25.0  # (30 + 20) / 2
    # 5,4,3,1,4 -> 3 of 5 satisfied = 60.0 %, average 17 / 5 = 3.4
    assert (figures.satisfaction.count, figures.satisfaction.rate, figures.satisfaction.average) == (5, 60.0, 3.4)
    assert [r.title for r in rows] == ["甲", "乙", "丙"]


def test_only_the_latest_window_counts(community, evaluating, committee, residents):
    for user in residents[:2]:
        rating.rate(user, evaluating, stars=1)
    delivery.rectify(committee, evaluating, "整改")
    delivery.accept(committee, evaluating, accepted_on=today(), note="整改验收")
    rating.open_evaluation(committee, evaluating, closes_on=days(3))
    rating.rate(residents[0], evaluating, stars=5)
    figures, _rows = dashboards.community_dashboard(community)
    assert figures.satisfaction.count == 1 and figures.satisfaction.rate == 100.0


def test_committee_dashboard_page(client, community, approve, committee, residents):
    build_community_a(approve, committee, residents)
    login(client, committee)
    response = client.get("/c/xinglin/dashboard")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "<svg" in html and "<table" in html and "<meter" in html and "<progress" in html
    assert "25.0" in html and "60.0%" in html and "¥36,000" in html
    assert len(response.data) < 50_000


def test_admin_dashboard_side_by_side(client, community, other_community, approve, committee, residents, make):
    build_community_a(approve, committee, residents)
    admin = make.user(admin=True)
    login(client, admin)
    html = client.get("/admin/dashboard/").get_data(as_text=True)
    assert "社区" in html and community.name in html and other_community.name in html
    by_matters = client.get("/admin/dashboard/?sort=-matters").get_data(as_text=True)
    assert by_matters.index(community.name) < by_matters.index(other_community.name)
    ascending = client.get("/admin/dashboard/?sort=matters").get_data(as_text=True)
    assert ascending.index(other_community.name) < ascending.index(community.name)
    assert client.get("/admin/dashboard/?sort=<script>").status_code == 200
    response = client.get("/admin/dashboard/communities.csv?sort=-satisfaction")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert "attachment" in response.headers["Content-Disposition"]
    rows = list(csv.DictReader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff"))))
    assert [r["slug"] for r in rows] == ["xinglin", "other"]  # other has no ratings: last
    mine = rows[0]
    assert (mine["records"], mine["overdue"], mine["allocated"], mine["spent"]) == ("3", "1", "60000", "36000")
    assert (mine["satisfaction"], mine["average_stars"], mine["average_days"]) == ("60.0", "3.4", "25.0")
    assert rows[1]["satisfaction"] == "" and rows[1]["records"] == "0"


def test_csv_quotes_formula_like_names(client, community, make):
    community.name = '=HYPERLINK("http://evil")'
    db.session.commit()
    login(client, make.user(admin=True))
    text = client.get("/admin/dashboard/communities.csv").get_data(as_text=True)
    assert "'=HYPERLINK" in text


def test_admin_dashboard_is_admin_only(client, community, committee, residents):
    assert client.get("/admin/dashboard/").status_code == 302
    for user in (committee, residents[0]):
        login(client, user)
        assert client.get("/admin/dashboard/").status_code == 403
        assert client.get("/admin/dashboard/communities.csv").status_code == 403
        client.post("/auth/logout")


def test_total_row_is_computed_from_all_records(community, other_community, approve, committee, residents):
    build_community_a(approve, committee, residents)
    per_community, total = dashboards.figures_for([community, other_community], with_total=True)
    assert [f.records for f in per_community] == [3, 0]
    assert total.records == 3 and total.allocated == 60_000 and total.average_days == 25.0


def test_admin_dashboard_withholds_communities_with_fewer_than_five_ratings(
    client, community, other_community, approve, committee, residents, make, other_committee
):
    build_community_a(approve, committee, residents)  # five ratings in xinglin
    raters = [make.member(other_community, display_name=f"别的居民{i}") for i in range(2)]
    record = approve(title="别的社区的项目", community_=other_community)
    delivery.update_details(
        other_committee, record, responsible_unit="物业", contact="", planned_start=None, planned_end=None
    )
    delivery.start(other_committee, record)
    delivery.accept(other_committee, record, accepted_on=today(), note="验收")
    rating.open_evaluation(other_committee, record, closes_on=days(7))
    for user in raters:
        rating.rate(user, record, stars=5)
    admin = make.user(admin=True)
    login(client, admin)
    html = client.get("/admin/dashboard/?lang=en").get_data(as_text=True)
    assert "Not shown: fewer than 5 ratings" in html
    rows = {
        r["slug"]: r
        for r in csv.DictReader(
            io.StringIO(client.get("/admin/dashboard/communities.csv").get_data(as_text=True).lstrip("\ufeff"))
        )
    }
    assert rows["other"]["ratings"] == "2" and rows["other"]["satisfaction"] == rows["other"]["average_stars"] == ""
    # Withheld too, or the total row would give the small community away by subtraction.
    assert rows["xinglin"]["satisfaction"] == ""
