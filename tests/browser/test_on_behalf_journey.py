"""代录 on a phone: a grid worker finds an older resident, records their support given by phone
(ticking that they agreed), and the matter's page shows the support counted and marked as entered on
behalf, by channel. Real chromium at a phone viewport, axe checks on each page."""

from playwright.sync_api import expect

from app.extensions import db

from .helpers import COMMITTEE, assert_accessible, screenshot, seed_community, seed_matter, sign_in


def seed(app):
    with app.app_context():
        community, users = seed_community(
            [
                COMMITTEE,
                ("grid1", "网格员 小李", "grid_worker"),
                ("wangayi", "王阿姨", "resident"),
                ("sunnainai", "孙奶奶", "resident"),
            ]
        )
        matter = seed_matter(community, users["wangayi"], "12栋楼道加装扶手", 9_000, status="collecting")
        db.session.commit()
        return matter.id


def test_grid_worker_records_a_support_on_a_phone(live_app, live_server, phone):
    matter_id = seed(live_app)
    base = f"{live_server.url}/c/xinglin"
    sign_in(phone, live_server, "grid1")
    phone.goto(f"{base}/matters/{matter_id}")
    phone.get_by_role("link", name="为居民代录附议或评论").click()
    assert_accessible(phone, "entries on behalf")
    phone.get_by_label("居民姓名或住址").fill("孙奶奶")
    phone.get_by_role("button", name="查找").click()
    phone.get_by_role("link", name="孙奶奶").click()
    assert_accessible(phone, "the resident's page")
    phone.get_by_role("link", name="附议", exact=True).click()
    assert phone.get_by_label("微实事").input_value() == str(matter_id)  # chosen from the matter's page
    phone.get_by_label("电话").check()
    phone.get_by_role("button", name="代录附议").click()
    # without the resident's agreement ticked: refused, the choices kept
    expect(phone.get_by_text("请勾选，确认居民本人已同意。").first).to_be_visible()
    assert phone.get_by_label("电话").is_checked()
    assert_accessible(phone, "support form with an error")
    phone.get_by_label("居民本人同意由我以其名义代为录入。").check()
    screenshot(phone, "on-behalf-support-phone")
    phone.get_by_role("button", name="代录附议").click()
    expect(phone.get_by_text("已为孙奶奶代录，系统会通知本人。")).to_be_visible()
    expect(phone.get_by_text("电话：1")).to_be_visible()  # the panel: supports entered on behalf, by channel
    assert phone.locator("#support-progress").get_attribute("value") == "1"  # counted like her own
    screenshot(phone, "on-behalf-matter-phone")
    phone.goto(f"{base}/on-behalf/")
    expect(phone.get_by_text("孙奶奶").first).to_be_visible()  # the worker's own list
    assert_accessible(phone, "the worker's entries")
    screenshot(phone, "on-behalf-entries-phone")
    width = phone.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, f"the page is wider than the phone: {width}px"
