""" "Delete my account": a confirmation with the password; identity gone, contributions kept under a
pseudonym, the audit log untouched but told, memberships ended and the committee told."""

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from app.audit import services as audit
from app.audit.models import AuditEntry
from app.auth.models import PasswordReset, User
from app.communities.models import Membership, MembershipStatus, Role
from app.core.clock import utcnow
from app.councils.models import Meeting, MeetingStatus
from app.extensions import db
from app.matters.models import Comment, Follow, Support
from app.notifications.models import Notification, Outbox
from app.privacy.models import Consent
from app.rules.models import RuleSet
from tests.helpers import login
from tests.voting.helpers import make_matters

PASSWORD = "password123"


@pytest.fixture
def world(make):
    community = make.community(slug="xinglin")
    committee = make.member(community, role=Role.COMMITTEE, username="committee")
    me = make.member(community, username="13800000001", display_name="王阿姨")
    me.email = "wang@example.org"
    [matter] = make_matters(community, me, costs=[50_000])
    db.session.add_all(
        [
            Comment(matter_id=matter.id, author_id=me.id, body="楼道灯太暗"),
            Support(matter_id=matter.id, user_id=me.id),
            Follow(matter_id=matter.id, user_id=me.id),
            Consent(user_id=me.id, version="2026-11"),
            PasswordReset(user_id=me.id, kind="email", token_hash="0" * 64, expires_at=utcnow() + timedelta(hours=1)),
        ]
    )
    db.session.commit()
    return community, committee, me, matter


def delete(client, password=PASSWORD, understood="y"):
    return client.post("/privacy/delete-account", data={"password": password, "understood": understood})


def test_the_page_says_what_happens_and_asks_for_the_password(client, world):
    _community, _committee, me, _matter = world
    assert client.get("/privacy/delete-account").status_code == 302  # login first
    login(client, me)
    page = client.get("/privacy/delete-account")
    assert page.status_code == 200 and page.headers["Cache-Control"] == "no-store"
    html = page.get_data(as_text=True)
    assert "无法撤销" in html and 'type="password"' in html
    for data in ({"password": "wrong-password", "understood": "y"}, {"password": PASSWORD}):
        response = client.post("/privacy/delete-account", data=data)
        assert response.status_code == 400
        db.session.refresh(me)
        assert me.username == "13800000001"
    assert "密码错误" in delete(client, "wrong-password").get_data(as_text=True)


def test_deleting_removes_identity_and_keeps_contributions_under_a_pseudonym(client, world):
    community, committee, me, matter = world
    head_before = audit.head()
    login(client, me)
    response = delete(client)
    assert response.status_code == 302 and response.headers["Location"] == "/"
    db.session.expire_all()
    user = db.session.get(User, me.id)
    assert user.display_name.startswith("已注销用户 #") and len(user.display_name) == len("已注销用户 #") + 6
    assert user.username == f"~deleted-{me.id}" and user.email is None and not user.check_password(PASSWORD)
    # Logged out here, and the old session cookie and the password open nothing.
    assert "王阿姨" not in client.get("/").get_data(as_text=True)
    assert client.get("/auth/profile").status_code == 302
    refused = client.post("/auth/login", data={"username": "13800000001", "password": PASSWORD})
    assert refused.status_code == 400
    # The phone number is free to register again.
    assert db.session.scalar(select(User).where(User.username == "13800000001")) is None
    # Public contributions stay, under the pseudonym.
    page = client.get(f"/c/xinglin/matters/{matter.id}").get_data(as_text=True)
    assert user.display_name in page and "楼道灯太暗" in page and "王阿姨" not in page
    assert db.session.scalar(select(func.count(Support.id))) == 1
    assert db.session.scalar(select(func.count(Follow.id))) == 0
    assert db.session.scalar(select(func.count(PasswordReset.id))) == 0  # no way back in
    assert db.session.scalar(select(func.count(Outbox.id)).where(Outbox.user_id == me.id)) == 0
    assert db.session.scalar(select(func.count(Notification.id)).where(Notification.user_id == me.id)) == 0
    # Memberships ended, address gone; the committee is told and sees who left.
    membership = db.session.scalar(select(Membership).where(Membership.user_id == me.id))
    assert membership.status == MembershipStatus.LEFT and membership.address == "" and membership.ended_at
    note = db.session.scalar(select(Notification).where(Notification.user_id == committee.id))
    assert user.display_name in note.params["name"] and "王阿姨" not in str(note.params)
    # The audit log: nothing before was changed, one entry more says so (and names nobody).
    assert audit.verify() == []
    entries = db.session.scalars(select(AuditEntry).where(AuditEntry.id > head_before.entries)).all()
    assert {"user.deleted", "membership.left"} <= {e.action for e in entries}
    assert all("王阿姨" not in str(e.data) and "13800000001" not in str(e.data) for e in entries)
    client.post("/auth/logout")
    login(client, committee)
    members = client.get("/c/xinglin/members").get_data(as_text=True)
    assert user.display_name in members and "账号已注销" in members


def test_the_last_administrator_cannot_delete_their_account(client, make):
    admin = make.user(admin=True)
    login(client, admin)
    assert "唯一的管理员" in client.get("/privacy/delete-account").get_data(as_text=True)
    response = delete(client)
    assert response.status_code == 400 and "唯一的管理员" in response.get_data(as_text=True)
    db.session.refresh(admin)
    assert admin.is_admin and admin.check_password(PASSWORD)
    make.user(admin=True)  # with a second administrator it may go
    assert delete(client).status_code == 302


def test_who_runs_a_meeting_in_session_cannot_delete_their_account(client, world):
    community, committee, me, _matter = world
    meeting = Meeting(
        community_id=community.id,
        title="议事会",
        starts_at=utcnow() - timedelta(hours=1),
        place="活动室",
        status=MeetingStatus.OPEN,
        ruleset_id=db.session.scalar(select(RuleSet.id).where(RuleSet.community_id == community.id)),
        chair_id=me.id,
        secretary_id=committee.id,
        checkin_token="t" * 20,
        created_by_id=committee.id,
    )
    db.session.add(meeting)
    db.session.commit()
    login(client, me)
    response = delete(client)
    assert response.status_code == 400 and "正在进行的会议" in response.get_data(as_text=True)
    assert db.session.get(User, me.id).username == "13800000001"
    meeting.status = MeetingStatus.CLOSED
    db.session.commit()
    assert delete(client).status_code == 302


def test_deleting_clears_the_volunteer_profile_but_keeps_it_counted(client, world):
    from app.partners.models import Volunteer

    community, _committee, me, _matter = world
    db.session.add(
        Volunteer(community_id=community.id, user_id=me.id, skills="会修电器", availability="周末", show_name=True)
    )
    db.session.commit()
    login(client, me)
    assert delete(client).status_code == 302
    db.session.expire_all()
    volunteer = db.session.scalar(select(Volunteer).where(Volunteer.user_id == me.id))
    assert (volunteer.skills, volunteer.availability, volunteer.show_name) == ("", "", False)
