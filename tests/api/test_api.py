"""The open data API over HTTP: every endpoint, pagination, filters, errors, CSV, and the
promise that no private field or value of any account leaves through it."""

import csv
import io

import jsonschema_rs
import pytest
from sqlalchemy import select

from app.api.registry import OPERATIONS
from app.core import clock
from app.extensions import db
from app.voting.models import RoundBallot, RoundParticipation
from tests.once_per_module import once_per_module
from tests.security.headers import csp_blocked_markup

from .helpers import PRIVATE_ADDRESS, PRIVATE_EMAIL, PRIVATE_PHONE

PRIVATE_KEYS = {
    "username",
    "phone",
    "password",
    "password_hash",
    "email",
    "address",
    "display_name",
    "proposer",
    "proposer_id",
    "author",
    "author_id",
    "user",
    "user_id",
    "voter",
    "voter_id",
    "session_token",
    "contact",
}


@pytest.fixture
def seeded(request, app):
    """conftest.py's seeded community, built once for this module's tests."""
    return once_per_module(request)


@pytest.fixture
def document(client, seeded):
    return client.get("/api/v1/openapi.json").get_json()


def validator(document, ref):
    """A JSON Schema validator for one component of the served document (refs resolve inside it)."""
    return jsonschema_rs.validator_for({"$ref": ref, "components": document["components"]})


def response_ref(document, path):
    return document["paths"][path]["get"]["responses"]["200"]["content"]["application/json"]["schema"]["$ref"]


def path_values(seeded):
    """Values for every path parameter any operation declares (add new ones here)."""
    return {
        "slug": seeded.community.slug,
        "matter_id": seeded.matters["approved"].id,
        "notice_id": seeded.notice.id,
        "meeting_id": seeded.meeting.id,
        "round_id": seeded.round.id,
        "record_id": seeded.record.id,
        "year": clock.local_today().year,  # the fund's year
    }


def every_url(seeded):
    values = path_values(seeded)
    for op in OPERATIONS:
        yield op, op.full_path.format(**{p.name: values[p.name] for p in op.path_params})


def test_every_endpoint_answers_and_fits_its_document(client, seeded, document):
    assert document["openapi"].startswith("3.1")
    for op, url in every_url(seeded):
        response = client.get(url)
        assert response.status_code == 200, (url, response.get_data(as_text=True))
        assert response.headers["Access-Control-Allow-Origin"] == "*"
        if op.kind == "csv":
            assert response.mimetype == "text/csv"
            continue
        assert response.mimetype == "application/json"
        validator(document, response_ref(document, op.full_path)).validate(response.get_json())


def test_the_document_lists_every_operation_and_only_get(document):
    assert set(document["paths"]) == {op.full_path for op in OPERATIONS}
    for item in document["paths"].values():
        assert set(item) == {"get"}
    # The documented examples fit the schemas they illustrate.
    for path, item in document["paths"].items():
        content = item["get"]["responses"]["200"]["content"]
        if "application/json" in content:
            validator(document, content["application/json"]["schema"]["$ref"]).validate(
                content["application/json"]["example"]
            )


def walk(value, path="$"):
    if isinstance(value, dict):
        for key, child in value.items():
            yield path, key, None
            yield from walk(child, f"{path}.{key}")
    elif isinstance(value, list):
        for i, child in enumerate(value):
            yield from walk(child, f"{path}[{i}]")
    else:
        yield path, None, value


def test_no_private_field_or_value_leaks(client, seeded):
    people = [seeded.proposer, seeded.committee, seeded.resident, *seeded.council]
    secret_values = [
        PRIVATE_PHONE,
        PRIVATE_EMAIL,
        PRIVATE_ADDRESS,
        "password123",
        "13700001111",
        *(p.display_name for p in people),
        *(p.username for p in people if p.username.isdigit()),
    ]
    usernames = {p.username for p in people}
    for op, url in every_url(seeded):
        body = client.get(url).get_data(as_text=True)
        for secret in secret_values:
            assert secret not in body, (url, secret)
        if op.kind == "csv":
            header = next(csv.reader(io.StringIO(body.lstrip("\ufeff"))))
            assert not PRIVATE_KEYS & set(header), (url, header)
            continue
        for where, key, value in walk(client.get(url).get_json()):
            assert key not in PRIVATE_KEYS, (url, where, key)
            assert value not in usernames, (url, where, value)


