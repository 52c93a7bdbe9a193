"""The committee updates progress (milestone done with a photo, progress) on a laptop and on a phone;
a resident rates a completed project on a phone. Real chromium, axe checks on each page."""

from datetime import timedelta

import pytest
from PIL import Image
from playwright.sync_api import expect

from app.core import clock
from app.extensions import db
from app.matters import lifecycle
from app.tracker import delivery, rating
from app.tracker import records as record_services

from .helpers import COMMITTEE, assert_accessible, screenshot, seed_community, seed_matter, sign_in


def seed(app, *, evaluating=False):
    """A community, its committee, two residents, and an approved micro-matter already started."""
    with app.app_context():
        community, users = seed_community([COMMITTEE, ("wangayi", "王阿姨", "resident"), ("lishu", "李叔", "resident")])
        matter = seed_matter(community, users["wangayi"], "5栋门口加装无障碍坡道", 12_000)
        committee = users["committee"]
        lifecycle.apply(matter, "approve", committee, system=True, meeting_id=1, budget=12_000)
        db.session.commit()
        record = record_services.record_for_matter(matter)
        delivery.update_details(
            committee,
            record,
            responsible_unit="苏州安居建设有限公司",
            contact="李工 13800000000",
            planned_start=None,
            planned_end=None,
        )
        delivery.start(committee, record)
        today = clock.local_today()
        milestone = delivery.add_milestone(
            committee, record, title="坡道浇筑完成", planned_date=today + timedelta(days=3)
        )
        if evaluating:
            delivery.complete_milestone(committee, record, milestone.id, done_on=today, note="完工")
            delivery.accept(committee, record, accepted_on=today, note="验收合格")
            rating.open_evaluation(committee, record, closes_on=today + timedelta(days=10))
        return record.id, milestone.id


def photo_file(tmp_path):
    path = tmp_path / "site.jpg"
    Image.new("RGB", (320, 240), (90, 140, 200)).save(path, "JPEG")
    return str(path)


@pytest.mark.parametrize("kind", ["desktop", "phone"])
def test_committee_updates_progress(live_app, live_server, new_page, tmp_path, kind):
    record_id, milestone_id = seed(live_app)
    page = new_page(kind)
    sign_in(page, live_server, "committee")
    base = f"{live_server.url}/c/xinglin/tracker/{record_id}"
    page.goto(base + "/manage")
    assert_accessible(page, f"manage record ({kind})")
    # Milestone done, with a photo as evidence.
    page.locator("summary", has_text="坡道浇筑完成").click()
    form = page.locator(f"form[action$='/milestones/{milestone_id}/done']")
    form.get_by_label("完成日期").fill(str(services_today(live_app)))
    form.get_by_label("说明").fill("坡道已浇筑，养护中。")
    form.get_by_label("现场照片（佐证）").set_input_files(photo_file(tmp_path))
    form.locator("input[type=submit]").click()
    expect(page.locator(".flash.success")).to_be_visible()
    # Progress follows the milestones (1 of 1 done): no percentage to type.
    assert page.locator("#manage-progress").get_attribute("value") == "100"
    assert page.get_by_label("进度（百分比）").count() == 0
    # An empty update is refused with a message next to the field.
    page.locator("form[action$='/updates'] input[type=submit]").click()
    expect(page.locator("#update-body-error")).to_be_visible()
    page.get_by_label("进展动态", exact=True).fill("坡道已完成，扶手下周安装。")
    page.locator("form[action$='/updates'] input[type=submit]").click()
    expect(page.locator(".flash.success")).to_be_visible()
    screenshot(page, f"tracker-manage-{kind}")
    page.goto(base)
    assert page.locator("#record-progress").get_attribute("value") == "100"
    expect(page.locator("#milestones .ok").first).to_be_visible()
    assert page.locator(".tracker-photos img").count() == 1
    assert_accessible(page, f"record page ({kind})")
    screenshot(page, f"tracker-record-{kind}")


def services_today(app):
    with app.app_context():
        return clock.local_today()


def test_resident_rates_on_a_phone(live_app, live_server, phone):
    record_id, _ = seed(live_app, evaluating=True)
    sign_in(phone, live_server, "lishu")
    phone.goto(f"{live_server.url}/c/xinglin/tracker/{record_id}")
    phone.get_by_role("link", name="评价该项目").click()
    phone.wait_for_url(f"**/tracker/{record_id}/rate")
    assert_accessible(phone, "rating form")
    # Sending without a choice: the server asks for one and keeps the comment.
    phone.get_by_label("意见（选填）").fill("坡道很好用，推车方便多了。")
    phone.locator("form.tracker-rating input[type=submit]").click()
    expect(phone.locator("#stars-error")).to_be_visible()
    assert phone.get_by_label("意见（选填）").input_value() == "坡道很好用，推车方便多了。"
    phone.get_by_label("4 星：满意").check()
    screenshot(phone, "tracker-rating-phone")
    phone.locator("form.tracker-rating input[type=submit]").click()
    phone.wait_for_url(f"**/tracker/{record_id}#evaluation")
    expect(phone.locator(".flash.success")).to_be_visible()
    expect(phone.get_by_text("您已评价该项目，谢谢！")).to_be_visible()
    assert "坡道很好用" in phone.locator("#evaluation").inner_text()
    assert_accessible(phone, "record after rating")
    screenshot(phone, "tracker-rated-phone")
    with live_app.app_context():
        from app.tracker.models import Evaluation

        ratings = db.session.scalars(db.select(Evaluation)).all()
        assert [(r.stars, r.relation) for r in ratings] == [(4, "resident")]
