"""Cross-site request forgery: a POST without this session's token is refused and changes nothing."""

from sqlalchemy import func, select

from app.communities.models import Membership
from app.extensions import db
from tests.helpers import csrf_token


def _login(client, user):
    token = csrf_token(client, "/auth/login")
    response = client.post(
        "/auth/login", data={"username": user.username, "password": "password123", "csrf_token": token}
    )
    assert response.status_code == 302, response.get_data(as_text=True)[:500]


def test_login_needs_the_sessions_own_token(app_with, make):
    app = app_with(WTF_CSRF_ENABLED=True)
    user = make.user()
    victim, attacker = app.test_client(), app.test_client()
    attackers_token = csrf_token(attacker, "/auth/login")
    csrf_token(victim, "/auth/login")  # the victim has a session with a token of its own
    form = {"username": user.username, "password": "password123"}
    assert victim.post("/auth/login", data=form).status_code == 400
    assert victim.post("/auth/login", data={**form, "csrf_token": "forged"}).status_code == 400
    assert victim.post("/auth/login", data={**form, "csrf_token": attackers_token}).status_code == 400
    assert victim.get("/auth/profile").status_code == 302  # still not logged in
    _login(victim, user)
    assert victim.get("/auth/profile").status_code == 200


def test_a_logged_in_action_is_refused_without_its_token(app_with, make):
    app = app_with(WTF_CSRF_ENABLED=True)
    community = make.community()
    user = make.user()
    victim, attacker = app.test_client(), app.test_client()
    _login(victim, user)
    _login(attacker, make.user())
    attackers_token = csrf_token(attacker, f"/c/{community.slug}/")
    url = f"/c/{community.slug}/join"
    for data in ({}, {"csrf_token": ""}, {"csrf_token": attackers_token}):
        response = victim.post(url, data={"address": "1栋101", **data})
        assert response.status_code == 400, data
    assert db.session.scalar(select(func.count(Membership.id))) == 0
    own = csrf_token(victim, f"/c/{community.slug}/")
    assert victim.post(url, data={"address": "1栋101", "csrf_token": own}).status_code == 302
    assert db.session.scalar(select(func.count(Membership.id))) == 1


def test_logout_needs_a_token_too(app_with, make):
    """A forged logout (a cross-site form) would be a nuisance at best; it is refused."""
    app = app_with(WTF_CSRF_ENABLED=True)
    user = make.user()
    client = app.test_client()
    _login(client, user)
    assert client.post("/auth/logout").status_code == 400
    assert client.get("/auth/profile").status_code == 200
