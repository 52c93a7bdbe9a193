"""The privacy notice, consent at registration with its version, and asking again when the notice
changes."""

from sqlalchemy import select

from app.audit.models import AuditEntry
from app.auth.models import User
from app.extensions import db
from app.privacy import services
from app.privacy.models import Consent
from tests.helpers import login

FORM = {"username": "13800000009", "display_name": "王阿姨", "password": "xinglin-2026!", "confirm": "xinglin-2026!"}


def consents(user_id):
    return db.session.scalars(select(Consent).where(Consent.user_id == user_id).order_by(Consent.id)).all()


def test_the_notice_is_public_and_says_what_is_kept_why_who_sees_it_and_how_long(client):
    html = client.get("/privacy/").get_data(as_text=True)
    assert services.NOTICE_VERSION in html
    for words in ("我们保存什么", "谁能看到", "保存多久", "手机号", "地址", "已注销用户"):
        assert words in html, words
    client.get("/?lang=en")
    html = client.get("/privacy/").get_data(as_text=True)
    assert "What we keep, and why" in html and "Who sees it" in html and "How long" in html


def test_pages_that_collect_phone_or_address_link_to_the_notice(client, make):
    assert "/privacy/" in client.get("/auth/register").get_data(as_text=True)
    community = make.community()
    login(client, make.user())
    assert 'href="/privacy/"' in client.get(f"/c/{community.slug}/").get_data(as_text=True)  # the join form
    profile = client.get("/auth/profile").get_data(as_text=True)
    for path in ("/privacy/", "/privacy/my-data", "/privacy/delete-account"):
        assert f'href="{path}"' in profile


def test_registration_needs_the_box_ticked_and_keeps_the_text(client):
    response = client.post("/auth/register", data=FORM)
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert "请阅读隐私声明并勾选同意" in html and "王阿姨" in html
    assert db.session.scalar(select(User)) is None and db.session.scalar(select(Consent)) is None


def test_registration_records_consent_with_its_version_and_time(client):
    response = client.post("/auth/register", data={**FORM, "consent": "y"})
    assert response.status_code == 302
    user = db.session.scalar(select(User).where(User.username == FORM["username"]))
    [consent] = consents(user.id)
    assert consent.version == services.NOTICE_VERSION and consent.given_at is not None
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "privacy.consented"))
    assert entry.actor_id == user.id and entry.data == {"version": services.NOTICE_VERSION}
    assert "您于" in client.get("/privacy/").get_data(as_text=True)  # "you agreed to this version on …"


def test_a_new_version_is_asked_for_once_at_login_gently(client, make, monkeypatch):
    user = make.user()
    db.session.add(Consent(user_id=user.id, version="2025-01"))
    db.session.commit()
    monkeypatch.setattr(services, "NOTICE_VERSION", "2099-01")
    response = client.post("/auth/login", data={"username": user.username, "password": "password123", "next": "/c/x/"})
    assert response.headers["Location"] == "/c/x/"
    # The page the login leads to asks first, once; "not now" carries on to it.
    asked = client.get("/privacy/")  # the notice itself is never held back
    assert asked.status_code == 200
    asked = client.get("/auth/profile")
    assert asked.status_code == 302 and asked.headers["Location"].startswith("/privacy/consent?next=/auth/profile")
    page = client.get(asked.headers["Location"]).get_data(as_text=True)
    assert "2025-01" in page and "2099-01" in page and 'href="/auth/profile"' in page  # "not now"
    assert client.get("/auth/profile").status_code == 200  # asked once, never blocking
    assert client.get("/").status_code == 200
    response = client.post("/privacy/consent", data={"next": "/auth/profile"})
    assert response.status_code == 302 and response.headers["Location"] == "/auth/profile"
    assert [c.version for c in consents(user.id)] == ["2025-01", "2099-01"]
    assert not services.needs_new_consent(user)
    # Agreeing again (a second tab) adds nothing; the next login asks nothing.
    client.post("/privacy/consent", data={})
    assert len(consents(user.id)) == 2
    client.post("/auth/logout")
    login(client, user)
    assert client.get("/auth/profile").status_code == 200


def test_an_account_from_before_the_notice_may_agree_on_the_notice_page(client, make):
    user = make.user()  # as the demo and create-admin make them: no consent yet
    login(client, user)
    assert client.get("/auth/profile").status_code == 200  # not held up
    assert 'href="/privacy/consent"' in client.get("/privacy/").get_data(as_text=True)
    client.post("/privacy/consent", data={})
    assert [c.version for c in consents(user.id)] == [services.NOTICE_VERSION]


def test_the_current_version_is_not_asked_again(client, make):
    user = make.user()
    db.session.add(Consent(user_id=user.id, version=services.NOTICE_VERSION))
    db.session.commit()
    login(client, user)
    assert client.get("/auth/profile").status_code == 200


def test_consent_page_never_redirects_off_the_site(client, make):
    user = make.user()
    login(client, user)
    page = client.get("/privacy/consent?next=https://evil.example/").get_data(as_text=True)
    assert "evil.example" not in page
    response = client.post("/privacy/consent", data={"next": "//evil.example/"})
    assert response.headers["Location"] == "/auth/profile"
