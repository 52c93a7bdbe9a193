"""Links are built from the URL map (app.core.urls.path_for), so renaming a route cannot silently break
the links that notifications, notices, the timeline, the feed and the API carry: a renamed endpoint
or argument fails here, and every link such an entry carries resolves to a route."""

import ast
from datetime import timedelta
from pathlib import Path
from xml.etree import ElementTree as ET  # nosec B405

from flask import url_for
from sqlalchemy import select

from app.api.registry import OPERATIONS
from app.communities import services as communities
from app.core import clock
from app.core.urls import absolute_url, path_for
from app.extensions import db
from app.matters import services as matters
from app.matters.models import Stance
from app.notifications.models import Notification
from app.publishing import objections
from app.publishing import services as publishing
from app.publishing.models import Notice, NoticeKind
from app.tracker import timeline
from app.tracker.records import decision_path
from tests.api.helpers import seed

APP = Path(__file__).resolve().parents[2] / "app"
BASE = "http://localhost"


def endpoint_of(app, link):
    """The endpoint a stored or absolute link leads to (it must resolve as a GET)."""
    path = link.removeprefix(BASE).split("#")[0]
    endpoint, _values = app.url_map.bind("").match(path, method="GET")
    return endpoint


def path_for_calls():
    for source in sorted(APP.rglob("*.py")):
        for node in ast.walk(ast.parse(source.read_text(), str(source))):
            if isinstance(node, ast.Call) and getattr(node.func, "id", None) == "path_for":
                yield source.relative_to(APP.parent), node


def test_path_for_builds_stored_paths_without_a_request(app):
    assert path_for("voting.results", slug="xinglin", round_id=3) == "/c/xinglin/rounds/3/results"
    assert path_for("communities.home", slug="xinglin") == "/c/xinglin/"
    assert path_for("tracker.record", slug="x", record_id=2, _anchor="evaluation") == "/c/x/tracker/2#evaluation"
    # Behind a path prefix url_for adds the script root; the stored form does not (absolute_url's base has it).
    with app.test_request_context("/", environ_overrides={"SCRIPT_NAME": "/weiyi"}):
        assert url_for("matters.detail", slug="x", matter_id=1) == "/weiyi/c/x/matters/1"
        assert path_for("matters.detail", slug="x", matter_id=1) == "/c/x/matters/1"


def test_every_path_for_in_the_code_names_a_route_and_its_arguments(app):
    rules = {rule.endpoint: rule for rule in app.url_map.iter_rules()}
    literal = 0
    for where, call in path_for_calls():
        if not (call.args and isinstance(call.args[0], ast.Constant)):
            continue  # a helper passing its endpoint on; its callers are checked at run time below
        literal += 1
        endpoint = call.args[0].value
        assert endpoint in rules, f"{where}:{call.lineno}: no route {endpoint!r}"
        given = {k.arg for k in call.keywords if k.arg and k.arg != "_anchor"}
        spread = any(k.arg is None for k in call.keywords)
        assert given <= rules[endpoint].arguments, f"{where}:{call.lineno}: {given} for {rules[endpoint]}"
        assert spread or rules[endpoint].arguments <= given, f"{where}:{call.lineno}: {given} for {rules[endpoint]}"
    assert literal >= 25


def test_no_community_path_is_written_by_hand():
    hand_built = set()  # an f-string and its first part are both walked: one place
    for source in sorted(APP.rglob("*.py")):
        for node in ast.walk(ast.parse(source.read_text(), str(source))):
            first = node.values[0] if isinstance(node, ast.JoinedStr) and node.values else node
            if isinstance(first, ast.Constant) and isinstance(first.value, str) and first.value.startswith("/c/"):
                hand_built.add(f"{source.relative_to(APP.parent)}:{node.lineno}")
    # Only the blueprint prefix itself (url_prefix=f"/c/<slug>...") may spell the path out.
    assert [where.split(":")[0] for where in hand_built] == ["app/communities/scoping.py"], hand_built


def test_decision_paths_lead_to_minutes_or_results(app):
    assert endpoint_of(app, decision_path("x", meeting_id=4)) == "councils.minutes"
    assert endpoint_of(app, decision_path("x", round_id=5)) == "voting.results"
    assert decision_path("x") is None


