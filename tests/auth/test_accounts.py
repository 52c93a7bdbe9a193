"""Registration, login, logout, profile, admin creation."""

import pytest
from sqlalchemy import select

from app import create_app
from app.audit.models import AuditEntry
from app.auth.models import User
from app.extensions import db
from tests.helpers import login


def register(client, username="13800000001", display_name="王阿姨", password="secret-pass", confirm=None, **extra):
    return client.post(
        "/auth/register",
        data={
            "username": username,
            "display_name": display_name,
            "password": password,
            "confirm": confirm or password,
            "consent": "y",  # the privacy notice (tests/privacy)
            **extra,
        },
    )


def test_register_with_phone_number_logs_in_and_hashes_with_scrypt_in_production(client):
    response = register(client)
    assert response.status_code == 302
    user = db.session.scalar(select(User).where(User.username == "13800000001"))
    assert user.display_name == "王阿姨"
    assert user.password_hash.startswith("pbkdf2:")  # the test config's cheap hash
    assert "王阿姨" in client.get("/").get_data(as_text=True)
    assert db.session.scalar(select(AuditEntry).where(AuditEntry.action == "user.registered"))


def test_production_config_uses_scrypt():
    app = create_app(
        "production",
        SQLALCHEMY_DATABASE_URI="sqlite://",
        SECRET_KEY="a-long-random-production-key-0123456789",
        PUBLIC_BASE_URL="https://weiyi.example.org",
        TRUSTED_HOSTS=["weiyi.example.org"],
        RATELIMIT_ENABLED=False,
    )
    with app.app_context():
        user = User(username="x", display_name="x")
        user.set_password("secret-pass")
        assert user.password_hash.startswith("scrypt:131072:8:1$")  # N = 2^17
        assert user.check_password("secret-pass")


def test_register_with_user_name(client):
    assert register(client, username="wang_ayi").status_code == 302
    user = db.session.scalar(select(User).where(User.username == "wang_ayi"))
    assert user.display_name == "王阿姨" and user.check_password("secret-pass")
    assert "王阿姨" in client.get("/").get_data(as_text=True)  # and logged in


@pytest.mark.parametrize("username", ["12", "2380000000", "1380000000", "has space", "中文名", "a" * 50, ""])
def test_register_refuses_bad_usernames_and_keeps_the_text(client, username):
    response = register(client, username=username, display_name="保留我")
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert "保留我" in html
    assert db.session.scalar(select(User)) is None


def test_register_refuses_duplicate_case_insensitively(client, make):
    make.user(username="Wang_ayi")
    response = register(client, username="wang_AYI")
    assert response.status_code == 400
    assert "已被注册" in response.get_data(as_text=True)


def test_register_refuses_short_or_mismatched_passwords(client):
    assert register(client, password="short").status_code == 400
    response = register(client, password="secret-pass", confirm="other-pass")
    assert response.status_code == 400
    assert "两次输入的密码不一致" in response.get_data(as_text=True)


def test_register_message_in_english(client):
    client.get("/?lang=en")
    response = register(client, password="secret-pass", confirm="other-pass")
    assert "The two passwords differ." in response.get_data(as_text=True)


def test_login_and_wrong_password(client, make):
    user = make.user(username="resident1")
    response = client.post("/auth/login", data={"username": "resident1", "password": "wrong-password"})
    assert response.status_code == 400
    assert "密码错误" in response.get_data(as_text=True)
    login(client, user)
    assert user.display_name in client.get("/").get_data(as_text=True)


def test_login_renews_the_session(client, make):
    user = make.user()
    with client.session_transaction() as session:
        session["planted"] = "by an attacker"
        session["lang"] = "en"
    login(client, user)
    with client.session_transaction() as session:
        assert "planted" not in session
        assert session["lang"] == "en"  # preferences survive


@pytest.mark.parametrize(
    "target,expected",
    [
        ("/c/x/matters/", "/c/x/matters/"),
        ("https://evil.example/", "/"),
        ("//evil.example/", "/"),
        ("/\\evil.example", "/"),
        ("javascript:alert(1)", "/"),
    ],
)
def test_next_redirects_only_to_this_site(client, make, target, expected):
    user = make.user()
    response = client.post("/auth/login", data={"username": user.username, "password": "password123", "next": target})
    assert response.status_code == 302
    assert response.headers["Location"] == expected


def test_logout_needs_post_and_invalidates_the_session(client, make):
    user = make.user()
    login(client, user)
    assert client.get("/auth/logout").status_code == 405
    token_before = user.session_token
    assert client.post("/auth/logout").status_code == 302
    db.session.refresh(user)
    assert user.session_token != token_before
    assert client.get("/auth/profile").status_code == 302


def test_profile_update_and_password_change(client, make):
    user = make.user()
    login(client, user)
    response = client.post(
        "/auth/profile",
        data={
            "display_name": "新名字",
            "email": "a@example.org",
            "current_password": "wrong",
            "new_password": "another-pass",
        },
    )
    assert response.status_code == 400
    assert "当前密码不正确" in response.get_data(as_text=True)
    response = client.post(
        "/auth/profile",
        data={
            "display_name": "新名字",
            "email": "a@example.org",
            "current_password": "password123",
            "new_password": "another-pass",
        },
    )
    assert response.status_code == 302
    db.session.refresh(user)
    assert user.display_name == "新名字" and user.check_password("another-pass")
    assert client.get("/auth/profile").status_code == 200  # this device stays logged in


def test_profile_requires_login(client):
    response = client.get("/auth/profile")
    assert response.status_code == 302 and "/auth/login" in response.headers["Location"]


def test_create_admin_command(app):
    runner = app.test_cli_runner()
    result = runner.invoke(args=["create-admin", "--username", "boss", "--password", "long-password"])
    assert result.exit_code == 0, result.output
    user = db.session.scalar(select(User).where(User.username == "boss"))
    assert user.is_admin and user.check_password("long-password")


def test_login_is_rate_limited(tmp_path):
    app = create_app("test", RATELIMIT_ENABLED=True, UPLOAD_FOLDER=str(tmp_path))
    with app.app_context():
        db.create_all()
        client = app.test_client()
        codes = [
            client.post("/auth/login", data={"username": "someone", "password": "wrong-password"}).status_code
            for _ in range(12)
        ]
        assert codes[:10] == [400] * 10
        assert codes[-1] == 429
        db.session.remove()
        db.drop_all()
