"""The committee removes a member who moved out: with a reason, audited, the member told, their
contributions kept, their rights here ended; they may ask to join again."""

import pytest
from sqlalchemy import select

from app.audit.models import AuditEntry
from app.communities import permissions
from app.communities.models import Membership, MembershipStatus, Role
from app.extensions import db
from app.matters.models import Comment
from app.notifications.models import Notification
from tests.helpers import login
from tests.voting.helpers import make_matters


@pytest.fixture
def world(make):
    community = make.community(slug="xinglin")
    committee = make.member(community, role=Role.COMMITTEE, username="committee")
    mover = make.member(community, username="mover", display_name="搬走的张先生")
    [matter] = make_matters(community, mover, costs=[50_000])
    db.session.add(Comment(matter_id=matter.id, author_id=mover.id, body="我的意见"))
    db.session.commit()
    membership = db.session.scalar(select(Membership).where(Membership.user_id == mover.id))
    return community, committee, mover, membership, matter


def test_committee_removes_a_member_with_a_reason(client, world):
    community, committee, mover, membership, matter = world
    login(client, committee)
    members = client.get("/c/xinglin/members").get_data(as_text=True)
    path = f"/c/xinglin/members/{membership.id}/remove"
    assert f'href="{path}"' in members
    page = client.get(path)
    assert page.status_code == 200 and "搬走的张先生" in page.get_data(as_text=True)
    response = client.post(path, data={"reason": "  "})
    assert response.status_code == 400 and "请填写理由" in response.get_data(as_text=True)
    db.session.refresh(membership)
    assert membership.status == MembershipStatus.VERIFIED
    response = client.post(path, data={"reason": "2026年10月搬离本社区"})
    assert response.status_code == 302
    db.session.refresh(membership)
    assert membership.status == MembershipStatus.REMOVED and membership.end_reason == "2026年10月搬离本社区"
    assert membership.ended_by_id == committee.id and membership.address == ""
    assert not permissions.is_verified_resident(mover, community)
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "membership.removed"))
    assert entry.actor_id == committee.id and entry.data == {"user_id": mover.id, "reason": "2026年10月搬离本社区"}
    note = db.session.scalar(select(Notification).where(Notification.user_id == mover.id))
    assert note.params["reason"] == "2026年10月搬离本社区"
    members = client.get("/c/xinglin/members").get_data(as_text=True)
    assert "搬走的张先生" in members and "2026年10月搬离本社区" in members  # under "members who left"
    # What they wrote stays, under their name.
    assert "我的意见" in client.get(f"/c/xinglin/matters/{matter.id}").get_data(as_text=True)
    # Removed once: the page is refused now.
    assert client.get(path).status_code == 403
    # Back after moving in again: they may ask to join.
    client.post("/auth/logout")
    login(client, mover)
    assert "居委会已将您移出本社区：2026年10月搬离本社区" in client.get("/c/xinglin/").get_data(as_text=True)
    assert client.post("/c/xinglin/join", data={"address": "5栋101室"}).status_code == 302
    db.session.refresh(membership)
    assert membership.status == MembershipStatus.PENDING and membership.end_reason is None


def test_who_may_remove_whom(client, make, world):
    community, committee, mover, membership, _matter = world
    other_committee = make.member(community, role=Role.COMMITTEE, username="committee2")
    other_membership = db.session.scalar(select(Membership).where(Membership.user_id == other_committee.id))
    own = db.session.scalar(select(Membership).where(Membership.user_id == committee.id))
    resident = make.member(community, username="neighbour")
    admin = make.user(admin=True)
    assert permissions.can_remove_member(committee, membership)
    assert permissions.can_remove_member(admin, membership)
    assert not permissions.can_remove_member(resident, membership)
    assert not permissions.can_remove_member(committee, own)  # not oneself
    assert not permissions.can_remove_member(committee, other_membership)  # a committee member: only an admin
    assert permissions.can_remove_member(admin, other_membership)
    login(client, resident)
    path = f"/c/xinglin/members/{membership.id}/remove"
    assert client.get(path).status_code == 403
    assert client.post(path, data={"reason": "恶意"}).status_code == 403
    client.post("/auth/logout")
    login(client, committee)
    assert client.post(f"/c/xinglin/members/{other_membership.id}/remove", data={"reason": "x"}).status_code == 403
    # Another community's membership is not found here.
    beta = make.community(slug="beta")
    stranger = make.member(beta)
    stranger_membership = db.session.scalar(select(Membership).where(Membership.user_id == stranger.id))
    assert client.get(f"/c/xinglin/members/{stranger_membership.id}/remove").status_code == 404
    assert client.get("/c/xinglin/members/99999999999/remove").status_code == 404
    db.session.refresh(membership)
    assert membership.status == MembershipStatus.VERIFIED
