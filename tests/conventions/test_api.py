"""The convention in the open data: versions with articles, amendments, no personal data."""

from datetime import timedelta

import jsonschema_rs

from app.conventions import residents_assembly
from app.core import clock
from tests.conventions.test_flows import council_adopts, supported_and_admitted

API = "/api/v1/communities/{slug}/convention/"


def validate(client, body, name):
    document = client.get("/api/v1/openapi.json").get_json()
    ref = f"#/components/schemas/{name}"
    validator = jsonschema_rs.validator_for({"$ref": ref, "components": document["components"]})
    for row in body["items"]:
        validator.validate(row)


def test_versions_and_amendments(client, world):
    w = world
    amendment = supported_and_admitted(client, w)
    council_adopts(w, amendment)
    entry = residents_assembly.enter_assembly(
        w.committee,
        w.convention,
        held_on=clock.local_today() - timedelta(days=1),
        place="广场",
        present=50,
        yes=40,
        no=5,
        abstain=5,
    )
    residents_assembly.confirm_assembly(w.chair, entry)
    client.get("/auth/logout")
    base = API.format(slug=w.community.slug)
    versions = client.get(base + "versions").get_json()
    rows = versions["items"]
    assert [v["number"] for v in rows] == [1, 2] and [v["in_force"] for v in rows] == [False, True]
    assert rows[1]["articles"][1] == {"number": 2, "text": "第二条（修订）"}
    assert rows[1]["amendment_ids"] == [amendment.id] and rows[1]["assembly"]["yes"] == 40
    amendments = client.get(base + "amendments").get_json()
    text = str(amendments)
    assert "incorporated" in text
    for private in (w.residents[0].username, w.residents[0].display_name, "1栋1单元101室"):
        assert private not in text and private not in str(versions)
    validate(client, versions, "ConventionVersion")
    validate(client, amendments, "ConventionAmendment")
    assert client.get(base + "versions.csv").status_code == 200


def test_no_convention_is_an_empty_list(client, make):
    community = make.community()
    body = client.get(API.format(slug=community.slug) + "versions").get_json()
    assert body["items"] == [] and body["meta"]["total"] == 0
