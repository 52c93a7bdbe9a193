"""Accounts hardened (issue 13): login timing, lockout, failed-login notices, the password policy,
hash strength and its upgrade at login, and the idle and absolute limits of a session."""

import gzip
from datetime import timedelta

import pytest
from flask import Flask
from freezegun import freeze_time
from hypothesis import given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select
from werkzeug.security import check_password_hash, generate_password_hash

from app.auth import models as auth_models
from app.auth import passwords
from app.auth.models import User
from app.auth.passwords import COMMON_PASSWORDS_FILE, password_problem
from app.auth.services import FAILED_LOGIN_MESSAGE
from app.core.clock import utcnow
from app.extensions import db
from app.notifications.models import Notification, Outbox
from config import Config, ProductionConfig
from tests.helpers import login

# ---------------------------------------------------------------- login timing


@pytest.fixture
def hash_checks(monkeypatch):
    """Counts password-hash verifications, wherever the app makes them."""
    checks = []

    def counting(pwhash, password):
        checks.append(pwhash.split("$", 1)[0])
        return check_password_hash(pwhash, password)

    monkeypatch.setattr(auth_models, "check_password_hash", counting)
    monkeypatch.setattr(passwords, "check_password_hash", counting)
    return checks


def test_an_unknown_name_costs_the_same_hash_check_and_gets_the_same_answer(app, client, make, hash_checks):
    make.user(username="13800000001")
    known = client.post("/auth/login", data={"username": "13800000001", "password": "wrong-password"})
    unknown = client.post("/auth/login", data={"username": "13900000009", "password": "wrong-password"})
    method = app.config["PASSWORD_HASH_METHOD"]
    assert hash_checks == [method, method]  # one check each, with today's parameters
    assert known.status_code == unknown.status_code == 400
    assert "密码错误" in known.get_data(as_text=True)
    assert known.get_data(as_text=True).replace("13800000001", "X") == unknown.get_data(as_text=True).replace(
        "13900000009", "X"
    )


# ---------------------------------------------------------------- the owner hears of failed logins (lockout: tests/security/test_rate_limits.py)


def _failed_login_notices(user):
    return db.session.scalar(
        select(func.count(Notification.id)).where(
            Notification.user_id == user.id, Notification.message == FAILED_LOGIN_MESSAGE
        )
    )


def test_the_owner_hears_of_failed_logins_at_most_once_an_hour(client, make):
    user = make.user()
    user.email = "owner@example.org"
    db.session.commit()
    for _ in range(5):
        client.post("/auth/login", data={"username": user.username, "password": "wrong-password"})
    assert _failed_login_notices(user) == 1
    assert db.session.scalar(select(func.count(Outbox.id)).where(Outbox.user_id == user.id)) == 1
    login(client, user)
    assert "有人用错误的密码尝试登录您的账户" in client.get("/inbox/").get_data(as_text=True)
    with freeze_time(utcnow() + timedelta(minutes=61)):
        client.post("/auth/login", data={"username": user.username, "password": "wrong-password"})
    assert _failed_login_notices(user) == 2


def test_right_passwords_and_unknown_names_notify_nobody(client, make):
    user = make.user()
    login(client, user)
    client.post("/auth/login", data={"username": "nobody-here", "password": "wrong-password"})
    assert db.session.scalar(select(func.count(Notification.id))) == 0


# ---------------------------------------------------------------- the password policy


def test_the_common_password_list_ships_with_its_origin():
    with gzip.open(COMMON_PASSWORDS_FILE, "rt", encoding="utf-8") as lines:
        entries = [line.strip() for line in lines if line.strip()]
    assert len(entries) == 20_000
    notice = COMMON_PASSWORDS_FILE.with_name("common-passwords.NOTICE.txt").read_text()
    assert "Django" in notice and "Redistribution and use" in notice


@pytest.mark.parametrize("password", ["password123", "PASSWORD123", " qwerty123 ", "iloveyou", "1q2w3e4r"])
def test_common_passwords_are_refused(password):
    assert password_problem(password, "wang_ayi") is not None


