"""Reports on matters and comments, the committee's queue, and blocks on posting."""

from datetime import timedelta

import pytest
from freezegun import freeze_time
from sqlalchemy import func, select

from app.audit.models import AuditEntry
from app.communities.models import Membership, Role
from app.core import clock
from app.extensions import db
from app.matters.models import Comment, MicroMatter
from app.moderation.models import Flag
from app.notifications.models import Notification
from tests.councils.helpers import make_matter
from tests.helpers import login


@pytest.fixture
def world(make):
    community = make.community()
    committee = make.member(community, role=Role.COMMITTEE)
    proposer = make.member(community, display_name="提议人")
    reader = make.member(community, display_name="读者")
    matter = make_matter(community, proposer, status="collecting")
    comment = Comment(matter_id=matter.id, author_id=proposer.id, stance="neutral", body="加我微信 abc123 买优惠券")
    db.session.add(comment)
    db.session.commit()
    return community, committee, proposer, reader, matter, comment


def report(client, community, kind, target_id, follow_redirects=False, **data):
    return client.post(
        f"/c/{community.slug}/report/{kind}/{target_id}",
        data={"reason": "spam", **data},
        follow_redirects=follow_redirects,
    )


def membership(community, user):
    return db.session.scalar(
        select(Membership).where(Membership.community_id == community.id, Membership.user_id == user.id)
    )


def test_a_resident_reports_a_comment_once_and_the_committee_sees_it(client, world):
    community, committee, _proposer, reader, _matter, comment = world
    login(client, reader)
    assert report(client, community, "comment", comment.id, text="广告").status_code == 302
    again = report(client, community, "comment", comment.id, follow_redirects=True)
    assert db.session.scalar(select(func.count(Flag.id))) == 1
    assert "您已经举报过" in again.get_data(as_text=True)
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "flag.raised"))
    assert entry.actor_id is None and "广告" not in str(entry.data)  # the public log names neither reporter nor text
    client.post("/auth/logout")
    login(client, committee)
    page = client.get(f"/c/{community.slug}/moderation/?lang=en").get_data(as_text=True)
    assert "加我微信" in page and "广告" in page and "读者" in page


def test_only_verified_residents_report_and_drafts_cannot_be_reached(client, world, make):
    community, _committee, proposer, _reader, _matter, comment = world
    outsider = make.user()
    login(client, outsider)
    assert report(client, community, "comment", comment.id).status_code == 403
    client.post("/auth/logout")
    draft = make_matter(community, proposer, title="草稿", status="draft")
    login(client, proposer)
    assert client.get(f"/c/{community.slug}/report/matter/{draft.id}").status_code == 404
    assert db.session.scalar(select(func.count(Flag.id))) == 0


def test_only_the_committee_sees_and_closes_the_queue(client, world):
    community, committee, _proposer, reader, _matter, comment = world
    login(client, reader)
    report(client, community, "comment", comment.id)
    assert client.get(f"/c/{community.slug}/moderation/").status_code == 403
    closing = {"outcome": "kept", "note": "不违规"}
    assert client.post(f"/c/{community.slug}/moderation/comment/{comment.id}/close", data=closing).status_code == 403
    client.post("/auth/logout")
    login(client, committee)
    # "hidden" is refused while the comment is still visible.
    client.post(f"/c/{community.slug}/moderation/comment/{comment.id}/close", data={"outcome": "hidden", "note": "x"})
    assert db.session.scalar(select(Flag.pending)) is True
    client.post(f"/c/{community.slug}/moderation/comment/{comment.id}/close", data=closing)
    flag = db.session.scalar(select(Flag))
    assert (flag.pending, flag.outcome, flag.note) == (None, "kept", "不违规")
    # A closed flag does not stop a new report by the same person.
    client.post("/auth/logout")
    login(client, reader)
    report(client, community, "comment", comment.id)
    assert db.session.scalar(select(func.count(Flag.id))) == 2