def test_every_link_of_notifications_notices_timeline_feed_and_api_resolves(app, client, make):
    seeded = seed(make)
    community, committee, resident = seeded.community, seeded.committee, seeded.resident
    # Notifications of the communities, matters (with a lifecycle transition) and publishing services.
    for name in ("newcomer1", "newcomer2"):
        communities.request_join(make.user(username=name), community, "1号楼")
    pending = communities.pending_requests(community)
    communities.verify(committee, community, pending[0].id)
    communities.decline(committee, community, pending[1].id, "不是本社区居民")
    draft = seeded.matters["draft"]
    matters.submit(seeded.proposer, draft)
    matters.follow(resident, draft)
    matters.add_clarification(seeded.proposer, draft, "两侧都装。")
    comment = matters.add_comment(resident, draft, Stance.SUPPORT, "支持！")
    matters.reply(seeded.proposer, comment, "谢谢。")
    matters.hide_comment(committee, comment, "重复")
    today = clock.local_today()
    notice = publishing.publish_notice(
        committee,
        community,
        NoticeKind.ROUND,
        seeded.round.id,
        period_start=today,
        period_end=today + timedelta(days=7),
    )
    objection = objections.lodge_objection(resident, notice, "预算包含维护吗？")
    objections.answer_objection(committee, notice, objection.id, "包含。")
    objections.reopen_objection(committee, notice, objection.id, "需要补充说明。")

    links = {n.link for n in db.session.scalars(select(Notification))}
    assert len(links) >= 8
    links |= {n.record_path for n in db.session.scalars(select(Notice))}
    for matter in seeded.matters.values():
        if matter.status != "draft":
            events, _supports = timeline.build(matter)
            links |= {event.link for event in events if event.link}
    feed = ET.fromstring(client.get(path_for("publishing.atom_feed", slug=community.slug)).data)  # nosec B314
    links |= {link.get("href") for link in feed.iter("{http://www.w3.org/2005/Atom}link")}
    links |= {entry.text for entry in feed.iter("{http://www.w3.org/2005/Atom}id")}
    values = {
        "slug": community.slug,
        "matter_id": seeded.matters["approved"].id,
        "notice_id": seeded.notice.id,
        "meeting_id": seeded.meeting.id,
        "round_id": seeded.round.id,
        "record_id": seeded.record.id,
        "year": clock.local_today().year,  # the fund's year
    }
    for op in OPERATIONS:
        if op.kind != "csv":
            url = op.full_path.format(**{p.name: values[p.name] for p in op.path_params})
            links |= set(urls_in(client.get(url).get_json()))

    endpoints = {endpoint_of(app, link) for link in links if link}
    assert {
        "communities.members",
        "communities.home",
        "matters.detail",
        "matters.comment_page",
        "publishing.notice",
        "publishing.print_notice",
        "councils.minutes",
        "councils.meeting",
        "voting.ballot",
        "voting.results",
        "tracker.record",
    } <= endpoints


def urls_in(data):
    """Every value of a key ending in "url" in an API response (nested records included)."""
    if isinstance(data, dict):
        for key, value in data.items():
            if key.endswith("url") and isinstance(value, str) and value.startswith(BASE + "/c/"):
                yield value
            else:
                yield from urls_in(value)
    elif isinstance(data, list):
        for value in data:
            yield from urls_in(value)


def test_absolute_links_never_come_from_the_request_host(app, client, make):
    """A forged Host header must not reach QR codes, feeds, the API or e-mails."""
    with app.test_request_context("/", headers={"Host": "weiyi-login.evil.example"}):
        assert absolute_url("/c/xinglin/") == "http://localhost/c/xinglin/"
    app.config["PUBLIC_BASE_URL"] = "https://weiyi.example.org"
    make.community(slug="xinglin")
    feed = client.get("/c/xinglin/feed.atom", headers={"Host": "weiyi-login.evil.example"})
    assert feed.status_code == 200
    assert "evil.example" not in feed.get_data(as_text=True) and "https://weiyi.example.org/c/xinglin" in feed.get_data(
        as_text=True
    )