def test_drafts_are_private(client, seeded):
    items = client.get("/api/v1/communities/xinglin/matters?per_page=100").get_json()["items"]
    titles = {m["title"] for m in items}
    assert "征集项目" in titles and "草稿项目" not in titles
    draft = seeded.matters["draft"]
    response = client.get(f"/api/v1/communities/xinglin/matters/{draft.id}")
    assert response.status_code == 404
    assert response.get_json()["status"] == 404
    assert "草稿项目" not in client.get("/api/v1/communities/xinglin/matters.csv").get_data(as_text=True)


def test_pagination_links_follow_through_every_page(client, seeded):
    url = "/api/v1/communities/xinglin/matters?per_page=2"
    seen = []
    pages = 0
    while url:
        body = client.get(url).get_json()
        pages += 1
        seen += [m["id"] for m in body["items"]]
        assert body["meta"]["per_page"] == 2
        url = body["links"]["next"]
    assert pages == 3 and body["meta"]["pages"] == 3 and body["meta"]["total"] == 5
    assert seen == sorted(seen) and len(set(seen)) == 5
    assert body["links"]["prev"].endswith("page=2&per_page=2")
    first = client.get(body["links"]["first"]).get_json()
    assert first["links"]["prev"] is None and first["items"][0]["id"] == seen[0]
    beyond = client.get("/api/v1/communities/xinglin/matters?page=9").get_json()
    assert beyond["items"] == [] and beyond["links"]["next"] is None


def test_filters_keep_in_the_links(client, seeded):
    body = client.get("/api/v1/communities/xinglin/matters?status=approved&per_page=1").get_json()
    assert [m["status"] for m in body["items"]] == ["approved"]
    assert "status=approved" in body["links"]["self"]
    body = client.get("/api/v1/communities/xinglin/matters?category=elderly").get_json()
    assert {m["category"] for m in body["items"]} == {"elderly"} and body["meta"]["total"] == 2
    assert client.get("/api/v1/communities/xinglin/notices?kind=decision").get_json()["items"] == []


@pytest.mark.parametrize(
    "query",
    [
        "page=0",
        "page=abc",
        "page=",
        "per_page=101",
        "per_page=-1",
        "page=1e3",
        "status=draft",
        "status=bogus",
        "category=",
        "page=99999999999999",
    ],
)
def test_bad_parameters_get_a_json_400(client, seeded, query):
    response = client.get(f"/api/v1/communities/xinglin/matters?{query}")
    assert response.status_code == 400
    body = response.get_json()
    assert body["status"] == 400 and body["error"]


@pytest.mark.parametrize(
    "url",
    [
        "/api/v1/communities/nowhere",
        "/api/v1/communities/nowhere/matters",
        "/api/v1/communities/nowhere/matters.csv",
        "/api/v1/communities/xinglin/matters/0",
        "/api/v1/communities/xinglin/matters/99999999999",
        "/api/v1/nothing-here",
        "/api/v1/communities/xinglin/notices/999",
    ],
)
def test_missing_things_get_a_json_404(client, seeded, url):
    response = client.get(url)
    assert response.status_code == 404
    assert response.get_json()["status"] == 404


def test_matter_of_another_community_is_not_found(client, seeded):
    matter_id = seeded.matters["approved"].id
    assert client.get(f"/api/v1/communities/empty-village/matters/{matter_id}").status_code == 404


def test_only_get(client, seeded):
    response = client.post("/api/v1/communities")
    assert response.status_code == 405
    assert "GET" in response.headers["Allow"]
    assert response.get_json()["status"] == 405


