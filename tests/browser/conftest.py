"""Real-browser fixtures: the app served on loopback, Debian's chromium driven by Playwright.

`live_server` runs the app (CSRF on, file-backed SQLite) in a thread; `phone` and
`desktop` are fresh pages at a 390x844 phone viewport and a laptop viewport.
Screenshots go to artifacts/screenshots (kept by CI, see README).
"""

import threading

import pytest
from playwright.sync_api import sync_playwright
from werkzeug.serving import make_server

from app import create_app
from app.extensions import db

CHROMIUM = "/usr/bin/chromium"
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


@pytest.fixture
def live_app(tmp_path):
    app = create_app(
        "test",
        SQLALCHEMY_DATABASE_URI=f"sqlite:///{tmp_path / 'browser.db'}",
        WTF_CSRF_ENABLED=True,
        UPLOAD_FOLDER=str(tmp_path / "uploads"),
    )
    with app.app_context():
        db.create_all()
    yield app
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


@pytest.fixture
def live_server(live_app):
    with LiveServer(live_app) as server:
        live_app.config["PUBLIC_BASE_URL"] = server.url  # as a deployment sets its address
        yield server


@pytest.fixture(scope="session")
def chromium():
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=[RESOLVER_RULES])
        yield browser
        browser.close()


def _page(chromium, options, locale):
    context = chromium.new_context(locale=locale, **options)
    context.set_default_timeout(10_000)
    return context, context.new_page()


@pytest.fixture
def new_page(chromium):
    """new_page(kind="phone"|"desktop", locale="zh-CN") -> a fresh page in its own context."""
    contexts = []

    def factory(kind="phone", locale="zh-CN"):
        context, page = _page(chromium, PHONE if kind == "phone" else DESKTOP, locale)
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
