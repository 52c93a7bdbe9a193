"""The street office in a real browser: a site admin (desktop) creates 双塔街道, assigns the
community and grants a street officer; the officer (phone) reads the communities side by side,
sorts them, opens the exceptions and leaves a public note, which the committee then sees on its
dashboard (desktop). Axe checks on every page; every page within 50 KB."""

from playwright.sync_api import expect

from app.auth.models import User
from app.extensions import db

from .helpers import COMMITTEE, assert_accessible, screenshot, seed_community, sign_in

BUDGET = 50_000


def seed(app):
    with app.app_context():
        seed_community([COMMITTEE, ("resident1", "居民1", "resident")])
        for username, name, admin in (("admin", "区民政局 管理员", True), ("street", "双塔街道 李科长", False)):
            user = User(username=username, display_name=name, is_admin=admin)
            user.set_password("password123")
            db.session.add(user)
        db.session.commit()


def small(page, name):
    size = page.evaluate("document.documentElement.outerHTML.length")
    assert size < BUDGET, f"{name}: {size} characters"


def submit(page, form):
    page.locator(f"{form} button[type=submit], {form} input[type=submit]").first.click()


def test_admin_sets_up_the_street_and_the_officer_notes_an_exception(live_app, live_server, new_page):
    seed(live_app)
    admin = new_page("desktop")
    sign_in(admin, live_server, "admin")
    admin.goto(f"{live_server.url}/admin/streets/")
    assert_accessible(admin, "streets admin")
    admin.locator("#name").fill("双塔街道")
    admin.locator("#slug").fill("shuangta")
    admin.locator("#district").fill("姑苏区")
    submit(admin, "form:has(#name)")
    admin.wait_for_url("**/admin/streets/*")
    admin.locator("#community").select_option(label="杏林社区 (xinglin)")
    submit(admin, "form:has(#community)")
    admin.wait_for_url("**/admin/streets/*")
    admin.locator("#username").fill("street")
    submit(admin, "form:has(#username)")
    admin.wait_for_url("**/admin/streets/*")
    assert "双塔街道 李科长" in admin.content() and "杏林社区" in admin.content()
    assert_accessible(admin, "street admin page")
    screenshot(admin, "street-admin-desktop")

    phone = new_page("phone")
    sign_in(phone, live_server, "street")
    phone.goto(live_server.url + "/")
    phone.locator("header.site summary").click()  # the phone's menu (a <details> disclosure)
    phone.get_by_role("link", name="双塔街道", exact=True).click()
    phone.wait_for_url("**/street/shuangta/")
    expect(phone.locator("table.street-figures")).to_be_visible()
    assert phone.locator("svg").count() >= 1
    assert_accessible(phone, "street dashboard (phone)")
    small(phone, "street dashboard")
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390  # the table scrolls in its own box
    screenshot(phone, "street-dashboard-phone")
    phone.locator("table.street-figures thead a").nth(2).click()  # sort by supports
    phone.wait_for_url("**sort=supports**")
    phone.get_by_role("link", name="需处理的异常").first.click()
    phone.wait_for_url("**/street/shuangta/exceptions**")
    assert_accessible(phone, "street exceptions (phone)")
    small(phone, "street exceptions")
    row = phone.locator("section#meetings tbody tr").first  # no council meeting held yet
    row.locator("summary").click()
    row.locator("textarea").fill("请于本月内召开居民议事会。")
    row.locator("button[type=submit]").click()
    phone.wait_for_url("**/street/shuangta/exceptions**")
    assert "请于本月内召开居民议事会。" in phone.locator("section#meetings").inner_text()
    screenshot(phone, "street-exceptions-phone")
    # acting inside the community stays with its committee
    response = phone.goto(f"{live_server.url}/c/xinglin/meetings/new")
    assert response.status == 403

    committee = new_page("desktop")
    sign_in(committee, live_server, "committee")
    committee.goto(f"{live_server.url}/c/xinglin/dashboard")
    assert "请于本月内召开居民议事会。" in committee.locator("#street-notes-h + ul").inner_text()
    assert_accessible(committee, "committee dashboard with street notes")
    desktop = new_page("desktop")
    sign_in(desktop, live_server, "street")
    desktop.goto(f"{live_server.url}/street/shuangta/?sort=-matters")
    assert_accessible(desktop, "street dashboard (desktop)")
    screenshot(desktop, "street-dashboard-desktop")
