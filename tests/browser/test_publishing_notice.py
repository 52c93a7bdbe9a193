"""A committee publishes an acceptance notice on a laptop, a resident objects from a phone, the
committee answers, and the printable A4 page shows a QR code. Real chromium, axe on each page."""

from app.core import clock
from app.extensions import db
from app.matters import lifecycle
from app.tracker import delivery
from app.tracker import records as record_services

from .helpers import COMMITTEE, assert_accessible, screenshot, seed_community, seed_matter, sign_in


def seed(app):
    with app.app_context():
        community, users = seed_community([COMMITTEE, ("wangayi", "王阿姨", "resident")])
        matter = seed_matter(community, users["wangayi"], "5栋门口加装无障碍坡道", 12_000)
        committee = users["committee"]
        lifecycle.apply(matter, "approve", committee, system=True, budget=12_000)
        db.session.commit()
        record = record_services.record_for_matter(matter)
        delivery.update_details(
            committee, record, responsible_unit="苏州安居建设有限公司", contact="", planned_start=None, planned_end=None
        )
        delivery.start(committee, record)
        delivery.accept(committee, record, accepted_on=clock.local_today(), note="验收合格")
        return record.id


def test_publish_object_answer_and_print(live_app, live_server, new_page):
    record_id = seed(live_app)
    desk = new_page("desktop")
    sign_in(desk, live_server, "committee")
    desk.goto(f"{live_server.url}/c/xinglin/notices/new")
    desk.locator(f"a[href*='kind=acceptance&ref={record_id}']").click()
    assert desk.locator("text=苏州安居建设有限公司").count() >= 1
    desk.get_by_label("前言（可选）").fill("欢迎居民监督。")
    desk.locator("#submit").click()
    desk.wait_for_url("**/c/xinglin/notices/*")
    notice_url = desk.url
    assert desk.locator("h1").inner_text().startswith("验收公示")
    assert_accessible(desk, "notice (committee)")

    phone = new_page("phone")
    sign_in(phone, live_server, "wangayi")
    phone.goto(notice_url)
    phone.get_by_label("您的异议").fill("坡道坡度偏陡，请复核。")
    phone.locator("#submit").click()
    assert phone.locator("text=坡道坡度偏陡，请复核。").count() == 1
    screenshot(phone, "notice-objection-phone")
    assert_accessible(phone, "notice with objection (phone)")

    desk.goto(notice_url)
    desk.locator("textarea[name$='-answer']").fill("已复测，坡度为1:12，符合规范。")
    desk.locator("input[type=submit][name$='-submit']").click()
    assert desk.locator("text=已复测，坡度为1:12，符合规范。").count() == 1

    phone.goto(notice_url + "/print")
    assert phone.locator("svg.qr").count() == 1 and phone.locator("nav").count() == 0
    screenshot(phone, "notice-print-phone")
    assert_accessible(phone, "printable notice")
    phone.goto(f"{live_server.url}/c/xinglin/results")
    assert_accessible(phone, "results overview")
    phone.goto(f"{live_server.url}/api/v1/docs/voting")
    assert_accessible(phone, "API docs")
