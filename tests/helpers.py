"""Plain helpers shared by the tests (fixtures live in the conftest files): the test client,
a builder for accounts, communities and memberships, logging in, CSRF tokens and uploads."""

import io
import re

from flask import g, has_app_context
from flask.testing import FlaskClient
from PIL import Image
from werkzeug.datastructures import FileStorage

from app.auth.models import User
from app.communities.models import Community, Membership, MembershipStatus, Role
from app.extensions import db
from app.rules.models import RuleSet


class FreshRequestClient(FlaskClient):
    """The fixture keeps one app context open for the whole test; each request still
    starts with an empty `g`, as it would in production (no cached user or locale)."""

    def open(self, *args, **kwargs):
        if has_app_context():
            for key in list(vars(g._get_current_object())):
                delattr(g, key)
        return super().open(*args, **kwargs)


class Builder:
    """Makes rows the way the services would, without going through forms."""

    def __init__(self):
        self.count = 0

    def user(self, username=None, password="password123", admin=False, display_name=None):
        user = self._new_user(username, password, admin, display_name)
        db.session.commit()
        return user

    def _new_user(self, username=None, password="password123", admin=False, display_name=None):
        """Added and flushed (it has its id), not committed."""
        user = self._user_row(username, password, admin, display_name)
        db.session.add(user)
        db.session.flush()
        return user

    def _user_row(self, username=None, password="password123", admin=False, display_name=None):
        self.count += 1
        username = username or f"user{self.count}"
        user = User(username=username, display_name=display_name or f"用户{self.count}", is_admin=admin)
        user.set_password(password)
        return user

    def community(self, slug=None, **rules):
        self.count += 1
        community = Community(
            slug=slug or f"community-{self.count}",
            name=f"社区{self.count}",
            district="姑苏区",
            register_size=1000,
            annual_budget=300_000,
        )
        db.session.add(community)
        db.session.flush()
        db.session.add(RuleSet(community_id=community.id, version=1, **rules))
        db.session.commit()
        return community

    def member(self, community, user=None, role=Role.RESIDENT, status=MembershipStatus.VERIFIED, **kw):
        user = user or self._new_user(**kw)  # one commit for the account and its membership
        db.session.add(self._membership(user, community, role, status))
        db.session.commit()
        return user

    def members(self, community, usernames, display_names=None, role=Role.RESIDENT, status=MembershipStatus.VERIFIED):
        """Members with these user names (and display names), as `member` makes them one by one
        but inserted in one flush and one commit: a flush and a commit each took 3-8 ms a member."""
        names = display_names or [None] * len(usernames)
        users = [self._user_row(username, display_name=name) for username, name in zip(usernames, names, strict=True)]
        db.session.add_all(self._membership(user, community, role, status) for user in users)
        db.session.commit()
        return users

    @staticmethod
    def _membership(user, community, role, status):
        return Membership(user=user, community_id=community.id, role=role, status=status, address="1栋1单元101室")


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


def image_bytes(fmt="PNG", size=(8, 6), color=(200, 30, 30)):
    """A small real image, made with Pillow."""
    buffer = io.BytesIO()
    Image.new("RGB", size, color).save(buffer, fmt)
    return buffer.getvalue()


def upload(data=None, name="photo.png", content_type="image/png"):
    """A file as a form would send it; a small PNG unless `data` is given."""
    return FileStorage(
        stream=io.BytesIO(image_bytes() if data is None else data), filename=name, content_type=content_type
    )
