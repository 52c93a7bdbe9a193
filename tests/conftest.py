"""Fixtures shared by every test: the app on an empty database, a client, and
small builders for accounts, communities and memberships."""
import re

import pytest
from flask import g, has_app_context
from flask.testing import FlaskClient

from app import create_app
from app.auth.models import User
from app.communities.models import Community, Membership, MembershipStatus, Role
from app.extensions import db
from app.rules.models import RuleSet
from tests.database import empty_database, fresh_schema, skip_browser_tests_on_postgres


def pytest_collection_modifyitems(config, items):
    skip_browser_tests_on_postgres(items)


class FreshRequestClient(FlaskClient):
    """The fixture keeps one app context open for the whole test; each request still
    starts with an empty `g`, as it would in production (no cached user or locale)."""

    def open(self, *args, **kwargs):
        if has_app_context():
            for key in list(vars(g._get_current_object())):
                delattr(g, key)
        return super().open(*args, **kwargs)


@pytest.fixture
def app(tmp_path):
    """TestConfig on an empty database: in-memory SQLite, or TEST_DATABASE_URL (see tests/database.py)."""
    app = create_app("test", UPLOAD_FOLDER=str(tmp_path / "uploads"))
    app.test_client_class = FreshRequestClient
    with app.app_context():
        fresh_schema()
        yield app
        empty_database()


@pytest.fixture
def client(app):
    return app.test_client()


class Builder:
    """Makes rows the way the services would, without going through forms."""

    def __init__(self):
        self.count = 0

    def user(self, username=None, password="password123", admin=False, display_name=None):
        self.count += 1
        username = username or f"user{self.count}"
        user = User(username=username, display_name=display_name or f"用户{self.count}", is_admin=admin)
        user.set_password(password)
        db.session.add(user)
        db.session.commit()
        return user

    def community(self, slug=None, **rules):
        self.count += 1
        community = Community(slug=slug or f"community-{self.count}", name=f"社区{self.count}",
                              district="姑苏区", register_size=1000, annual_budget=300_000)
        db.session.add(community)
        db.session.flush()
        db.session.add(RuleSet(community_id=community.id, version=1, **rules))
        db.session.commit()
        return community

    def member(self, community, user=None, role=Role.RESIDENT, status=MembershipStatus.VERIFIED, **kw):
        user = user or self.user(**kw)
        membership = Membership(user_id=user.id, community_id=community.id, role=role, status=status,
                                address="1栋1单元101室")
        db.session.add(membership)
        db.session.commit()
        return user


@pytest.fixture
def make():
    return Builder()


def login(client, user, password="password123"):
    response = client.post("/auth/login", data={"username": user.username, "password": password})
    assert response.status_code == 302, response.get_data(as_text=True)
    return response


def csrf_token(client, path):
    """The CSRF token from a rendered form (for apps with CSRF switched on)."""
    html = client.get(path).get_data(as_text=True)
    match = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', html)
    assert match, "no CSRF token on " + path
    return match.group(1)
