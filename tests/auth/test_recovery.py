"""Password recovery: a one-hour link by e-mail, and a 24-hour code the committee gives in person.
Both work once, are stored only as hashes, end every session of the account and tell the owner."""

import re
from datetime import timedelta

import pytest
from freezegun import freeze_time
from sqlalchemy import select

from app.audit.models import AuditEntry
from app.auth import recovery
from app.auth.models import PasswordReset, User
from app.communities.models import Membership, MembershipStatus, Role
from app.core.clock import utcnow
from app.extensions import db, limiter
from app.notifications.models import Notification, Outbox
from tests.helpers import login

NEW_PASSWORD = "lantern-river-quiet"


def _link_in_outbox():
    body = db.session.scalars(select(Outbox.body).order_by(Outbox.id.desc())).first()
    match = re.search(r"(https?://\S+/auth/reset/(\S+))", body or "")
    assert match, body
    return match.group(1), match.group(2)


def _logged_in(client):
    return client.get("/auth/profile").status_code == 200


def _notices(user, message):
    return db.session.scalars(
        select(Notification).where(Notification.user_id == user.id, Notification.message == message)
    ).all()


@pytest.fixture
def resident(make):
    user = make.user(username="13800000021", display_name="王阿姨")
    user.email = "wang@example.org"
    db.session.commit()
    return user


# ---------------------------------------------------------------- by e-mail


def test_the_login_page_leads_to_recovery(client):
    assert "/auth/forgot" in client.get("/auth/login").get_data(as_text=True)
    page = client.get("/auth/forgot").get_data(as_text=True)
    assert "/auth/reset-code" in page


def test_the_answer_is_the_same_whether_or_not_the_account_exists_or_has_an_email(client, make, resident):
    make.user(username="13800000022")  # no e-mail address
    answers = {
        name: client.post("/auth/forgot", data={"username": name}) for name in ("13800000021", "13800000022", "nobody")
    }
    assert {r.status_code for r in answers.values()} == {200}
    assert len({r.get_data() for r in answers.values()}) == 1
    # Only the account with an address got mail, and nothing of it is in the inbox (the link is a key).
    assert db.session.scalars(select(Outbox.to_address)).all() == ["wang@example.org"]
    assert db.session.scalar(select(Notification)) is None


def test_the_link_is_absolute_from_public_base_url_and_stored_only_as_a_hash(app, client, resident):
    app.config["PUBLIC_BASE_URL"] = "https://weiyi.example.org"
    client.post("/auth/forgot", data={"username": " 13800000021 "}, headers={"Host": "evil.example"})
    url, token = _link_in_outbox()
    assert url.startswith("https://weiyi.example.org/auth/reset/")
    (reset,) = db.session.scalars(select(PasswordReset)).all()
    assert reset.kind == "email" and reset.user_id == resident.id
    assert token not in reset.token_hash and reset.expires_at - reset.created_at == timedelta(hours=1)


def test_the_link_sets_a_new_password_once_ends_sessions_and_tells_the_owner(app, client, resident):
    other_device = app.test_client()
    login(other_device, resident)
    client.post("/auth/forgot", data={"username": "13800000021"})
    _, token = _link_in_outbox()
    assert client.get(f"/auth/reset/{token}").status_code == 200

    weak = client.post(f"/auth/reset/{token}", data={"password": "password", "confirm": "password"})
    assert weak.status_code == 400 and "常见" in weak.get_data(as_text=True)
    assert recovery.link_works(token)  # a refused password leaves the link usable

    response = client.post(f"/auth/reset/{token}", data={"password": NEW_PASSWORD, "confirm": NEW_PASSWORD})
    assert response.status_code == 302 and "/auth/login" in response.headers["Location"]
    db.session.expire_all()
    assert resident.check_password(NEW_PASSWORD)
    assert not _logged_in(other_device)
    assert _notices(resident, recovery.RESET_MESSAGES["email"])
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "user.password_reset"))
    assert entry.actor_id == resident.id and entry.data["kind"] == "email"

    again = client.post(f"/auth/reset/{token}", data={"password": "another-pass-9", "confirm": "another-pass-9"})
    assert again.status_code == 404
    db.session.expire_all()
    assert resident.check_password(NEW_PASSWORD)
    login(client, resident, NEW_PASSWORD)


