"""MICROCACHE_SECONDS: visitors without cookies share a rendering for a few seconds; anyone with
a cookie, any write and any page that must stay fresh or starts a session gets a new one."""

import pytest

import app.ops.microcache as microcache
from app import create_app
from app.extensions import db
from tests.database import empty_database, fresh_schema
from tests.helpers import FreshRequestClient, login


class Clock:
    def __init__(self):
        self.now = 1000.0

    def __call__(self):
        return self.now


@pytest.fixture
def cached(tmp_path, monkeypatch):
    clock = Clock()
    monkeypatch.setattr(microcache.time, "monotonic", clock)
    app = create_app("test", MICROCACHE_SECONDS=2, UPLOAD_FOLDER=str(tmp_path / "uploads"))
    app.test_client_class = FreshRequestClient
    with app.app_context():
        fresh_schema()
        app.clock = clock
        yield app
        empty_database()


def _rename(community, name):
    community.name = name
    db.session.commit()


def test_visitors_share_a_rendering_for_a_few_seconds(cached, make):
    community = make.community()
    client = cached.test_client()
    url = f"/c/{community.slug}/matters/"
    assert community.name in client.get(url).get_data(as_text=True)
    _rename(community, "新名字社区")
    assert "新名字社区" not in client.get(url).get_data(as_text=True)  # from the cache
    cached.clock.now += 2.5
    assert "新名字社区" in client.get(url).get_data(as_text=True)  # expired: rendered again


def test_people_with_a_cookie_always_get_a_fresh_page(cached, make):
    community = make.community()
    user = make.user()
    visitor, member = cached.test_client(), cached.test_client()
    url = f"/c/{community.slug}/"
    visitor.get(url)
    login(member, user)
    _rename(community, "改过的名字")
    assert "改过的名字" in member.get(url).get_data(as_text=True)
    assert "改过的名字" not in visitor.get(url).get_data(as_text=True)


def test_languages_are_kept_apart(cached, make):
    community = make.community()
    client = cached.test_client()
    url = f"/c/{community.slug}/"
    chinese = client.get(url, headers={"Accept-Language": "zh-CN"}).get_data(as_text=True)
    english = client.get(url, headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert 'lang="zh-Hans"' in chinese and 'lang="en"' in english


def test_nothing_that_sets_a_cookie_or_must_stay_fresh_is_kept(cached, make):
    calls = []

    @cached.get("/_test/fresh")
    def fresh():
        calls.append(1)
        return f"call {len(calls)}", 200, {"Cache-Control": "no-store"}

    community = make.community()
    client = cached.test_client()
    assert client.get("/_test/fresh").data == b"call 1"
    assert client.get("/_test/fresh").data == b"call 2"  # no-store: never reused
    first = client.get(f"/c/{community.slug}/?lang=en")  # a preference: the session cookie is set
    assert "Set-Cookie" in first.headers
    client.delete_cookie("session")
    assert "Set-Cookie" in client.get(f"/c/{community.slug}/?lang=en").headers  # not replayed from a cache


def test_writes_and_errors_are_never_cached(cached, make):
    client = cached.test_client()
    assert client.get("/c/nowhere/").status_code == 404
    store = next(m for m in _middlewares(cached) if isinstance(m, microcache.MicroCache)).store
    assert not store
    assert client.post("/auth/login", data={"username": "x", "password": "y"}).status_code == 400
    assert not store


def test_off_unless_configured(app):
    assert not any(isinstance(m, microcache.MicroCache) for m in _middlewares(app))


def _middlewares(app):
    layer = app.wsgi_app
    while layer is not None:
        yield layer
        layer = getattr(layer, "wsgi_app", None) or getattr(layer, "app", None)
