"""五社联动 on a phone: a resident signs up as a volunteer from the account page, signs up for a
delivery task; the committee confirms the sign-up and logs the hours; the volunteer sees their
hours of the year. Real chromium at a phone viewport, axe checks on each page."""

from playwright.sync_api import expect

from app.core import clock
from app.extensions import db
from app.matters import lifecycle
from app.partners import delivery_tasks

from .helpers import COMMITTEE, assert_accessible, screenshot, seed_community, seed_matter, sign_in


def seed(app):
    """An approved micro-matter with a delivery task today (so hours can be logged at once)."""
    with app.app_context():
        community, users = seed_community([COMMITTEE, ("wangayi", "王阿姨", "resident")])
        matter = seed_matter(community, users["wangayi"], "中心花园增设休息座椅", 15_000)
        committee = users["committee"]
        lifecycle.apply(matter, "approve", committee, system=True, meeting_id=1, budget=15_000)
        db.session.commit()
        task = delivery_tasks.add_task(
            committee, matter, title="搬运座椅", people_needed=3, task_date=clock.local_today(), hours="2.5"
        )
        return matter.id, task.id


def test_volunteer_journey(live_app, live_server, new_page):
    matter_id, task_id = seed(live_app)
    base = f"{live_server.url}/c/xinglin"

    resident = new_page("phone")
    sign_in(resident, live_server, "wangayi")
    resident.goto(f"{live_server.url}/auth/profile")
    resident.get_by_role("link", name="报名成为志愿者").click()
    assert_accessible(resident, "volunteer sign-up")
    resident.get_by_label("我能做什么").fill("搬运、陪伴老人")
    resident.get_by_label("我方便的时间").fill("周末")
    resident.get_by_role("button", name="保存").click()
    expect(resident.get_by_text("您的志愿者信息已保存")).to_be_visible()

    resident.goto(f"{base}/matters/{matter_id}")
    resident.get_by_role("link", name="搬运座椅").click()
    assert_accessible(resident, "task page")
    resident.get_by_role("button", name="报名参加此任务").click()
    expect(resident.get_by_text("报名成功，等待居委会确认。")).to_be_visible()
    screenshot(resident, "volunteer-signed-up-phone")

    committee = new_page("phone")
    sign_in(committee, live_server, "committee")
    committee.goto(f"{base}/partners/")
    committee.get_by_role("link", name="添加伙伴").click()
    assert_accessible(committee, "add a partner")
    committee.get_by_label("伙伴类型").select_option("volunteer_team")
    committee.get_by_label("名称").fill("杏林社区志愿者服务队")
    committee.get_by_label("联系人（姓名和电话）").fill("刘师傅 13800001111")
    committee.get_by_role("button", name="保存伙伴信息").click()
    expect(committee.get_by_text("刘师傅 13800001111")).to_be_visible()  # the committee sees the contact
    committee.goto(f"{base}/matters/{matter_id}/tasks/new")
    assert_accessible(committee, "new task form")
    committee.goto(f"{base}/tasks/{task_id}")
    committee.get_by_label("伙伴", exact=True).select_option(label="杏林社区志愿者服务队")
    committee.get_by_role("button", name="为伙伴报名").click()
    expect(committee.get_by_text("已为伙伴报名。")).to_be_visible()
    expect(committee.get_by_text("王阿姨")).to_be_visible()
    committee.get_by_role("button", name="确认", exact=True).click()
    expect(committee.get_by_text("报名已确认。")).to_be_visible()
    hours = committee.get_by_label("服务时长（小时）")
    hours.fill("3")  # beyond the task's 2.5 hours: refused, the text kept
    committee.get_by_role("button", name="确认时长").click()
    expect(committee.get_by_text("不能超过任务时长：2.5 小时。")).to_be_visible()
    assert committee.get_by_label("服务时长（小时）").input_value() == "3"
    committee.get_by_label("服务时长（小时）").fill("2.5")
    committee.get_by_role("button", name="确认时长").click()
    expect(committee.get_by_text("服务时长已确认。")).to_be_visible()
    assert_accessible(committee, "task page (committee)")
    screenshot(committee, "volunteer-hours-confirmed-phone")

    resident.goto(f"{base}/volunteer")
    with live_app.app_context():
        year = clock.local_today().year
    expect(resident.get_by_text(f"{year} 年已确认的志愿服务时长：2.5 小时")).to_be_visible()
    resident.goto(f"{live_server.url}/auth/profile")
    expect(resident.get_by_text("今年已确认 2.5 小时")).to_be_visible()
    # The matter's page counts the volunteer without naming them (they did not agree).
    resident.goto(f"{base}/matters/{matter_id}")
    expect(resident.get_by_text("1 名志愿者，已确认 2.5 小时")).to_be_visible()
    expect(resident.locator(".partners-panel").get_by_text("杏林社区志愿者服务队")).to_be_visible()
    assert resident.locator(".partners-panel").get_by_text("王阿姨").count() == 0
