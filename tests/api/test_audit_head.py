"""The audit log's head is published wherever the record is: the counted round's results, locked
minutes, the notice and its A4 print, the results overview, the Atom feed and the API (header and
body), so that copies outside the system witness the log (`audit verify --head`)."""

import re
from xml.etree import ElementTree as ET

import pytest

from app.audit.services import head, record
from app.extensions import db
from tests.helpers import login
from tests.publishing import records

FEED_NS = "{urn:weiyi:audit}"


@pytest.fixture
def logged(seeded):
    """A few entries so that the head is not the empty one."""
    for n in range(3):
        record("test.published", object_type="Test", object_id=n)
    db.session.commit()
    return seeded


def page_urls(seeded):
    return {
        "round results": f"/c/xinglin/rounds/{seeded.round.id}/results",
        "locked minutes": f"/c/xinglin/meetings/{seeded.meeting.id}/minutes",
        "notice": f"/c/xinglin/notices/{seeded.notice.id}",
        "notice print": f"/c/xinglin/notices/{seeded.notice.id}/print",
        "results overview": "/c/xinglin/results",
    }


def test_every_published_page_shows_the_head_short_and_in_full(client, logged):
    current = head()
    assert current.entries >= 3
    for name, url in page_urls(logged).items():
        html = client.get(url + "?lang=en").get_data(as_text=True)
        assert f"Audit log as of this page: {current.entries} entries, head {current.short}." in html, name
        assert f"<code>{current.token}</code>" in html, name
        zh = client.get(url + "?lang=zh_Hans").get_data(as_text=True)
        assert "审计日志" in zh and current.token in zh, name


def test_the_page_shows_the_head_of_the_moment(client, logged):
    url = page_urls(logged)["notice"]
    before = head().token
    assert before in client.get(url).get_data(as_text=True)
    record("test.more", object_type="Test", object_id=9)
    db.session.commit()
    html = client.get(url).get_data(as_text=True)
    assert head().token in html and before not in html and head().entries == int(before.split(":")[0]) + 1


def test_draft_minutes_do_not_show_it(client, logged):
    meeting = logged.meeting
    draft = records.held_meeting(
        logged.community,
        logged.matters["collecting"],
        logged.council[0],
        logged.council[1],
        logged.council,
        logged.committee,
        lock=False,
    )
    assert draft.meeting.id != meeting.id
    login(client, logged.council[0])
    response = client.get(f"/c/xinglin/meetings/{draft.meeting.id}/minutes")
    assert (
        response.status_code == 200
        and "Draft" in response.get_data(as_text=True)
        or "草稿" in response.get_data(as_text=True)
    )
    assert "audit-head" not in response.get_data(as_text=True)


def test_the_atom_feed_carries_the_head(client, logged):
    current = head()
    feed = ET.fromstring(client.get("/c/xinglin/feed.atom?lang=en").get_data())
    element = feed.find(f"{FEED_NS}audit-head")
    assert element.get("entries") == str(current.entries) and element.get("hash") == current.hash
    subtitle = feed.find("{http://www.w3.org/2005/Atom}subtitle").text
    assert subtitle == f"Audit log when this feed was made: {current.entries} entries, head {current.token}"


def test_the_api_carries_the_head_in_a_header_and_in_published_records(client, logged):
    current = head()
    expected = {"entries": current.entries, "hash": current.hash, "short": current.short, "token": current.token}
    base = "/api/v1/communities/xinglin"
    for url in (
        "/api/v1/",
        f"{base}/rounds/{logged.round.id}",
        f"{base}/notices/{logged.notice.id}",
        f"{base}/meetings/{logged.meeting.id}/minutes",
    ):
        response = client.get(url)
        assert response.status_code == 200, url
        assert response.headers["Audit-Head"] == current.token, url
        assert response.get_json()["audit_head"] == expected, url
    listed = client.get(f"{base}/rounds").get_json()["items"]
    assert {item["audit_head"]["token"] for item in listed} == {current.token}
    # Every data response has the header, CSV included; CSV columns stay as they were.
    rounds_csv = client.get(f"{base}/rounds.csv")
    assert rounds_csv.headers["Audit-Head"] == current.token and "audit_head" not in rounds_csv.get_data(as_text=True)
    assert client.get(f"{base}/matters").headers["Audit-Head"] == current.token
    assert "Audit-Head" in client.get("/api/v1/").headers["Access-Control-Expose-Headers"]


def test_the_openapi_document_describes_it(client, logged):
    document = client.get("/api/v1/openapi.json").get_json()
    schema = document["components"]["schemas"]["AuditHead"]
    assert set(schema["required"]) == {"entries", "hash", "short", "token"}
    for name in ("Round", "Notice", "Minutes", "Index"):
        assert document["components"]["schemas"][name]["properties"]["audit_head"] == {
            "$ref": "#/components/schemas/AuditHead"
        }
    header = document["paths"]["/api/v1/"]["get"]["responses"]["200"]["headers"]["Audit-Head"]
    assert re.fullmatch(header["schema"]["pattern"], head().token)
