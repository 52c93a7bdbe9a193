"""Every main page at 360 px, 390 px and 1366 px and in 长辈模式 (large text), on the demo: a
screenshot of each (under pytest's tmp dir), no horizontal scrolling, axe clean. The compact
header: one row on a phone, the rest behind a disclosure that works without script; on a desk the
navigation bar shares the content's grid."""

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from app import create_app
from app.auth.models import User
from app.auth.sessions import signed_in
from app.extensions import db
from tests.database import copy_sqlite_file

from .conftest import LiveServer, new_context
from .helpers import assert_accessible, screenshot

VIEWPORTS = {
    "360": {"viewport": {"width": 360, "height": 800}, "is_mobile": True, "has_touch": True},
    "390": {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True},
    "1366": {"viewport": {"width": 1366, "height": 800}},
}
OVERFLOW = "() => document.documentElement.scrollWidth - window.innerWidth"


@pytest.fixture(scope="module")
def screens(tmp_path_factory, demo_file):
    """One app and server for the module, on a copy of the demo: (server, {name: path} of the main
    pages, the committee's session cookie, the screenshot folder)."""
    from app.councils.models import Meeting
    from app.matters.models import MicroMatter

    folder = tmp_path_factory.mktemp("screens")
    app = create_app(
        "test",
        SQLALCHEMY_DATABASE_URI=f"sqlite:///{folder / 'screens.db'}",
        WTF_CSRF_ENABLED=True,
        UPLOAD_FOLDER=str(folder / "uploads"),
    )
    copy_sqlite_file(demo_file, folder / "screens.db")
    with app.app_context():
        matter = db.session.scalar(select(MicroMatter.id).where(MicroMatter.status == "collecting").limit(1))
        meeting = db.session.scalar(select(Meeting.id).where(Meeting.status == "closed").limit(1))
        committee = db.session.scalar(select(User).where(User.username == "committee"))
        cookie = app.session_interface.get_signing_serializer(app).dumps(signed_in(committee.get_id()))
        db.session.remove()
    c = "/c/xinglin"
    pages = {
        "front": "/",
        "community": f"{c}/",
        "matters": f"{c}/matters/",
        "matter": f"{c}/matters/{matter}",
        "meeting": f"{c}/meetings/{meeting}",
        "rules": f"{c}/rules/",
        "results": f"{c}/results",
        "notices": f"{c}/notices/",
        "tracker": f"{c}/tracker/",
    }
    with LiveServer(app) as server:
        app.config["PUBLIC_BASE_URL"] = server.url
        yield server, pages, {"name": "session", "value": cookie, "url": server.url}, folder
    with app.app_context():
        db.engine.dispose()


def _visit(page, url, name, folder, failures, axe=True):
    response = page.goto(url)
    if response.status != 200:
        failures.append(f"{name}: HTTP {response.status}")
        return
    screenshot(page, name, folder)
    overflow = page.evaluate(OVERFLOW)
    if overflow > 0:
        failures.append(f"{name}: {overflow} px wider than the screen")
    if not axe:
        return
    try:
        assert_accessible(page, name)
    except AssertionError as error:
        failures.append(str(error))


def test_main_pages_fit_every_screen_and_pass_axe(chromium, screens):
    live_server, pages, committee, tmp_path = screens
    failures = []
    variants = [(size, False) for size in VIEWPORTS] + [("390", True)]
    for size, large in variants:
        context = new_context(chromium, **VIEWPORTS[size])
        context.add_cookies([committee])  # the committee: the fullest header and the pending work
        page = context.new_page()
        if large:
            page.goto(live_server.url + "/?text=large")  # the preference is kept in the session
        for key, path in pages.items():
            name = f"{key}-{size}{'-large' if large else ''}"
            # axe at the narrowest and the widest screen and in 长辈模式; 390 px shares the 360 px layout
            _visit(page, live_server.url + path, name, tmp_path, failures, axe=size != "390" or large)
        context.close()
    assert not failures, "\n".join(failures)
    assert len(list(tmp_path.glob("*.jpg"))) == len(pages) * len(variants)


def _box(page, selector):
    return page.eval_on_selector(
        selector, "e => { const r = e.getBoundingClientRect(); return [r.left, r.top, r.width, r.height]; }"
    )


def test_phone_header_is_one_row_with_the_rest_behind_a_disclosure(chromium, screens):
    live_server, pages, committee, _folder = screens
    for size, large in (("360", False), ("390", False), ("360", True)):
        context = new_context(chromium, java_script_enabled=False, **VIEWPORTS[size])
        context.add_cookies([committee])
        page = context.new_page()
        if large:
            page.goto(live_server.url + "/?text=large")
        page.goto(live_server.url + pages["matters"])
        _, _, _, height = _box(page, "header.site")
        assert height <= (80 if large else 64), (size, large, height)
        expect(page.locator("nav.community")).not_to_be_visible()
        page.locator("header.site summary").click()  # a <details>: no script needed
        links = page.locator("nav.community a")
        expect(links.first).to_be_visible()
        assert links.count() >= 8
        expect(page.locator("nav.prefs a").last).to_be_visible()  # 长辈模式 on and off, in the menu
        assert page.evaluate(OVERFLOW) <= 0
        context.close()


def test_phone_header_at_200_percent_text(chromium, screens):
    live_server, pages, committee, _folder = screens
    context = new_context(chromium, **VIEWPORTS["360"])
    context.add_cookies([committee])
    page = context.new_page()
    page.goto(live_server.url + "/?text=large")
    for path in (pages["community"], pages["matter"]):
        page.goto(live_server.url + path)
        # the browser's text size at 200 % (CSSOM: the page's CSP refuses a <style> tag)
        page.evaluate("document.documentElement.style.setProperty('font-size', '200%', 'important')")
        page.locator("header.site summary").click()
        expect(page.locator("nav.community a").first).to_be_visible()
        assert page.evaluate(OVERFLOW) <= 0, path
    context.close()


def test_desk_navigation_and_content_share_one_grid(chromium, screens):
    live_server, pages, committee, _folder = screens
    context = new_context(chromium, **VIEWPORTS["1366"])
    context.add_cookies([committee])
    page = context.new_page()
    for path in (pages["community"], pages["matters"], pages["rules"]):
        page.goto(live_server.url + path)
        expect(page.locator("nav.community a").first).to_be_visible()  # no menu to open on a desk
        expect(page.locator("header.site summary")).not_to_be_visible()
        brand, nav, heading = (_box(page, s) for s in (".brand", "nav.community a", "main h1"))
        bar, main = _box(page, "header.site .bar"), _box(page, "main")
        assert round(brand[0]) == round(nav[0]) == round(heading[0]), path  # one left edge
        assert (round(bar[0]), round(bar[2])) == (round(main[0]), round(main[2])), path  # one width
    context.close()
