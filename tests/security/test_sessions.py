"""Sessions: logging out ends the session on the server (a copied cookie stops working),
a password change ends other devices' sessions, and production cookies are locked down (the idle
and absolute limits: tests/auth/test_hardening.py)."""

import re
from http.cookies import SimpleCookie

import pytest

from app.auth.sessions import signed_in
from tests.helpers import login


def _cookie(client, name):
    cookie = client.get_cookie(name)
    assert cookie is not None, f"no {name} cookie"
    return cookie.value


def _replay(app, name, value, base_url="http://localhost"):
    thief = app.test_client()
    thief.set_cookie(name, value, domain="localhost")
    return thief.get("/auth/profile", base_url=base_url)


def test_logout_invalidates_a_copied_session_cookie(app, client, make):
    user = make.user()
    login(client, user)
    stolen = _cookie(client, "session")
    assert _replay(app, "session", stolen).status_code == 200  # the copy works while the session lives
    assert client.post("/auth/logout").status_code == 302
    replayed = _replay(app, "session", stolen)
    assert replayed.status_code == 302 and "/auth/login" in replayed.headers["Location"]


def test_logout_invalidates_the_kept_session_cookie(app, client, make):
    """Keep me logged in: a session cookie that outlives the browser (no remember_token, which
    would escape the session limits: tests/auth/test_hardening.py); logging out ends it too."""
    user = make.user()
    response = client.post("/auth/login", data={"username": user.username, "password": "password123", "remember": "y"})
    assert response.status_code == 302
    assert client.get_cookie("remember_token") is None
    kept = _cookie(client, "session")
    assert _replay(app, "session", kept).status_code == 200
    client.post("/auth/logout")
    assert _replay(app, "session", kept).status_code == 302


def test_logout_ends_every_session_of_the_account(app, make):
    user = make.user()
    phone, desktop = app.test_client(), app.test_client()
    login(phone, user)
    login(desktop, user)
    phone.post("/auth/logout")
    assert desktop.get("/auth/profile").status_code == 302


def test_password_change_ends_other_devices_sessions(app, make):
    user = make.user()
    phone, stolen = app.test_client(), app.test_client()
    login(phone, user)
    login(stolen, user)
    response = phone.post(
        "/auth/profile",
        data={"display_name": "新名字", "current_password": "password123", "new_password": "a-new-password"},
    )
    assert response.status_code == 302
    assert phone.get("/auth/profile").status_code == 200
    assert stolen.get("/auth/profile").status_code == 302


def test_logout_by_get_is_not_possible(client, make):
    login(client, make.user())
    assert client.get("/auth/logout").status_code == 405
    assert client.get("/auth/profile").status_code == 200


def _set_cookie_attributes(response, name):
    for header in response.headers.getlist("Set-Cookie"):
        cookie = SimpleCookie()
        cookie.load(header)
        if name in cookie:
            morsel = cookie[name]
            return {
                "secure": bool(morsel["secure"]),
                "httponly": bool(morsel["httponly"]),
                "samesite": morsel["samesite"],
                "raw": header,
            }
    raise AssertionError(f"{name} is not set: {response.headers.getlist('Set-Cookie')}")


@pytest.mark.parametrize("name", ["session"])
def test_production_cookies_are_secure_httponly_and_samesite(app_with, make, name):
    app = app_with("production")
    user = make.user()
    client = app.test_client()
    html = client.get("/auth/login", base_url="https://localhost").get_data(as_text=True)
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', html).group(1)
    response = client.post(
        "/auth/login",
        data={"username": user.username, "password": "password123", "remember": "y", "csrf_token": token},
        base_url="https://localhost",
        headers={"Referer": "https://localhost/auth/login"},
    )
    assert response.status_code == 302, response.get_data(as_text=True)[:300]
    attributes = _set_cookie_attributes(response, name)
    assert attributes["secure"], attributes["raw"]
    assert attributes["httponly"], attributes["raw"]
    assert attributes["samesite"].lower() in ("lax", "strict"), attributes["raw"]
    # The secure cookie keeps the person logged in over HTTPS.
    assert client.get("/auth/profile", base_url="https://localhost").status_code == 200


def test_a_session_cookie_signed_with_another_key_is_refused(app_with, make):
    from flask import Flask

    from config import DEV_SECRET_KEY

    app = app_with("production")
    user = make.user()
    forger = Flask("forger")
    forger.secret_key = DEV_SECRET_KEY
    payload = signed_in(user.get_id())
    forged = forger.session_interface.get_signing_serializer(forger).dumps(payload)
    genuine = app.session_interface.get_signing_serializer(app).dumps(payload)
    assert _replay(app, "session", genuine, "https://localhost").status_code == 200  # the shape is right
    assert _replay(app, "session", forged, "https://localhost").status_code == 302