def test_csv_is_utf8_with_bom_streamed_and_safe_for_spreadsheets(client, seeded):
    response = client.get("/api/v1/communities/xinglin/matters.csv")
    assert response.is_streamed
    assert response.headers["Content-Disposition"].startswith("attachment;")
    raw = response.get_data()
    assert raw.startswith(b"\xef\xbb\xbf")
    rows = list(csv.DictReader(io.StringIO(raw.decode("utf-8-sig"))))
    assert len(rows) == 5
    approved = next(r for r in rows if r["status"] == "approved")
    assert approved["title"] == "通过项目" and approved["estimated_cost"] == "8000"
    assert approved["url"].endswith(f"/c/xinglin/matters/{seeded.matters['approved'].id}")
    formula = next(r for r in rows if r["status"] == "closed")
    assert formula["title"] == '\'=HYPERLINK("http://evil")'  # not run as a formula
    # The JSON keeps the value as it is.
    body = client.get(f"/api/v1/communities/xinglin/matters/{seeded.matters['=formula'].id}").get_json()
    assert body["title"] == '=HYPERLINK("http://evil")'


def test_communities_carry_headline_figures(client, seeded):
    body = client.get("/api/v1/communities/xinglin").get_json()
    # collecting, approved, rejected, completed, closed are proposed; the draft is not.
    assert body["figures"]["proposed"] == 5
    assert body["figures"]["decided"] == 4  # approved, rejected, completed, closed
    assert body["figures"]["completed"] == 2  # completed, closed
    csv_text = client.get("/api/v1/communities.csv").get_data(as_text=True)
    assert "figures_proposed" in csv_text.splitlines()[0]


def test_notice_json_has_facts_objections_and_answers_without_names(client, seeded):
    body = client.get(f"/api/v1/communities/xinglin/notices/{seeded.notice.id}?lang=en").get_json()
    assert body["kind"] == "acceptance" and body["period_state"] == "open"
    assert body["summary"] == "“完工项目” was completed and accepted."
    assert body["facts"] == [{"label": "Approved budget", "value": "CN¥8,000"}]
    assert body["table"]["columns"] == ["Milestone", "Done on"]
    assert body["objections"][0]["answer"] == "按规范安装在90厘米。"
    assert body["unanswered_objections"] == 0
    assert body["matter_ids"] == [seeded.matters["completed"].id]
    assert body["print_url"].endswith(f"/notices/{seeded.notice.id}/print")


def test_docs_pages_list_every_endpoint_with_examples_without_scripts(client, seeded):
    from app.api.routes import TAGS

    overview = client.get("/api/v1/docs")
    html = overview.get_data(as_text=True)
    assert overview.status_code == 200 and overview.mimetype == "text/html"
    assert "/api/v1/openapi.json" in html and "per_page" in html
    for op in OPERATIONS:
        assert f"GET {op.full_path}" in html
    assert len(overview.get_data()) < 50_000  # the page budget
    for tag in TAGS:
        response = client.get(f"/api/v1/docs/{tag}")
        page = response.get_data(as_text=True)
        assert response.status_code == 200, tag
        assert csp_blocked_markup(page) == []  # scripts only as files
        assert len(response.get_data()) < 50_000, tag
        for op in OPERATIONS:
            if op.tag == tag:
                assert f'id="{op.endpoint}"' in page
                if op.kind != "csv":
                    assert "Example response" in page or "示例" in page
    assert client.get("/api/v1/docs/nothing").status_code == 404


def test_minutes_only_once_locked(client, seeded):
    url = f"/api/v1/communities/xinglin/meetings/{seeded.meeting.id}/minutes"
    body = client.get(url).get_json()
    assert body["items"][0]["motions"][0]["vote"]["yes"] == 4 and body["rules"]["majority_rule"] == "simple"
    assert body["attended"] == 5 and body["corrections"] == []
    upcoming = client.get(f"/api/v1/communities/xinglin/meetings/{seeded.upcoming.id}/minutes")
    assert upcoming.status_code == 404 and upcoming.get_json()["status"] == 404
    meeting = client.get(f"/api/v1/communities/xinglin/meetings/{seeded.upcoming.id}").get_json()
    assert meeting["minutes_locked"] is False and meeting["minutes_url"] is None
    assert meeting["quorum_at_opening"] is None
    # Minutes that exist but are not locked yet stay private.
    from tests.publishing.records import held_meeting

    draft = held_meeting(
        seeded.community,
        seeded.matters["rejected"],
        seeded.council[0],
        seeded.council[1],
        seeded.council,
        seeded.committee,
        lock=False,
    )
    assert draft.minutes.locked_at is None
    assert client.get(f"/api/v1/communities/xinglin/meetings/{draft.meeting.id}/minutes").status_code == 404


