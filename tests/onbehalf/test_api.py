"""The open data API shows 代录 beside a proposal or a rating entered on a resident's behalf (the
channel, as the public pages do), never who entered it: a grid worker's name is not public."""

from app.core.vocabulary import EntryChannel
from app.onbehalf import services
from tests.matters.helpers import fields

API = "/api/v1/communities/xinglin"


def test_matters_and_ratings_say_entered_on_behalf_and_the_channel_not_by_whom(
    client, community, collecting, evaluating, grid, elder, residents
):
    entered = services.propose(
        grid, community, elder, channel=EntryChannel.PAPER, agreed=True, **fields(title="楼道加装扶手")
    )
    services.rate(
        grid,
        community,
        elder,
        record_id=str(evaluating.id),
        stars=4,
        comment="",
        channel=EntryChannel.VISIT,
        agreed=True,
    )
    listed = client.get(f"{API}/matters")
    assert listed.status_code == 200
    by_id = {m["id"]: m for m in listed.get_json()["items"]}
    assert (by_id[entered.id]["entered_on_behalf"], by_id[entered.id]["channel"]) == (True, "paper")
    assert (by_id[collecting.id]["entered_on_behalf"], by_id[collecting.id]["channel"]) == (False, None)
    one = client.get(f"{API}/matters/{entered.id}").get_json()
    assert (one["entered_on_behalf"], one["channel"]) == (True, "paper")
    ratings = client.get(f"{API}/ratings?record_id={evaluating.id}").get_json()["items"]
    assert [(r["entered_on_behalf"], r["channel"]) for r in ratings] == [(True, "visit")]
    csv = client.get(f"{API}/matters.csv").get_data(as_text=True)
    assert "entered_on_behalf" in csv.splitlines()[0] and ",paper," in csv
    for response in (listed, client.get(f"{API}/ratings"), client.get(f"{API}/matters.csv")):
        text = response.get_data(as_text=True)
        assert "grid1" not in text and "网格员" not in text and "小李" not in text
        assert "entered_by" not in text
    # The description for people and the OpenAPI document list the two fields.
    schema = client.get("/api/v1/openapi.json").get_json()["components"]["schemas"]
    for name in ("Matter", "Rating"):
        properties = schema[name]["properties"]
        assert properties["entered_on_behalf"]["type"] == "boolean"
        assert "phone" in str(properties["channel"]["enum"]) and "entered_by" not in properties
    for group in ("matters", "tracker"):
        assert "entered_on_behalf" in client.get(f"/api/v1/docs/{group}").get_data(as_text=True)
