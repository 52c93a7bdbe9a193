"""What a logged-in page view costs beyond a visitor's, kept small without changing what it shows:
the data-version tokens read outside the ORM before the request's session has run a statement (on
the session's connection after), so that a page put together from a kept body runs no statement at
all; a session cookie checked once not checked again, its age still checked; the form token signed
once a minute per session. On a SQLite file as in production (the in-memory database of the other
tests is read through the session's connection; PostgreSQL runs of the suite read it outside too)."""

import time

import pytest
from flask import g, request
from sqlalchemy import create_engine, event, select

from app import create_app
from app.auth.models import User
from app.auth.sessions import signed_in
from app.communities.models import Community
from app.core import shared_body, version_cache, version_reads
from app.extensions import db
from app.matters import services
from app.notifications.services import notify
from tests.helpers import Builder, FreshRequestClient, login
from tests.matters.helpers import fields

LIST = "/c/xinglin/matters/"


@pytest.fixture
def file_app(tmp_path):
    app = create_app(
        "test", SQLALCHEMY_DATABASE_URI=f"sqlite:///{tmp_path / 'weiyi.db'}", UPLOAD_FOLDER=str(tmp_path / "uploads")
    )
    app.test_client_class = FreshRequestClient
    with app.app_context():
        db.create_all()
        yield app
        db.session.remove()
        version_reads.forget_reader()
        db.engine.dispose()
    shared_body.clear()
    version_cache.clear()


@pytest.fixture
def resident(file_app):
    make = Builder()
    community = make.community(slug="xinglin")
    user = make.member(community, username="reader", display_name="读者")
    services.create_matter(user, community, submit=True, **fields(title="修好北门的路灯"))
    db.session.commit()
    client = file_app.test_client()
    login(client, user)
    user_id = user.id
    _get(client)  # the login's message shown
    return client, user_id


def _user(user_id):
    return db.session.get(User, user_id)


def _get(client, url=LIST):
    db.session.remove()  # each request with an empty session, as in production
    response = client.get(url, headers={"Accept-Language": "en"})
    assert response.status_code == 200, response.status_code
    return response


class Statements:
    """The statements run through the app's engine while the block runs."""

    def __enter__(self):
        self.seen = []
        event.listen(db.engine, "before_cursor_execute", self._note)
        return self.seen

    def __exit__(self, *_exc):
        event.remove(db.engine, "before_cursor_execute", self._note)

    def _note(self, _connection, _cursor, statement, *_args):
        if not statement.lstrip().upper().startswith(("BEGIN", "COMMIT", "ROLLBACK")):
            self.seen.append(statement)


@pytest.fixture
def outside_reads(monkeypatch):
    """The token reads made outside the ORM, (slug, user id) each."""
    seen = []
    read = version_cache.read_tokens

    def spy(engine, slug=None, user_id=None):
        seen.append((slug, user_id))
        return read(engine, slug, user_id)

    monkeypatch.setattr(version_cache, "read_tokens", spy)
    return seen


def test_a_kept_page_for_someone_logged_in_runs_no_statement(resident, outside_reads):
    client, user_id = resident
    _get(client)
    outside_reads.clear()
    with Statements() as seen:
        response = _get(client)
    assert response.headers.get(shared_body.HIT) == "hit"
    assert seen == []
    assert outside_reads == [("xinglin", user_id)]  # the page's and the person's tokens, one read
    assert "修好北门的路灯" in response.get_data(as_text=True) and "读者" in response.get_data(as_text=True)


def test_the_tokens_are_read_outside_the_session_only_before_its_first_statement(file_app, resident, outside_reads):
    _client, user_id = resident
    db.session.remove()
    outside_reads.clear()
    with file_app.test_request_context(LIST):
        g.pop("_data_version", None)  # (the test's app context outlives its requests)
        outside = version_cache.request_tokens("xinglin")
        assert outside_reads == [("xinglin", None)]
        assert not db.session.info.get(version_cache._BEGUN)
        db.session.scalar(select(1))  # the session's snapshot begins
        g.pop("_data_version")
        with Statements() as seen:
            inside = version_cache.request_tokens("xinglin")
        assert outside_reads == [("xinglin", None)] and len(seen) == 1  # on the session's connection
        assert inside == outside
    db.session.remove()
    assert version_reads.read_tokens(db.engine, "xinglin", user_id)[: version_reads.PAGE_TOKENS] == outside


def test_a_database_in_memory_is_read_through_the_session(file_app):
    memory = create_engine("sqlite://")
    try:
        assert version_reads.in_memory(memory) and not version_reads.in_memory(db.engine)
        assert version_reads.read_tokens(memory) is None
    finally:
        memory.dispose()


def test_a_write_between_two_views_is_seen_at_once(resident):
    client, user_id = resident
    for _ in range(2):
        _get(client)
    user = _user(user_id)
    community = db.session.scalar(select(Community).filter_by(slug="xinglin"))
    services.create_matter(user, community, submit=True, **fields(title="新来的提议"))
    db.session.commit()
    assert "新来的提议" in _get(client).get_data(as_text=True)
    notify([_user(user_id)], "Hello %(n)s", "/", n="1")
    db.session.commit()
    assert '<span class="badge">1<' in _get(client).get_data(as_text=True)
    user = _user(user_id)
    user.rotate_session_token()  # a logout elsewhere
    db.session.commit()
    html = _get(client).get_data(as_text=True)
    header = html[html.index('<header class="site">') : html.index("</header>")]
    assert "读者" not in header and "Log in" in header


def test_a_session_cookie_opened_again_still_ages(file_app, resident, monkeypatch):
    _client, user_id = resident
    login_id = _user(user_id).get_id()
    interface = file_app.session_interface
    cookie = interface.get_signing_serializer(file_app).dumps(signed_in(login_id))
    lifetime = file_app.permanent_session_lifetime.total_seconds()

    def opened(at):
        monkeypatch.setattr(time, "time", lambda: at)
        with file_app.test_request_context(LIST, headers={"Cookie": f"session={cookie}"}):
            return dict(interface.open_session(file_app, request))

    now = time.time()
    assert opened(now)["_user_id"] == login_id
    assert opened(now + 10)["_user_id"] == login_id  # the second time from what was checked
    assert opened(now + lifetime + 5) == {}  # too old, as itsdangerous would say
    tampered = cookie[:-2] + ("A" if cookie[-2] != "A" else "B") + cookie[-1]
    with file_app.test_request_context(LIST, headers={"Cookie": f"session={tampered}"}):
        assert dict(interface.open_session(file_app, request)) == {}


def test_the_form_token_is_signed_once_a_minute_per_session(file_app, resident, monkeypatch):
    client, _user_id = resident
    file_app.config["WTF_CSRF_ENABLED"] = True
    now = time.time()
    monkeypatch.setattr(shared_body.time, "time", lambda: now)
    first, second = (_get(client).get_data(as_text=True) for _ in range(2))
    token = shared_body._signed  # (session's token) -> (minute, signed)
    assert len(token) == 1
    signed = next(iter(token.values()))[1]
    assert signed in first and signed in second
    later = now + shared_body.SIGNED_TOKEN_SECONDS
    monkeypatch.setattr(shared_body.time, "time", lambda: later)
    monkeypatch.setattr("itsdangerous.timed.time.time", lambda: later + 1)
    third = _get(client).get_data(as_text=True)
    assert signed not in third
    new = next(iter(shared_body._signed.values()))[1]
    assert new in third
    assert client.post("/auth/logout", data={"csrf_token": new}).status_code == 302
