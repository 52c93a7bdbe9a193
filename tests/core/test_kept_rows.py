"""Rows a page view gets from the kept values (app/core/version_cache._attached) behave as rows the
session loaded: one object per row in the request, the session's own copy first, relationships
lazy-loaded; a kept user row (nothing to lazy-load) is only put into the session by the first
statement that runs, and is then the row that statement returns."""

import contextlib

import pytest
from flask import session
from sqlalchemy import inspect, select

from app.auth.models import User
from app.communities.models import Community, Membership
from app.communities.permissions import membership_of
from app.communities.services import get_community
from app.core import version_cache
from app.extensions import db


@pytest.fixture
def resident(make):
    community = make.community(slug="xinglin")
    user = make.member(community, username="resident")
    db.session.commit()
    ids = user.id, user.session_token, community.id
    db.session.remove()  # the test's own session holds no transaction (the requests' share SQLite's connection)
    return ids


@contextlib.contextmanager
def _page_view(app, user_id, token):
    """A GET request of the logged-in person, in its own application context (and so its own
    session and its own g), as each request has."""
    with app.app_context(), app.test_request_context("/", method="GET"):
        session["_user_id"] = f"{user_id}:{token}"
        # The tokens, read as in production before the session runs a statement (in-memory SQLite's
        # one connection is the session's: its transaction ended here, as if it had not begun).
        version_cache.request_tokens("xinglin")
        db.session.rollback()
        try:
            yield
        finally:
            db.session.rollback()


def _keep(app, user_id, token, community_id):
    """A first page view: the person's row and membership kept."""
    with _page_view(app, user_id, token):
        user = version_cache.personal_row_by_key("user", User, user_id)
        membership_of(user, get_community("xinglin"))


def test_a_kept_user_row_is_the_row_the_first_statement_returns(app, resident):
    user_id, token, community_id = resident
    _keep(app, user_id, token, community_id)
    with _page_view(app, user_id, token):
        user = version_cache.personal_row_by_key("user", User, user_id)
        assert user.id == user_id and inspect(user).detached  # waiting: no statement has run yet
        assert version_cache.personal_row_by_key("user", User, user_id) is user
        assert db.session.scalar(select(User).where(User.id == user_id)) is user
        assert inspect(user).persistent and db.session.get(User, user_id) is user


def test_a_kept_user_row_is_the_row_get_finds(app, resident):
    user_id, token, community_id = resident
    _keep(app, user_id, token, community_id)
    with _page_view(app, user_id, token):
        user = version_cache.personal_row_by_key("user", User, user_id)
        assert db.session.get(User, user_id) is user


def test_the_sessions_own_changed_copy_wins_over_a_kept_row(app, resident):
    user_id, token, community_id = resident
    _keep(app, user_id, token, community_id)
    with _page_view(app, user_id, token):
        own = db.session.get(User, user_id)
        own.display_name = "Changed here"
        own_membership = db.session.scalar(select(Membership).where(Membership.user_id == user_id))
        own_membership.address = "Changed too"
        assert version_cache.personal_row_by_key("user", User, user_id) is own
        assert membership_of(own, db.session.get(Community, community_id)) is own_membership
        assert own.display_name == "Changed here" and own_membership.address == "Changed too"


def test_a_kept_membership_row_lazy_loads_its_relationships(app, resident):
    user_id, token, community_id = resident
    _keep(app, user_id, token, community_id)
    with _page_view(app, user_id, token):
        user = version_cache.personal_row_by_key("user", User, user_id)
        community = get_community("xinglin")
        membership = membership_of(user, community)
        assert inspect(membership).persistent and inspect(community).persistent
        assert membership.community is community and membership.user is user
        assert community.memberships == [membership]
