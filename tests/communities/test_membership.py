"""Communities, joining, the committee's verification, roles, admin pages."""

import re

from sqlalchemy import select

from app.audit.models import AuditEntry
from app.communities import permissions
from app.communities.models import Community, Membership, MembershipStatus, Role
from app.extensions import db
from app.notifications.models import Notification
from tests.helpers import login


def test_community_home_is_public(client, make):
    community = make.community(slug="xinglin")
    response = client.get("/c/xinglin/")
    assert response.status_code == 200
    assert community.name in response.get_data(as_text=True)
    assert client.get("/c/nowhere/").status_code == 404


def test_resident_asks_to_join_and_committee_verifies(client, make):
    community = make.community()
    committee = make.member(community, role=Role.COMMITTEE)
    resident = make.user()
    login(client, resident)
    response = client.post(f"/c/{community.slug}/join", data={"address": "3栋2单元401室"})
    assert response.status_code == 302
    membership = db.session.scalar(select(Membership).where(Membership.user_id == resident.id))
    assert membership.status == MembershipStatus.PENDING
    assert db.session.scalar(select(Notification).where(Notification.user_id == committee.id))
    assert not permissions.is_verified_resident(resident, community)
    # asking twice is refused politely
    response = client.post(f"/c/{community.slug}/join", data={"address": "again"})
    assert response.status_code == 400 and "您已申请加入该社区" in response.get_data(as_text=True)

    client.post("/auth/logout")
    login(client, committee)
    page = client.get(f"/c/{community.slug}/members").get_data(as_text=True)
    assert "3栋2单元401室" in page
    response = client.post(f"/c/{community.slug}/members", data={"action": "verify", "membership_id": membership.id})
    assert response.status_code == 302
    db.session.refresh(membership)
    assert membership.status == MembershipStatus.VERIFIED
    assert permissions.is_verified_resident(resident, community)
    note = db.session.scalars(select(Notification).where(Notification.user_id == resident.id)).all()
    assert note
    actions = set(db.session.scalars(select(AuditEntry.action)))
    assert {"membership.requested", "membership.verified"} <= actions


def test_decline_needs_a_reason_and_tells_the_person(client, make):
    community = make.community()
    committee = make.member(community, role=Role.COMMITTEE)
    resident = make.user()
    membership = Membership(user_id=resident.id, community_id=community.id)
    db.session.add(membership)
    db.session.commit()
    login(client, committee)
    client.post(
        f"/c/{community.slug}/members", data={"action": "decline", "membership_id": membership.id, "reason": ""}
    )
    db.session.refresh(membership)
    assert membership.status == MembershipStatus.PENDING
    client.post(
        f"/c/{community.slug}/members",
        data={"action": "decline", "membership_id": membership.id, "reason": "不在居民登记册上"},
    )
    db.session.refresh(membership)
    assert membership.status == MembershipStatus.DECLINED
    client.post("/auth/logout")
    login(client, resident)
    assert "不在居民登记册上" in client.get(f"/c/{community.slug}/").get_data(as_text=True)
    # a declined person may ask again
    assert client.post(f"/c/{community.slug}/join", data={"address": "补充材料"}).status_code == 302
    db.session.refresh(membership)
    assert membership.status == MembershipStatus.PENDING


def test_only_the_committee_of_that_community_manages_members(client, make):
    community = make.community()
    other = make.community()
    other_committee = make.member(other, role=Role.COMMITTEE)
    resident = make.member(community)
    pending_user = make.user()
    membership = Membership(user_id=pending_user.id, community_id=community.id)
    db.session.add(membership)
    db.session.commit()
    for user in (resident, other_committee):
        login(client, user)
        assert client.get(f"/c/{community.slug}/members").status_code == 403
        assert (
            client.post(
                f"/c/{community.slug}/members", data={"action": "verify", "membership_id": membership.id}
            ).status_code
            == 403
        )
        client.post("/auth/logout")
    db.session.refresh(membership)
    assert membership.status == MembershipStatus.PENDING


