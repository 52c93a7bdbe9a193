"""The community's WeCom group robot: set by the committee (validated, masked, audited, never in the
API), and new notices, meeting notices and results posted to the group by the worker, against a fake
robot on 127.0.0.1."""

from datetime import timedelta
from types import SimpleNamespace

import pytest
from sqlalchemy import select

from app.audit.models import AuditEntry
from app.communities import group_robot
from app.communities.models import Role
from app.core.clock import utcnow
from app.core.errors import DomainError, FieldError
from app.councils import votes
from app.extensions import db
from app.notifications import outbox, wecom
from app.notifications.models import GroupWebhook, Outbox, OutboxStatus
from app.voting import counting
from tests.councils.helpers import debate, make_matter, open_meeting, schedule
from tests.helpers import login
from tests.publishing.helpers import accepted_record, publish
from tests.voting.helpers import close, make_matters, open_round

from .fake_http import Answer, FakeService

KEY = "693a91f6-7xxx-4bc4-97a0-0ec2sifa5aaa"
WEBHOOK = f"https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key={KEY}"
OK = Answer(body={"errcode": 0, "errmsg": "ok"})


@pytest.fixture
def robot(app):
    app.config["WECOM_ALLOW_LOOPBACK"] = True
    with FakeService(default=OK) as fake:
        yield fake


@pytest.fixture
def place(app, make):
    community = make.community(slug="xinglin", seconders_needed=1, notice_days=3)
    committee = make.member(community, role=Role.COMMITTEE, username="committee", display_name="周主任")
    resident = make.member(community, username="resident", display_name="居民甲")
    return community, committee, resident


def connect(community, committee, robot):
    group_robot.set_group_robot(committee, community, robot.url + "/cgi-bin/webhook/send?key=test")


def posts():
    db.session.expire_all()
    return db.session.scalars(select(Outbox).where(Outbox.channel == "wecom").order_by(Outbox.id)).all()


# ---------------------------------------------------------------- the address (pure)


def test_only_wecoms_own_webhook_address_in_production():
    assert wecom.check_url(f"  {WEBHOOK} ") == WEBHOOK
    for wrong in (
        WEBHOOK.replace("https", "http"),
        WEBHOOK.replace("qyapi.weixin.qq.com", "qyapi.weixin.qq.com.evil.example"),
        WEBHOOK.replace("/send", "/upload_media"),
        WEBHOOK + "&debug=1",
        WEBHOOK + "#x",
        "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=",
        "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=../../x",
        "http://127.0.0.1:8080/cgi-bin/webhook/send?key=test",
        "file:///etc/passwd",
        "",
    ):
        with pytest.raises(FieldError):
            wecom.check_url(wrong)


def test_loopback_only_when_the_setting_allows_it():
    for local in ("http://127.0.0.1:8080/hook", "http://localhost:9/x?key=1", "http://[::1]:80/"):
        assert wecom.check_url(local, allow_loopback=True) == local
    with pytest.raises(FieldError):
        wecom.check_url("http://10.0.0.1/hook", allow_loopback=True)


def test_masked_shows_only_the_end_of_the_key():
    shown = wecom.masked(WEBHOOK)
    assert shown == "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=****5aaa"
    assert KEY[:-4] not in shown


# ---------------------------------------------------------------- the settings page


