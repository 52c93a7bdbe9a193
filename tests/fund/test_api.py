"""The fund's open data: a year's figures and its entries, as JSON and CSV, without personal data."""

import csv
import io

from app.fund import services

from .helpers import add_source, figures, year


def test_the_year_figures_are_the_page_figures(client, community, committee, approve):
    add_source(committee, community, 300_000)
    add_source(committee, community, 60_000, source_kind="charity", donor="杏林社区基金", matching_percent="30")
    approve(budget=45_000)
    data = client.get(f"/api/v1/communities/xinglin/fund/{year()}").get_json()
    f = figures(community)
    assert data["opened"] is True and data["closed"] is False
    assert (data["allocation"], data["charity"], data["sources"]) == (300_000, 60_000, 360_000)
    assert (data["commitments"], data["committed"], data["balance"]) == (45_000, 45_000, f.balance)
    assert data["url"].endswith(f"/c/xinglin/fund/{year()}")


def test_entries_as_json_and_csv_without_who_entered_them(client, community, committee, approve):
    source = add_source(
        committee, community, 60_000, source_kind="charity", donor="杏林社区基金", matching_percent="30"
    )
    approve(budget=10_000)
    services.reverse(committee, community, source, "录错", confirmed=True)
    items = client.get(f"/api/v1/communities/xinglin/fund/{year()}/entries").get_json()["items"]
    assert [(i["kind"], i["amount"]) for i in items] == [
        ("source", 60_000),
        ("commitment", 10_000),
        ("source", -60_000),
    ]
    assert items[0]["donor"] == "杏林社区基金" and items[0]["matching_percent"] == 30
    assert items[2]["reverses_id"] == items[0]["id"] and items[2]["reason"] == "录错"
    assert not any("entered" in key or "user" in key for key in items[0])
    response = client.get(f"/api/v1/communities/xinglin/fund/{year()}/entries.csv")
    rows = list(csv.reader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff"))))
    assert response.mimetype == "text/csv" and len(rows) == 4
    assert "entered_by_id" not in rows[0] and "committee" not in response.get_data(as_text=True)
    assert sum(int(row[rows[0].index("amount")]) for row in rows[1:]) == 10_000


def test_unknown_communities_and_years_are_not_found(client, community):
    assert client.get(f"/api/v1/communities/nowhere/fund/{year()}").status_code == 404
    assert client.get("/api/v1/communities/xinglin/fund/1999").status_code == 404
    assert client.get("/api/v1/communities/xinglin/fund/1999/entries").status_code == 404
    assert client.get(f"/api/v1/communities/xinglin/fund/{year()}/entries").get_json()["items"] == []