def test_tampered_membership_id_from_another_community_is_404(client, make):
    community = make.community()
    other = make.community()
    committee = make.member(community, role=Role.COMMITTEE)
    stranger = make.user()
    foreign = Membership(user_id=stranger.id, community_id=other.id)
    db.session.add(foreign)
    db.session.commit()
    login(client, committee)
    response = client.post(f"/c/{community.slug}/members", data={"action": "verify", "membership_id": foreign.id})
    assert response.status_code == 404
    db.session.refresh(foreign)
    assert foreign.status == MembershipStatus.PENDING


def test_committee_sets_council_roles_but_not_committee(client, make):
    community = make.community()
    committee = make.member(community, role=Role.COMMITTEE)
    resident = make.member(community)
    membership = db.session.scalar(select(Membership).where(Membership.user_id == resident.id))
    login(client, committee)
    client.post(
        f"/c/{community.slug}/members",
        data={"action": "role", "membership_id": membership.id, "role": "council_member"},
    )
    db.session.refresh(membership)
    assert membership.role == Role.COUNCIL_MEMBER and permissions.is_council_member(resident, community)
    client.post(
        f"/c/{community.slug}/members", data={"action": "role", "membership_id": membership.id, "role": "committee"}
    )
    db.session.refresh(membership)
    assert membership.role == Role.COUNCIL_MEMBER


def test_admin_creates_a_community_with_default_rules(client, make):
    admin = make.user(admin=True)
    login(client, admin)
    response = client.post(
        "/admin/",
        data={
            "name": "桃源村",
            "slug": "taoyuan",
            "kind": "village",
            "district": "吴中区",
            "register_size": 800,
            "annual_budget": 200000,
        },
    )
    assert response.status_code == 302
    community = db.session.scalar(select(Community).where(Community.slug == "taoyuan"))
    assert community.kind == "village"
    from app.rules.services import current_ruleset

    assert current_ruleset(community).version == 1
    # a duplicate address and a bad one are refused with the text kept
    response = client.post(
        "/admin/",
        data={"name": "另一个", "slug": "taoyuan", "kind": "urban", "district": "吴中区", "register_size": 10},
    )
    assert response.status_code == 400 and "另一个" in response.get_data(as_text=True)
    response = client.post(
        "/admin/",
        data={"name": "坏网址", "slug": "Bad Slug!", "kind": "urban", "district": "吴中区", "register_size": 10},
    )
    assert response.status_code == 400


def test_admin_appoints_committee_member(client, make):
    admin = make.user(admin=True)
    community = make.community()
    person = make.user(username="zhou")
    login(client, admin)
    response = client.post(f"/admin/communities/{community.id}", data={"username": "zhou", "role": "committee"})
    assert response.status_code == 302
    assert permissions.is_committee(person, community)
    response = client.post(f"/admin/communities/{community.id}", data={"username": "nobody", "role": "committee"})
    assert response.status_code == 400


def test_admin_area_is_for_admins_only(client, make):
    user = make.user()
    assert client.get("/admin/").status_code == 302
    login(client, user)
    assert client.get("/admin/").status_code == 403


def test_member_directory_is_paginated_and_searchable(client, make):
    community = make.community()
    committee = make.member(community, role=Role.COMMITTEE)
    for i in range(40):
        make.member(community, display_name=f"居民{i:02d}")
    login(client, committee)
    first = client.get(f"/c/{community.slug}/members").get_data(as_text=True)
    assert "已核实成员（41）" in first, re.findall(r"<h2>.*?</h2>", first)
    assert "page=2" in first
    assert len(first.encode()) < 50_000
    found = client.get(f"/c/{community.slug}/members?q=居民07").get_data(as_text=True)
    assert "居民07" in found and "居民08" not in found