def test_meeting_filters_and_decisions(client, seeded):
    closed = client.get("/api/v1/communities/xinglin/meetings?status=closed").get_json()["items"]
    assert [m["id"] for m in closed] == [seeded.meeting.id]
    assert closed[0]["items"][0]["outcome"] == "approve" and closed[0]["minutes_locked"] is True
    decisions = client.get("/api/v1/communities/xinglin/decisions").get_json()["items"]
    assert decisions[0]["matter_id"] == seeded.matters["approved"].id
    assert decisions[0]["passed"] is True and decisions[0]["needed"] == 3 and decisions[0]["kind"] == "approve"
    agenda = client.get("/api/v1/communities/xinglin/agenda").get_json()["items"]
    assert agenda[0]["meeting_ids"] == [seeded.meeting.id]


def test_ballots_are_anonymous_sorted_by_random_id_and_only_after_the_count(client, seeded):
    body = client.get(f"/api/v1/communities/xinglin/rounds/{seeded.round.id}/ballots").get_json()
    ids = [b["id"] for b in body["items"]]
    assert ids == sorted(db.session.scalars(select(RoundBallot.id).where(RoundBallot.round_id == seeded.round.id)))
    assert len(ids) == 7
    assert set(body["items"][0]) == {"id", "choices", "selected"}
    assert {b["choices"] for b in body["items"]} == {"1", "1,2"}
    text = client.get(f"/api/v1/communities/xinglin/rounds/{seeded.round.id}/ballots.csv").get_data(as_text=True)
    rows = list(csv.reader(io.StringIO(text.lstrip("\ufeff"))))
    assert rows[0] == ["id", "choices", "selected"] and len(rows) == 8
    assert [int(r[0]) for r in rows[1:]] == ids
    codes = db.session.scalars(select(RoundParticipation.receipt_code)).all()
    assert codes and not any(code in text or code in str(body) for code in codes)  # receipts are not published
    for url in (
        f"/api/v1/communities/xinglin/rounds/{seeded.open_round.id}/ballots",
        f"/api/v1/communities/xinglin/rounds/{seeded.open_round.id}/ballots.csv",
        f"/api/v1/communities/empty-village/rounds/{seeded.round.id}/ballots",
    ):
        response = client.get(url)
        assert response.status_code == 404 and response.get_json()["status"] == 404
    pending = client.get(f"/api/v1/communities/xinglin/rounds/{seeded.open_round.id}").get_json()
    assert pending["result"] is None and pending["options"][0]["votes"] is None
    assert pending["state"] == "open"


def test_implementations_and_ratings_without_names_or_contacts(client, seeded):
    body = client.get(f"/api/v1/communities/xinglin/implementations/{seeded.record.id}").get_json()
    assert body["satisfaction"]["ratings"] == 7 and body["spent"] == 7600
    assert "contact" not in body
    ratings = client.get(f"/api/v1/communities/xinglin/ratings?record_id={seeded.record.id}").get_json()
    assert ratings["meta"]["total"] == 7
    assert set(ratings["items"][0]) == {
        "record_id",
        "matter_id",
        "window",
        "stars",
        "comment",
        "entered_on_behalf",
        "channel",
    }
    assert (ratings["items"][0]["entered_on_behalf"], ratings["items"][0]["channel"]) == (False, None)
    assert client.get("/api/v1/communities/xinglin/ratings?record_id=999").get_json()["items"] == []
    assert client.get("/api/v1/communities/xinglin/implementations?state=closed").get_json()["items"] == []


@pytest.mark.parametrize(
    "method, choices",
    [("approval", [3, 1]), ("knapsack", [2]), ("approval", []), ("yes_no", [[2, "no"], [1, "yes"], [3, "abstain"]])],
)
def test_ballot_cells_are_the_published_files_form(method, choices):
    from app.api.voting import ballot_cells
    from app.voting import tally

    text, selected = ballot_cells(method, choices)
    assert text == tally.canonical(method, choices)
    assert selected == ([1] if method == "yes_no" else sorted(choices))