@pytest.mark.parametrize(
    "password,user_name,phone",
    [
        ("13800000001", "13800000001", ""),
        ("my13800000001!", "13800000001", ""),
        ("Wang_Ayi-2026", "wang_ayi", ""),
        ("x13912345678y", "wang_ayi", "13912345678"),
    ],
)
def test_passwords_with_the_name_or_phone_number_are_refused(password, user_name, phone):
    assert "phone number or user name" in str(password_problem(password, user_name, phone))


@pytest.mark.parametrize("password", ["", "short", "x" * 129])
def test_too_short_or_too_long_passwords_are_refused(password):
    assert password_problem(password, "wang_ayi") is not None


def test_a_good_password_passes():
    assert password_problem("梧桐树下的长椅2026", "13800000001") is None
    assert password_problem("correct horse battery", "wang_ayi", "13800000001") is None


@settings(max_examples=60, deadline=None)
@given(
    user_name=st.from_regex(r"[A-Za-z][A-Za-z0-9_]{2,29}", fullmatch=True),
    before=st.text(max_size=40),
    after=st.text(max_size=40),
)
def test_a_password_holding_the_user_name_is_always_refused(user_name, before, after):
    password = before + user_name.swapcase() + after
    assert password_problem(password, user_name) is not None


def _register(client, password, username="13800000001"):
    return client.post(
        "/auth/register",
        data={
            "username": username,
            "display_name": "保留我",
            "password": password,
            "confirm": password,
            "consent": "y",
        },
    )


@pytest.mark.parametrize("password", ["password123", "13800000001", "x13800000001x"])
def test_registration_refuses_weak_passwords_with_the_form_back(client, password):
    response = _register(client, password)
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "保留我" in html
    assert "最常见" in html or "手机号或用户名" in html
    assert db.session.scalar(select(User)) is None


def test_registration_message_in_english(client):
    client.get("/?lang=en")
    html = _register(client, "password123").get_data(as_text=True)
    assert "one of the most common passwords" in html


def test_a_password_change_refuses_weak_passwords(client, make):
    user = make.user(username="wang_ayi")
    before = user.password_hash
    login(client, user)
    for weak in ("iloveyou1", "WANG_AYI-new"):
        response = client.post(
            "/auth/profile",
            data={"display_name": "王阿姨", "current_password": "password123", "new_password": weak},
        )
        assert response.status_code == 400
    db.session.refresh(user)
    assert user.password_hash == before


def test_create_admin_refuses_a_weak_password(app):
    runner = app.test_cli_runner()
    result = runner.invoke(args=["create-admin", "--username", "boss", "--password", "password1"])
    assert result.exit_code != 0
    assert "most common" in result.output or "最常见" in result.output
    assert db.session.scalar(select(User)) is None


# ---------------------------------------------------------------- hash strength and its upgrade


def _scrypt_n(method):
    name, n, r, p = method.split(":")
    return name, int(n), int(r), int(p)


@pytest.mark.parametrize("config", [Config, ProductionConfig])
def test_default_and_production_hash_with_scrypt_n_2_17(config):
    name, n, r, p = _scrypt_n(config.PASSWORD_HASH_METHOD)
    assert name == "scrypt" and n >= 2**17 and r >= 8 and p >= 1


def test_the_strong_method_is_what_werkzeug_writes():
    flask_app = Flask(__name__)
    flask_app.config["PASSWORD_HASH_METHOD"] = Config.PASSWORD_HASH_METHOD
    with flask_app.app_context():
        password_hash = passwords.hash_password("correct horse battery")
    assert password_hash.startswith("scrypt:131072:8:1$")
    assert check_password_hash(password_hash, "correct horse battery")


@pytest.mark.parametrize(
    "configured,made_with,rehash",
    [
        ("scrypt:131072:8:1", "scrypt:32768:8:1", True),
        ("scrypt:131072:8:1", "pbkdf2:sha256:1000", True),
        ("scrypt", "scrypt:32768:8:1", False),  # the same parameters, spelt short
        ("pbkdf2:sha256:1000", "pbkdf2:sha256:1000", False),
    ],
)
def test_which_hashes_are_made_again(app, configured, made_with, rehash, monkeypatch):
    monkeypatch.setattr(passwords, "generate_password_hash", _fake_generate)  # no 128 MB scrypt in a unit test
    passwords._dummy_hash.cache_clear()
    app.config["PASSWORD_HASH_METHOD"] = configured
    try:
        assert passwords.needs_rehash(f"{made_with}$salt$digest") is rehash
    finally:
        passwords._dummy_hash.cache_clear()  # no fake hash stays behind for the timing check