def test_the_committee_sets_the_robot_on_the_settings_page(client, place):
    community, committee, _resident = place
    login(client, committee)
    assert client.get("/c/xinglin/").get_data(as_text=True).count("/c/xinglin/settings") == 1
    page = client.get("/c/xinglin/settings")
    assert page.status_code == 200
    refused = client.post("/c/xinglin/settings", data={"url": "https://example.org/hook?key=abcdefgh"})
    assert refused.status_code == 400 and db.session.scalar(select(GroupWebhook)) is None
    assert "https://example.org/hook?key=abcdefgh" in refused.get_data(as_text=True)  # the text is kept
    saved = client.post("/c/xinglin/settings", data={"url": WEBHOOK})
    assert saved.status_code == 302
    hook = db.session.scalar(select(GroupWebhook))
    assert (hook.community_id, hook.url, hook.set_by_id) == (community.id, WEBHOOK, committee.id)
    html = client.get("/c/xinglin/settings").get_data(as_text=True)
    assert "****5aaa" in html and KEY not in html
    entries = db.session.scalars(select(AuditEntry).where(AuditEntry.action.like("community.group_robot%"))).all()
    assert [e.action for e in entries] == ["community.group_robot_set"]
    assert KEY not in str(entries[0].data) and entries[0].community_id == community.id
    client.post("/c/xinglin/settings", data={"url": WEBHOOK})  # the same again: nothing changed
    assert client.post("/c/xinglin/settings/group-robot/remove").status_code == 302
    assert db.session.scalar(select(GroupWebhook)) is None
    actions = db.session.scalars(
        select(AuditEntry.action).where(AuditEntry.action.like("community.group_robot%")).order_by(AuditEntry.id)
    ).all()
    assert actions == ["community.group_robot_set", "community.group_robot_removed"]


def test_residents_may_not_set_it(client, place):
    community, _committee, resident = place
    login(client, resident)
    assert client.get("/c/xinglin/settings").status_code == 403
    assert client.post("/c/xinglin/settings", data={"url": WEBHOOK}).status_code == 403
    with pytest.raises(DomainError):
        group_robot.set_group_robot(resident, community, WEBHOOK)
    assert db.session.scalar(select(GroupWebhook)) is None


def test_the_key_is_never_in_the_api(client, place):
    community, committee, _resident = place
    group_robot.set_group_robot(committee, community, WEBHOOK)
    for path in ("/api/v1/communities", "/api/v1/communities/xinglin"):
        response = client.get(path)
        assert response.status_code == 200 and "xinglin" in response.get_data(as_text=True)
        assert KEY not in response.get_data(as_text=True) and "qyapi" not in response.get_data(as_text=True)


# ---------------------------------------------------------------- posting, through the worker only


def test_a_meeting_notice_is_posted_by_the_worker_with_its_absolute_link(app, place, robot, make):
    community, committee, _resident = place
    chair = make.member(community, role=Role.CHAIR, username="chair")
    members = [make.member(community, role=Role.COUNCIL_MEMBER) for _ in range(3)]
    make_matter(community, _resident)
    connect(community, committee, robot)
    c = SimpleNamespace(committee=committee, community=community, chair=chair, council=[chair, *members])
    meeting = schedule(c)
    (post,) = posts()
    assert post.status == OutboxStatus.PENDING and robot.received == []  # not inside the request
    assert app.test_cli_runner().invoke(args=["outbox", "send"]).exit_code == 0
    (request,) = robot.received
    assert request.path == "/cgi-bin/webhook/send?key=test"
    content = request.json["text"]["content"]
    assert request.json["msgtype"] == "text"
    assert content.startswith(f"【{community.name}】") and "第1次议事会" in content and "社区活动室" in content
    assert content.endswith(f"http://localhost/c/xinglin/meetings/{meeting.id}")
    assert posts()[0].status == OutboxStatus.SENT and posts()[0].transport == "wecom"


def test_a_published_notice_is_posted(app, place, robot, make):
    community, committee, proposer = place
    connect(community, committee, robot)
    world = SimpleNamespace(committee=committee, community=community)
    world.record = accepted_record(community, committee, proposer)
    notice = publish(world)
    outbox.deliver()
    content = robot.received[-1].json["text"]["content"]
    assert notice.title in content and content.endswith(f"http://localhost/c/xinglin/notices/{notice.id}")