def test_the_link_ends_after_an_hour(client, resident):
    client.post("/auth/forgot", data={"username": "13800000021"})
    _, token = _link_in_outbox()
    with freeze_time(utcnow() + timedelta(minutes=61)):
        assert client.get(f"/auth/reset/{token}").status_code == 404
        response = client.post(f"/auth/reset/{token}", data={"password": NEW_PASSWORD, "confirm": NEW_PASSWORD})
    assert response.status_code == 404
    assert "一小时" in response.get_data(as_text=True)


def test_an_invented_link_is_not_found(client):
    assert client.get("/auth/reset/made-up-token").status_code == 404


# ---------------------------------------------------------------- a code from the committee


@pytest.fixture
def place(make):
    community = make.community()
    committee = make.member(community, role=Role.COMMITTEE, display_name="周主任")
    resident = make.member(community, username="13800000031", display_name="李大爷")
    return community, committee, resident


def _membership_id(user, community=None):
    """The id of the user's membership (in `community`, when they have several)."""
    query = select(Membership.id).where(Membership.user_id == user.id)
    if community is not None:
        query = query.where(Membership.community_id == community.id)
    return db.session.scalar(query)


def _issue(client, community, user):
    response = client.post(f"/c/{community.slug}/members/{_membership_id(user)}/reset-code")
    assert response.status_code == 200, response.status_code
    assert response.headers["Cache-Control"] == "no-store"
    match = re.search(r'class="code"[^>]*><strong>([\d ]+)</strong>', response.get_data(as_text=True))
    assert match
    return match.group(1)


def _use(client, code, username="13800000031", password=NEW_PASSWORD):
    return client.post(
        "/auth/reset-code", data={"username": username, "code": code, "password": password, "confirm": password}
    )


def test_the_committee_gives_a_code_that_is_audited_but_kept_only_as_a_hash(client, place):
    community, committee, resident = place
    login(client, committee)
    page = client.get(f"/c/{community.slug}/members/{_membership_id(resident)}/reset-code")
    assert page.status_code == 200 and "李大爷" in page.get_data(as_text=True)
    assert f"/members/{_membership_id(resident)}/reset-code" in client.get(f"/c/{community.slug}/members").get_data(
        as_text=True
    )
    code = _issue(client, community, resident)
    assert re.fullmatch(r"\d{4} \d{4} \d{4}", code)
    (reset,) = db.session.scalars(select(PasswordReset)).all()
    assert (reset.kind, reset.issued_by_id, reset.community_id) == ("code", committee.id, community.id)
    assert code.replace(" ", "") not in reset.token_hash
    assert reset.expires_at - reset.created_at == timedelta(hours=24)
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "user.reset_code_issued"))
    assert entry.actor_id == committee.id and entry.object_id == resident.id and entry.community_id == community.id
    assert code.replace(" ", "") not in repr(entry.data) + entry.hash
    assert _notices(resident, recovery.CODE_ISSUED_MESSAGE)


def test_the_resident_sets_a_new_password_with_the_code_once(app, client, place):
    community, committee, resident = place
    resident_device = app.test_client()
    login(resident_device, resident)
    login(client, committee)
    code = _issue(client, community, resident)
    visitor = app.test_client()
    full_width = code.translate(str.maketrans("0123456789 ", "０１２３４５６７８９-"))
    response = _use(visitor, full_width)
    assert response.status_code == 302
    db.session.expire_all()
    assert resident.check_password(NEW_PASSWORD)
    assert not _logged_in(resident_device)
    assert _notices(resident, recovery.RESET_MESSAGES["code"])
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "user.password_reset"))
    assert entry.data == {"kind": "code", "issued_by_id": committee.id} and entry.community_id == community.id
    again = _use(visitor, code, password="another-pass-9")
    assert again.status_code == 400
    db.session.expire_all()
    assert resident.check_password(NEW_PASSWORD)


def test_every_wrong_combination_gets_the_same_refusal(app, client, make, place):
    community, committee, resident = place
    make.user(username="13800000032")
    login(client, committee)
    code = _issue(client, community, resident)
    wrong = "0000 0000 0000" if code != "0000 0000 0000" else "1111 1111 1111"
    visitor = app.test_client()
    answers = [
        _use(visitor, wrong),  # wrong code
        _use(visitor, code, username="13800000032"),  # someone else's code
        _use(visitor, code, username="nobody"),  # no such account
        _use(visitor, "12345"),  # not a code at all
    ]
    with freeze_time(utcnow() + timedelta(hours=24, minutes=1)):
        answers.append(_use(visitor, code))  # expired
    assert {r.status_code for r in answers} == {400}
    errors = {re.search(r'id="code-error">([^<]+)<', r.get_data(as_text=True)).group(1) for r in answers}
    assert len(errors) == 1
    db.session.expire_all()
    assert not resident.check_password(NEW_PASSWORD)