def test_a_block_stops_posting_until_its_end_and_the_resident_is_told_why(client, world):
    community, committee, proposer, _reader, matter, _comment = world
    target = membership(community, proposer)
    login(client, committee)
    response = client.post(
        f"/c/{community.slug}/moderation/block/{target.id}", data={"days": "7", "reason": "多次发布广告"}
    )
    assert response.status_code == 302
    note = db.session.scalar(
        select(Notification).where(Notification.user_id == proposer.id).order_by(Notification.id.desc())
    )
    assert note is not None
    client.post("/auth/logout")
    login(client, proposer)
    refused = client.get(f"/c/{community.slug}/matters/new")
    assert refused.status_code == 403 and "多次发布广告" in refused.get_data(as_text=True)
    client.post(f"/c/{community.slug}/matters/{matter.id}/comments", data={"stance": "support", "body": "再发一条"})
    assert db.session.scalar(select(func.count(Comment.id))) == 1
    page = client.get(f"/c/{community.slug}/matters/{matter.id}").get_data(as_text=True)
    assert "多次发布广告" in page
    with freeze_time(clock.utcnow() + timedelta(days=8)):
        login(client, proposer)  # the session of a week ago has expired
        assert client.get(f"/c/{community.slug}/matters/new").status_code == 200
    assert db.session.scalar(select(AuditEntry).where(AuditEntry.action == "membership.posting_blocked")) is not None


def test_the_committee_cannot_block_its_own_and_a_lifted_block_frees_posting(client, world, make):
    community, committee, proposer, _reader, _matter, _comment = world
    other_committee = make.member(community, role=Role.COMMITTEE)
    login(client, committee)
    own = membership(community, other_committee)
    assert (
        client.post(f"/c/{community.slug}/moderation/block/{own.id}", data={"days": "3", "reason": "x"}).status_code
        == 403
    )
    target = membership(community, proposer)
    bad = client.post(f"/c/{community.slug}/moderation/block/{target.id}", data={"days": "0", "reason": ""})
    assert bad.status_code == 400
    db.session.refresh(target)
    assert target.posting_blocked_until is None
    client.post(f"/c/{community.slug}/moderation/block/{target.id}", data={"days": "3", "reason": "刷屏"})
    client.post(f"/c/{community.slug}/moderation/unblock/{target.id}")
    db.session.refresh(target)
    assert target.posting_blocked_until is None
    client.post("/auth/logout")
    login(client, proposer)
    assert client.get(f"/c/{community.slug}/matters/new").status_code == 200
    assert db.session.get(MicroMatter, _matter.id) is not None


# ---------------------------------------------------------------- hiding a micro-matter


def hide(client, community, matter, reason="含有他人电话号码"):
    return client.post(f"/c/{community.slug}/moderation/matters/{matter.id}/hide", data={"reason": reason})


def test_a_hidden_matter_leaves_lists_and_totals_and_its_page_says_why(client, world, make):
    community, committee, proposer, reader, matter, _comment = world
    matter.description_html = "<p>联系人电话 13800001111</p>"
    db.session.commit()
    login(client, committee)
    assert hide(client, community, matter, reason="").status_code == 400
    assert hide(client, community, matter).status_code == 302
    db.session.refresh(matter)
    assert matter.status == "hidden"
    assert db.session.scalar(select(AuditEntry).where(AuditEntry.action == "matter.hide")).data["reason"]
    told = db.session.scalars(select(Notification.user_id)).all()
    assert proposer.id in told
    client.post("/auth/logout")
    login(client, reader)
    page = client.get(f"/c/{community.slug}/matters/{matter.id}").get_data(as_text=True)
    assert "含有他人电话号码" in page and "13800001111" not in page and matter.title not in page
    assert matter.title not in client.get(f"/c/{community.slug}/matters/").get_data(as_text=True)
    api = client.get(f"/api/v1/communities/{community.slug}/matters").get_json()
    assert matter.id not in [m["id"] for m in api["items"]]
    assert client.post(f"/c/{community.slug}/matters/{matter.id}/support").status_code in (302, 400, 403)
    assert db.session.get(MicroMatter, matter.id).support_count == 20
    client.post("/auth/logout")
    login(client, proposer)
    assert "13800001111" in client.get(f"/c/{community.slug}/matters/{matter.id}").get_data(as_text=True)


def test_showing_it_again_resumes_the_collection(client, world):
    community, committee, _proposer, reader, matter, _comment = world
    login(client, committee)
    hide(client, community, matter)
    client.post(f"/c/{community.slug}/moderation/matters/{matter.id}/unhide")
    db.session.refresh(matter)
    assert matter.status == "collecting"
    client.post("/auth/logout")
    login(client, reader)
    assert matter.title in client.get(f"/c/{community.slug}/matters/").get_data(as_text=True)


def test_only_the_committee_hides_and_only_while_it_collects(client, world, make):
    community, committee, proposer, reader, matter, _comment = world
    login(client, reader)
    assert hide(client, community, matter).status_code == 403
    client.post("/auth/logout")
    decided = make_matter(community, proposer, title="已列入议事清单", status="on_agenda")
    login(client, committee)
    hide(client, community, decided)
    db.session.refresh(decided)
    assert decided.status == "on_agenda"