def test_a_council_decision_is_posted(app, place, robot, make):
    community, committee, resident = place
    chair = make.member(community, role=Role.CHAIR, username="chair")
    members = [make.member(community, role=Role.COUNCIL_MEMBER) for _ in range(4)]
    matter = make_matter(community, resident, title="加装楼道扶手")
    c = SimpleNamespace(
        committee=committee, community=community, chair=chair, members=members, council=[chair, *members]
    )
    meeting = open_meeting(c, present=4)
    item, motion = debate(c, meeting)
    connect(community, committee, robot)
    vote = votes.open_vote(chair, meeting, motion, "named")
    for member in (members[0], members[1], chair):
        votes.cast_vote(member, meeting, vote, "yes")
    votes.close_vote(chair, meeting, vote)
    (post,) = posts()
    assert "加装楼道扶手" in post.body and post.body.endswith(f"/c/xinglin/matters/{matter.id}")


def test_no_robot_no_post(place, make):
    community, committee, resident = place
    chair = make.member(community, role=Role.CHAIR, username="chair")
    make_matter(community, resident)
    schedule(SimpleNamespace(committee=committee, community=community, chair=chair))
    assert posts() == []


def test_failures_are_retried_and_a_refusal_for_good_fails(place, robot):
    community, committee, _resident = place
    connect(community, committee, robot)
    robot.answers = [Answer(502, {}), Answer(200, {"errcode": 45009, "errmsg": "api freq out of limit"})]
    wecom.announce(community, wecom.COUNCIL_DECIDED, "/c/xinglin/", title="扶手", status="approved")
    db.session.commit()
    assert outbox.deliver()["retry"] == 1
    (post,) = posts()
    assert post.status == OutboxStatus.RETRYING and post.last_error == "RuntimeError: HTTP 502 from the group robot"
    post.next_attempt_at = utcnow() - timedelta(seconds=1)
    db.session.commit()
    assert outbox.deliver()["retry"] == 1 and "45009" in posts()[0].last_error
    posts()[0].next_attempt_at = utcnow() - timedelta(seconds=1)
    db.session.commit()
    assert outbox.deliver()["sent"] == 1
    robot.answers = [Answer(200, {"errcode": 93000, "errmsg": "invalid webhook url"})]
    wecom.announce(community, wecom.COUNCIL_DECIDED, "/c/xinglin/", title="扶手", status="approved")
    db.session.commit()
    assert outbox.deliver()["failed"] == 1
    assert posts()[1].status == OutboxStatus.FAILED and "93000" in posts()[1].last_error
    assert "key=" not in posts()[1].last_error  # the address holds the secret key: never in an error


def test_a_post_for_a_removed_robot_is_skipped(place, robot):
    community, committee, _resident = place
    connect(community, committee, robot)
    wecom.announce(community, wecom.COUNCIL_DECIDED, "/c/xinglin/", title="扶手", status="approved")
    group_robot.remove_group_robot(committee, community)
    assert outbox.deliver()["skipped"] == 1
    assert posts()[0].status == OutboxStatus.SKIPPED and robot.received == []


def test_a_timeout_is_retried(place, robot, app):
    community, committee, _resident = place
    app.config["WECOM_TIMEOUT"] = 0.2
    robot.answers = [Answer(200, OK.body, delay=1.0)]
    connect(community, committee, robot)
    wecom.announce(community, wecom.COUNCIL_DECIDED, "/c/xinglin/", title="扶手", status="approved")
    db.session.commit()
    assert outbox.deliver()["retry"] == 1
    assert "timed out" in posts()[0].last_error


def test_a_rounds_results_are_posted_when_counted(place, robot):
    community, committee, resident = place
    voting_round = open_round(committee, community, make_matters(community, resident, costs=[50_000, 80_000]))
    connect(community, committee, robot)
    close(voting_round)
    counting.count_round(committee, voting_round)
    (post,) = posts()
    assert "2026年微实事投票" in post.body
    assert post.body.endswith(f"http://localhost/c/xinglin/rounds/{voting_round.id}/results")