def test_a_weak_password_keeps_the_code_and_the_form(app, client, place):
    community, committee, resident = place
    login(client, committee)
    code = _issue(client, community, resident)
    response = _use(app.test_client(), code, password="12345678")
    assert response.status_code == 400 and 'value="13800000031"' in response.get_data(as_text=True)
    assert _use(app.test_client(), code).status_code == 302


def test_a_new_code_replaces_the_earlier_one(app, client, place):
    community, committee, resident = place
    login(client, committee)
    first = _issue(client, community, resident)
    second = _issue(client, community, resident)
    assert _use(app.test_client(), first).status_code == 400
    assert _use(app.test_client(), second).status_code == 302


def test_who_may_give_codes_to_whom(app, client, make, place):
    community, committee, resident = place
    council = make.member(community, role=Role.COUNCIL_MEMBER)
    colleague = make.member(community, role=Role.COMMITTEE)
    admin_resident = make.member(community, admin=True)
    pending = make.member(community, status=MembershipStatus.PENDING)
    elsewhere = make.community()
    outsider = make.member(elsewhere)
    elsewhere_committee = make.member(elsewhere, role=Role.COMMITTEE)
    both = make.member(elsewhere, role=Role.COMMITTEE)
    make.member(community, user=both)  # a resident here, on the committee there

    def status(actor, target, slug=community.slug, of=community):
        c = app.test_client()
        login(c, actor)
        return c.get(f"/c/{slug}/members/{_membership_id(target, of)}/reset-code").status_code

    assert status(committee, council) == 200
    assert status(resident, council) == 403
    assert status(council, resident) == 403
    assert status(make.user(admin=True), resident) == 403  # site staff are not the committee in person
    for staff in (colleague, admin_resident, both, committee):
        assert status(committee, staff) == 403
    assert status(committee, pending) == 404
    assert status(committee, outsider, of=elsewhere) == 404  # another community's member, under this address
    assert status(elsewhere_committee, resident, slug=elsewhere.slug) == 404
    assert (
        app.test_client().get(f"/c/{community.slug}/members/{_membership_id(resident)}/reset-code").status_code == 302
    )
    assert db.session.scalar(select(PasswordReset)) is None


# ---------------------------------------------------------------- rate limits


@pytest.fixture
def limited(app):
    """A new app (own_app) with the limits on, as in production."""
    app.config.update(RATELIMIT_ENABLED=True, RATELIMIT_STORAGE_URI="memory://")
    limiter.init_app(app)
    return app


@pytest.mark.own_app
def test_reset_requests_are_limited_per_account_and_per_address(limited, resident):
    client = limited.test_client()

    def ask(name, address):
        return client.post("/auth/forgot", data={"username": name}, environ_base={"REMOTE_ADDR": address}).status_code

    assert [ask("13800000021", f"198.51.100.{i}") for i in range(5)] == [200] * 5
    assert ask("13800000021", "198.51.100.99") == 429  # the owner's mailbox is not flooded
    assert [ask(f"someone{i}", "192.0.2.1") for i in range(10)] == [200] * 10
    assert ask("someone-else", "192.0.2.1") == 429


@pytest.mark.own_app
def test_code_guessing_is_limited_per_address(limited, place):
    client = limited.test_client()
    codes = [
        client.post(
            "/auth/reset-code",
            data={"username": "13800000031", "code": f"{i:012d}", "password": NEW_PASSWORD, "confirm": NEW_PASSWORD},
            environ_base={"REMOTE_ADDR": "192.0.2.7"},
        ).status_code
        for i in range(11)
    ]
    assert codes[:10] == [400] * 10 and codes[10] == 429


def test_user_model_is_unchanged_by_a_request_for_a_link(client, resident):
    before = resident.password_hash
    client.post("/auth/forgot", data={"username": "13800000021"})
    db.session.expire_all()
    assert db.session.get(User, resident.id).password_hash == before
