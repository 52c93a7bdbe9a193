"""A rule change adopted in a meeting with an amendment, on phones (issue 14): the committee proposes
a draft version, the meeting takes it, a member moves its adoption and another seconds, a member
moves an amendment of the motion's wording, it is seconded and carried, the motion as amended is
carried, and the new rules are in force. Votes are counted in the room and entered by the chair.
Real chromium, axe checks."""

from datetime import timedelta

from playwright.sync_api import expect
from sqlalchemy import select

from app.core import clock
from app.councils import attendance, meetings
from app.councils.models import Motion
from app.extensions import db
from app.rules.models import RuleSet

from .helpers import COMMITTEE, assert_accessible, screenshot, seed_community, sign_in

COUNCIL = [("chair", "陈会长", "chair")] + [(f"council{i}", f"议事员{i}", "council_member") for i in range(1, 5)]
LIVE = 8_000  # ms: a few polling rounds


def meeting_on_draft(app):
    """The committee puts the draft on a meeting; the secretary checks the members in."""
    from app.auth.models import User

    with app.app_context():
        user = {u.username: u for u in db.session.scalars(select(User))}
        draft = db.session.scalar(select(RuleSet).where(RuleSet.status == "draft"))
        meeting = meetings.schedule_meeting(
            user["committee"],
            draft.community,
            title="议事规则修订专题会议",
            starts_at=clock.now() + timedelta(minutes=30),
            place="活动室",
            chair_id=user["chair"].id,
            secretary_id=user["committee"].id,
            agenda_item_ids=[draft.agenda_item_id],
            urgent=True,
            urgent_reason="修订规则",
        )
        for username in ("chair", "council1", "council2", "council3", "council4"):
            attendance.check_in(user["committee"], meeting, user[username].id)
        return f"/c/xinglin/meetings/{meeting.id}"


def count_in_room(chair, yes, no):
    chair.get_by_label("表决方式").select_option(label="现场计票")
    chair.get_by_role("button", name="开始表决").click()
    expect(chair.locator(".flashes")).to_contain_text("表决已开始")
    chair.get_by_label("赞成票数").fill(str(yes))
    chair.get_by_label("反对票数").fill(str(no))
    chair.get_by_label("弃权票数").fill("0")
    chair.get_by_role("button", name="结束表决并计票").click()
    expect(chair.locator(".flashes")).to_contain_text("通过")


def test_a_rule_change_is_adopted_as_amended(live_app, live_server, new_page, quick_live_views):
    with live_app.app_context():
        seed_community([COMMITTEE, *COUNCIL], seconders_needed=1)
    base = f"{live_server.url}/c/xinglin"
    committee = new_page("phone")
    sign_in(committee, live_server, "committee")
    committee.goto(base + "/rules/")
    committee.get_by_role("link", name="提出规则修改").click()
    committee.locator("#notice_days").fill("7")
    committee.locator("#change_note").fill("会议通知期延长为7天")
    committee.locator("form.rules-form button[type=submit], form.rules-form input[type=submit]").last.click()
    committee.wait_for_url(base + "/rules/")
    assert "已提出新版本" in committee.locator("main").inner_text()

    path = meeting_on_draft(live_app)
    chair = new_page("phone")
    sign_in(chair, live_server, "chair")
    chair.goto(live_server.url + path + "/chair")
    chair.get_by_role("button", name="开始会议").click()
    expect(chair.locator(".flashes")).to_contain_text("会议已开始")
    chair.get_by_role("button", name="开始讨论").click()

    # A member moves the adoption, another seconds it.
    mover = new_page("phone")
    sign_in(mover, live_server, "council1")
    mover.goto(live_server.url + path + "/member")
    mover.get_by_label("通过新的议事规则").check()
    mover.get_by_label("动议措辞（选填）").fill("通过议事规则第2版")
    mover.get_by_role("button", name="提出动议").click()
    expect(mover.locator(".flashes")).to_contain_text("您的动议已提出")
    seconder = new_page("phone")
    sign_in(seconder, live_server, "council2")
    seconder.goto(live_server.url + path + "/member")
    seconder.get_by_role("button", name="附议该动议").click()
    expect(seconder.locator(".flashes")).to_contain_text("您已附议该动议")
    seconder.close()  # done: an open live view polls three times a second (quick_live_views)

    # A third member moves an amendment of the wording; a fourth seconds it.
    amender = new_page("phone")
    sign_in(amender, live_server, "council3")
    amender.goto(live_server.url + path + "/member")
    amender.get_by_text("我要提出修正案").click()
    amender.get_by_label("修正后的动议措辞").fill("通过议事规则第2版，自下月1日起施行")
    assert_accessible(amender, "member view with the amendment form")
    amender.get_by_role("button", name="提出修正案").click()
    expect(amender.locator(".flashes")).to_contain_text("你的修正案已提出")
    screenshot(amender, "amendment-moved-phone")
    amender.close()
    second = new_page("phone")
    sign_in(second, live_server, "council4")
    second.goto(live_server.url + path + "/member")
    expect(second.locator("main")).to_contain_text("修正：通过新的议事规则")
    second.get_by_role("button", name="附议该动议").click()
    expect(second.locator(".flashes")).to_contain_text("您已附议该动议")
    second.close()

    # The chair cannot put the main motion first: only the amendment's vote is offered.
    chair.reload()
    expect(chair.locator("main")).to_contain_text("随后表决")
    assert_accessible(chair, "chair view with a pending amendment")
    count_in_room(chair, yes=3, no=1)
    expect(mover.locator("main")).to_contain_text("已修正。原动议", timeout=LIVE)
    expect(chair.locator("main")).to_contain_text("自下月1日起施行")
    count_in_room(chair, yes=4, no=0)  # the motion as amended
    screenshot(chair, "amended-motion-carried-phone")
    with live_app.app_context():
        main = db.session.scalar(select(Motion).where(Motion.kind == "adopt_rules"))
        assert main.text == "通过议事规则第2版，自下月1日起施行"
        assert main.as_moved["text"] == "通过议事规则第2版"

    # The new rules are in force, adopted by the meeting's decision.
    committee.goto(base + "/rules/")
    main_text = committee.locator("main").inner_text()
    assert "第2版，自" in main_text and "经议事会通过" in main_text and "3 → 7" in main_text
    assert_accessible(committee, "rules in force")
    assert committee.evaluate("document.documentElement.scrollWidth") <= 390
