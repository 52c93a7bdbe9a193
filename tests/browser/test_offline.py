"""Offline on a phone (static/sw.js, static/offline.js), in real chromium with Playwright's offline mode:
pages the resident opened come back offline under an "offline" banner, a proposal written offline
is kept as a draft and put into a freshly loaded form once the network is back, no-store pages
are never kept, and logging out drops the saved pages. Without JavaScript the form works as ever."""

import re

import pytest

from app.extensions import db
from app.matters.models import MicroMatter

from .conftest import PHONE
from .helpers import COMMITTEE, assert_accessible, login, screenshot, seed_community, seed_matter

TITLE = "5栋门口的路灯不亮"
SECRET = "只给本人看的内容"


@pytest.fixture
def private_page(live_app):
    """A page of the community sent with Cache-Control: no-store (like a receipt or a reset code)."""
    live_app.add_url_rule(
        "/c/xinglin/no-store-test",
        "no_store_test",
        lambda: (f"<html lang=zh><p>{SECRET}</p>", {"Cache-Control": "no-store"}),
    )


def seed(app):
    with app.app_context():
        community, users = seed_community([COMMITTEE, ("wang", "王阿姨", "resident")])
        matter = seed_matter(community, users["wang"], "3栋加装扶手", 8000, status="collecting")
        db.session.commit()
        return matter.id


def saved_pages(page):
    return page.evaluate(
        "caches.open('weiyi-pages').then(c => c.keys()).then(keys => keys.map(r => new URL(r.url).pathname))"
    )


def eventually(check, page, seconds=5):
    """The worker drops its caches when told to, a moment after the page asks."""
    for _ in range(seconds * 10):
        if check():
            return True
        page.wait_for_timeout(100)
    return False


@pytest.mark.own_app  # private_page adds a route
def test_pages_and_a_proposal_without_network(live_app, private_page, live_server, new_page):
    matter_id = seed(live_app)
    base = f"{live_server.url}/c/xinglin"
    page = new_page("phone", service_workers="allow")
    context = page.context
    login(page, live_server, "wang")
    page.wait_for_load_state()
    page.goto(f"{base}/")
    page.wait_for_function("navigator.serviceWorker.controller !== null")  # the worker now serves this tab
    for path in ("/", "/matters/", f"/matters/{matter_id}", "/matters/new", "/no-store-test"):
        page.goto(base + path)
    assert {"/c/xinglin/", f"/c/xinglin/matters/{matter_id}", "/c/xinglin/matters/new"} <= set(saved_pages(page))
    assert "/c/xinglin/no-store-test" not in saved_pages(page)

    # Offline: a page opened before comes back, saying it is the saved copy.
    context.set_offline(True)
    page.goto(f"{base}/matters/{matter_id}")
    assert page.locator("h1").inner_text() == "3栋加装扶手"
    banner = page.locator(".offline-banner")
    assert "没有网络" in banner.inner_text() and "副本" in banner.inner_text()
    screenshot(page, "offline-1-saved-page")
    assert_accessible(page, "saved page offline")
    # A page sent with no-store was never kept: the offline page stands in for it.
    page.goto(f"{base}/no-store-test")
    assert SECRET not in page.content() and "这一页没有保存在这部手机上" in page.content()
    assert_accessible(page, "offline page")

    # A proposal written offline is kept on the phone, without photos.
    page.goto(f"{base}/matters/new")
    page.get_by_label("标题", exact=True).fill(TITLE)
    page.get_by_label("说明", exact=True).fill("晚上很黑，老人出门不方便。")
    page.get_by_label("地点", exact=True).fill("5栋单元门口")
    page.get_by_label("预计费用（元）").fill("3000")
    page.get_by_role("button", name="保存并提交，征集附议").click()
    assert "草稿" in banner.inner_text() and "照片不会保存" in banner.inner_text()
    assert page.url.endswith("/matters/new")
    screenshot(page, "offline-2-draft-kept")
    assert_accessible(page, "draft kept")

    # Back online: the draft goes into a form loaded afresh (a fresh CSRF token), never replayed.
    context.set_offline(False)
    page.get_by_role("button", name="重新加载本页").click()
    page.wait_for_load_state()
    assert page.locator("input[name=title]").input_value() == ""
    page.get_by_role("button", name="填回表单").click()
    assert page.locator("input[name=title]").input_value() == TITLE
    assert page.locator("input[name=estimated_cost]").input_value() == "3000"
    assert "添加照片" in page.locator(".offline-banner").inner_text()
    screenshot(page, "offline-3-draft-restored")
    assert_accessible(page, "draft restored")
    page.get_by_role("button", name="保存并提交，征集附议").click()
    page.wait_for_url(re.compile(r"/matters/\d+$"))
    with live_app.app_context():
        assert db.session.query(MicroMatter).filter_by(title=TITLE).count() == 1
    assert page.evaluate("Object.keys(localStorage).filter(k => k.startsWith('weiyi-draft'))") == []

    # Logging out drops every saved page of the community.
    page.locator("header.site summary").click()  # the phone's menu (a <details> disclosure)
    page.get_by_role("button", name="退出登录").click()
    page.wait_for_load_state()
    assert eventually(lambda: not [path for path in saved_pages(page) if path.startswith("/c/")], page)
    context.set_offline(True)
    page.goto(f"{base}/matters/{matter_id}")
    assert "3栋加装扶手" not in page.content() and "这一页没有保存在这部手机上" in page.content()
    context.set_offline(False)


def test_the_proposal_form_works_without_javascript(live_app, live_server, chromium):
    seed(live_app)
    context = chromium.new_context(locale="zh-CN", java_script_enabled=False, **PHONE)
    try:
        page = context.new_page()
        login(page, live_server, "wang")
        page.wait_for_load_state()
        page.goto(f"{live_server.url}/c/xinglin/matters/new")
        page.get_by_label("标题", exact=True).fill(TITLE)
        page.get_by_label("说明", exact=True).fill("晚上很黑。")
        page.get_by_label("地点", exact=True).fill("5栋单元门口")
        page.get_by_label("预计费用（元）").fill("3000")
        page.get_by_role("button", name="保存并提交，征集附议").click()
        page.wait_for_url(re.compile(r"/matters/\d+$"))
        assert page.locator("h1").inner_text() == TITLE
        assert page.locator(".offline-banner").count() == 0
    finally:
        context.close()


def test_a_timed_out_login_drops_the_saved_pages_but_keeps_the_draft(live_app, live_server, new_page):
    matter_id = seed(live_app)
    base = f"{live_server.url}/c/xinglin"
    page = new_page("phone", service_workers="allow")
    login(page, live_server, "wang")
    page.wait_for_load_state()
    page.goto(f"{base}/matters/{matter_id}")
    page.wait_for_function("navigator.serviceWorker.controller !== null")
    page.goto(f"{base}/matters/{matter_id}")
    assert f"/c/xinglin/matters/{matter_id}" in saved_pages(page)
    page.evaluate("localStorage.setItem('weiyi-draft:/c/xinglin/matters/new', '{\"title\": \"x\"}')")
    page.context.clear_cookies()  # as when the login times out: the next page comes signed out
    page.goto(f"{base}/")
    assert eventually(lambda: not [p for p in saved_pages(page) if "/matters/" in p], page)
    assert page.evaluate("localStorage.getItem('weiyi-draft:/c/xinglin/matters/new')") == '{"title": "x"}'