def _fake_generate(password, method):
    return {"scrypt": "scrypt:32768:8:1"}.get(method, method) + "$salt$digest"


def test_a_weaker_hash_is_upgraded_at_the_next_successful_login(app, client, make):
    app.config["PASSWORD_HASH_METHOD"] = "scrypt:32768:8:1"  # stronger than the old hash, cheap enough here
    user = make.user()
    user.password_hash = generate_password_hash("password123", method="scrypt:16384:8:1")
    db.session.commit()
    old = user.password_hash
    client.post("/auth/login", data={"username": user.username, "password": "wrong-password"})
    db.session.refresh(user)
    assert user.password_hash == old  # a wrong password changes nothing
    login(client, user)
    db.session.refresh(user)
    assert user.password_hash.startswith("scrypt:32768:8:1$")
    assert user.check_password("password123")
    client.post("/auth/logout")
    login(client, user)  # and the upgraded hash still opens the account


# ---------------------------------------------------------------- idle and absolute session limits


def _logged_in(client):
    return client.get("/auth/profile").status_code == 200


def test_a_session_ends_after_two_idle_hours(app, client, make):
    assert app.config["SESSION_IDLE_MINUTES"] == 120 and app.config["SESSION_ABSOLUTE_HOURS"] == 12
    start = utcnow()
    with freeze_time(start) as frozen:
        login(client, make.user())
        frozen.tick(timedelta(minutes=119))
        assert _logged_in(client)
        frozen.tick(timedelta(minutes=119))  # each request starts the idle time again
        assert _logged_in(client)
        frozen.tick(timedelta(minutes=121))
        response = client.get("/auth/profile")
        assert response.status_code == 302 and "/auth/login" in response.headers["Location"]
        assert "请重新登录" in client.get("/auth/login").get_data(as_text=True)
        assert not _logged_in(client)


def test_a_busy_session_still_ends_after_twelve_hours(app, client, make):
    start = utcnow()
    with freeze_time(start) as frozen:
        login(client, make.user())
        for _ in range(7):  # 11 h 40 min of activity
            frozen.tick(timedelta(minutes=100))
            assert _logged_in(client)
        frozen.tick(timedelta(minutes=21))
        assert not _logged_in(client)


def test_the_limits_are_configurable(app, client, make):
    app.config["SESSION_IDLE_MINUTES"] = 5
    with freeze_time(utcnow()) as frozen:
        login(client, make.user())
        frozen.tick(timedelta(minutes=6))
        assert not _logged_in(client)


def test_keep_me_logged_in_outlives_the_browser_but_not_the_limits(app, client, make):
    user = make.user()
    start = utcnow()
    with freeze_time(start) as frozen:
        response = client.post(
            "/auth/login", data={"username": user.username, "password": "password123", "remember": "y"}
        )
        assert response.status_code == 302
        cookies = response.headers.getlist("Set-Cookie")
        assert not any(c.startswith("remember_token=") for c in cookies)  # no cookie without the limits
        session_cookie = next(c for c in cookies if c.startswith("session="))
        assert "Expires=" in session_cookie  # survives closing the browser
        copied = client.get_cookie("session").value
        frozen.tick(timedelta(minutes=121))
        thief = app.test_client()
        thief.set_cookie("session", copied, domain="localhost")
        assert not _logged_in(thief)  # the server, not the browser, ends it


def test_an_old_remember_me_cookie_does_not_log_in(app, make):
    from flask_login import encode_cookie  # Flask-Login's own format, as a cookie from before the limits

    user = make.user()
    client = app.test_client()
    with app.test_request_context():
        value = encode_cookie(user.get_id())
    client.set_cookie("remember_token", value, domain="localhost")
    assert not _logged_in(client)
