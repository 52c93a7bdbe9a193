"""A rule change on a phone: the committee proposes a new version (a draft, not in force), it waits
on the council's agenda list, the council adopts it by a motion in a meeting, and the rules page
shows version 2 in force with the decision that adopted it. Real chromium, axe checks."""

from datetime import timedelta

from sqlalchemy import select

from app.auth.models import User
from app.core import clock
from app.councils import attendance, meetings, votes
from app.extensions import db
from app.rules.models import RuleSet

from .helpers import COMMITTEE, assert_accessible, screenshot, seed_community, sign_in

COUNCIL = [("chair", "陈会长", "chair")] + [(f"council{i}", f"议事员{i}", "council_member") for i in range(1, 5)]


def council_adopts(app):
    """The meeting itself is the councils' own journey (test_meeting.py); here it runs through the services."""
    with app.app_context():
        user = {u.username: u for u in db.session.scalars(select(User))}
        draft = db.session.scalar(select(RuleSet).where(RuleSet.status == "draft"))
        community = draft.community
        meeting = meetings.schedule_meeting(
            user["committee"],
            community,
            title="议事规则修订专题会议",
            starts_at=clock.now() + timedelta(minutes=30),
            place="活动室",
            chair_id=user["chair"].id,
            secretary_id=user["committee"].id,
            agenda_item_ids=[draft.agenda_item_id],
            urgent=True,
            urgent_reason="修订规则",
        )
        council = [user["chair"], *(user[f"council{i}"] for i in range(1, 5))]
        for member in council:
            attendance.check_in(user["committee"], meeting, member.id)
        meetings.open_meeting(user["committee"], meeting)
        item = meeting.items[0]
        meetings.open_item(user["committee"], meeting, item)
        motion = votes.move_motion(council[1], meeting, item, "adopt_rules", None, "通过新规则")
        votes.second_motion(council[2], meeting, motion)
        vote = votes.open_vote(user["committee"], meeting, motion, "named")
        for member in council[1:]:
            votes.cast_vote(member, meeting, vote, "yes")
        assert votes.close_vote(user["committee"], meeting, vote).passed
        return meeting.id


def test_a_rule_change_is_proposed_then_adopted_in_a_meeting(live_app, live_server, new_page):
    with live_app.app_context():
        seed_community([COMMITTEE, *COUNCIL])
    base = f"{live_server.url}/c/xinglin"
    committee = new_page("phone")
    sign_in(committee, live_server, "committee")
    committee.goto(base + "/rules/")
    committee.get_by_role("link", name="提出规则修改").click()
    assert_accessible(committee, "rules form")
    committee.locator("#notice_days").fill("7")
    committee.locator("#change_note").fill("会议通知期延长为7天")
    committee.locator("form.rules-form button[type=submit], form.rules-form input[type=submit]").last.click()
    committee.wait_for_url(base + "/rules/")
    main = committee.locator("main").inner_text()
    assert "第1版" in main and "已提出新版本" in main
    committee.locator("a[href$='/rules/v2']").first.click()
    assert "尚未生效" in committee.locator("main").inner_text()
    assert_accessible(committee, "draft version")
    screenshot(committee, "rules-draft-phone")
    committee.goto(base + "/agenda/")
    assert "议事规则第2版" in committee.locator("main").inner_text()

    meeting_id = council_adopts(live_app)
    committee.goto(base + "/rules/")
    main = committee.locator("main").inner_text()
    assert "第2版，自" in main and "经议事会通过" in main and "3 → 7" in main
    assert committee.locator(f"a[href$='/meetings/{meeting_id}']").count() >= 1
    assert_accessible(committee, "rules in force with the adopting decision")
    screenshot(committee, "rules-adopted-phone")
    assert committee.evaluate("document.documentElement.scrollWidth") <= 390
