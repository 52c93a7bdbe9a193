"""Real-browser fixtures: the app served on loopback, Debian's chromium driven by Playwright.

`live_server` runs the app (CSRF on, file-backed SQLite) in a thread; `phone` and
`desktop` are fresh pages at a 390x844 phone viewport and a laptop viewport.
Screenshots go to artifacts/screenshots (kept by CI, see README).
"""
import threading
from pathlib import Path

import pytest
from playwright.sync_api import sync_playwright
from werkzeug.serving import make_server

from app import create_app
from app.extensions import db

CHROMIUM = "/usr/bin/chromium"
# Without it chromium looks up Google's hosts at start-up, which this network refuses.
RESOLVER_RULES = "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE localhost, EXCLUDE 127.0.0.1"
SCREENSHOTS = Path(__file__).resolve().parents[2] / "artifacts" / "screenshots"
PHONE = {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True,
         "device_scale_factor": 3}
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


def screenshot(page, name):
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)


def assert_accessible(page, name=""):
    """axe-core in the page; fails on serious or critical violations."""
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(page)
    bad = [v for v in results.response["violations"] if v.get("impact") in ("serious", "critical")]
    assert not bad, f"{name}: " + "; ".join(
        f"{v['id']} ({v['impact']}): {[n['target'] for n in v['nodes']][:3]}" for v in bad)


def login(page, server, username, password="password123"):
    page.goto(f"{server.url}/auth/login")
    page.get_by_label("手机号或用户名").or_(page.get_by_label("Phone number or user name")).fill(username)
    page.locator("input[name=password]").fill(password)
    page.locator("input[type=submit], button[type=submit]").filter(has_text="登录").or_(
        page.locator("#submit")).first.click()


COMMITTEE = ("committee", "居委会 周主任", "committee")


def seed_community(people, **rules):
    """In an app context: the community /c/xinglin/ with verified members given as
    (username, display name, role) and rule-set fields; returns {username: User}.
    Every account's password is "password123"."""
    from app.auth.models import User
    from app.communities.models import Community, Membership, MembershipStatus
    from app.rules.models import RuleSet

    community = Community(slug="xinglin", name="杏林社区", district="姑苏区", register_size=3200,
                          annual_budget=300_000)
    db.session.add(community)
    db.session.flush()
    db.session.add(RuleSet(community_id=community.id, version=1, **rules))
    users = {}
    for username, display_name, role in people:
        user = User(username=username, display_name=display_name)
        user.set_password("password123")
        db.session.add(user)
        db.session.flush()
        db.session.add(Membership(user_id=user.id, community_id=community.id, role=role,
                                  status=MembershipStatus.VERIFIED, address="3栋401"))
        users[username] = user
    db.session.commit()
    return community, users


def seed_matter(community, proposer, title, cost, *, category="accessibility", project_type="works",
                status="on_agenda"):
    """A micro-matter already at `status` (set directly: the test is about what comes after)."""
    from app.matters.models import MicroMatter

    matter = MicroMatter(community_id=community.id, proposer_id=proposer.id, title=title,
                         description="说明", description_html="<p>说明</p>", category=category,
                         location="小区", estimated_cost=cost, project_type=project_type, status=status)
    db.session.add(matter)
    db.session.flush()
    return matter
