"""Real-browser fixtures: the app served on loopback, Debian's chromium (its headless shell)
driven by Playwright.

`live_server` runs the app (CSRF on, file-backed SQLite) in a thread: one app and server for the
run, whose database each test finds empty (`live_app`). `phone` and `desktop` are fresh pages at a
390x844 phone viewport and a laptop viewport.
Screenshots go to artifacts/screenshots (kept by CI, see README).
"""

import copy
import threading

import pytest
from playwright.sync_api import sync_playwright
from werkzeug.serving import make_server

from app import create_app
from app.extensions import db, limiter
from tests.database import copy_sqlite_file

# Debian's build of chromium's "old headless shell" (Blink, V8 and the print path without the
# browser's own UI), as Playwright itself uses for headless runs: the browser tests took 43 % less
# CPU than with the full chromium (412 against 725 CPU-s, README "Tests").
CHROMIUM = "/usr/bin/chromium-headless-shell"
# Without it chromium looks up Google's hosts at start-up, which this network refuses.
RESOLVER_RULES = "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE localhost, EXCLUDE 127.0.0.1"
PHONE = {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True, "device_scale_factor": 3}
DESKTOP = {"viewport": {"width": 1366, "height": 800}}

pytestmark = pytest.mark.browser


class LiveServer:
    def __init__(self, app):
        self.app = app
        self.server = make_server("127.0.0.1", 0, app, threaded=True)
        self.url = f"http://127.0.0.1:{self.server.server_port}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.server.shutdown()
        self.thread.join(5)


def _file_app(folder):
    """An app (CSRF on) on the SQLite file folder/browser.db, holding the schema."""
    app = create_app(
        "test",
        SQLALCHEMY_DATABASE_URI=f"sqlite:///{folder / 'browser.db'}",
        WTF_CSRF_ENABLED=True,
        UPLOAD_FOLDER=str(folder / "uploads"),
    )
    with app.app_context():
        db.create_all()
    return app


def _close_connections(app):
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


@pytest.fixture(scope="session")
def shared_live_server(tmp_path_factory):
    """The app and server that most browser tests share: an app per test (and its templates
    compiled again) took a second or two each. `live_app` empties the database for each test."""
    folder = tmp_path_factory.mktemp("live")
    app = _file_app(folder)
    copy_sqlite_file(folder / "browser.db", folder / "empty.db")
    with LiveServer(app) as server:
        app.config["PUBLIC_BASE_URL"] = server.url  # as a deployment sets its address
        server.empty_database = folder / "empty.db"
        server.database = folder / "browser.db"
        yield server
    _close_connections(app)


@pytest.fixture
def live_app(request, tmp_path):
    """The app the live server runs, on an empty database with the schema, uploads in the test's
    tmp_path. A test marked own_app (one that adds a route) gets an app of its own."""
    if request.node.get_closest_marker("own_app"):
        app = _file_app(tmp_path)
        yield app
        _close_connections(app)
        return
    server = request.getfixturevalue("shared_live_server")
    app = server.app
    config = copy.deepcopy(dict(app.config))
    _close_connections(app)  # nothing open on the file while it is replaced
    copy_sqlite_file(server.empty_database, server.database)
    app.config["UPLOAD_FOLDER"] = str(tmp_path / "uploads")
    # The limiter is one object for every app; an app made by another test may have switched it on.
    limiter.init_app(app)
    try:
        yield app
    finally:
        _close_connections(app)
        app.config.clear()
        app.config.update(config)
        if hasattr(app.wsgi_app, "clear"):  # the page cache: pages of this test's data
            app.wsgi_app.clear()


@pytest.fixture
def live_server(request, live_app):
    if not request.node.get_closest_marker("own_app"):
        yield request.getfixturevalue("shared_live_server")
        return
    with LiveServer(live_app) as server:
        live_app.config["PUBLIC_BASE_URL"] = server.url  # as a deployment sets its address
        yield server


@pytest.fixture
def quick_live_views(monkeypatch):
    """A meeting's live views (static/councils/live.js) poll every 2.5 s; a test that waits on one
    screen for what another did has them poll a few times a second: each wait then ends within a
    fraction of a second instead of up to 2.5 s."""
    from app.councils import live_views

    monkeypatch.setattr(live_views, "POLL_MS", 300)


@pytest.fixture(scope="session")
def chromium():
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=[RESOLVER_RULES])
        yield browser
        browser.close()


def new_context(chromium, locale="zh-CN", service_workers="block", **options):
    """A browser context without the offline worker (static/sw.js) unless asked for: registering
    it, fetching its shell and saving every page opened took about a third of chromium's CPU
    per context; only test_offline.py is about it."""
    context = chromium.new_context(locale=locale, service_workers=service_workers, **options)
    context.set_default_timeout(10_000)
    return context


@pytest.fixture
def new_page(chromium):
    """new_page(kind="phone"|"desktop", locale="zh-CN", service_workers="block") -> a fresh page
    in its own context."""
    contexts = []

    def factory(kind="phone", locale="zh-CN", service_workers="block"):
        context = new_context(chromium, locale, service_workers, **(PHONE if kind == "phone" else DESKTOP))
        page = context.new_page()
        contexts.append(context)
        return page

    yield factory
    for context in contexts:
        context.close()


@pytest.fixture
def phone(new_page):
    return new_page("phone")


@pytest.fixture
def desktop(new_page):
    return new_page("desktop")
