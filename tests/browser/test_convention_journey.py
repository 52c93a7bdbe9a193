"""The residents' convention on a phone: a resident proposes an amendment, another supports it,
the committee admits it, the council adopts it, the committee enters the residents' assembly's
counts and the chair confirms them,
and version 2 shows its side-by-side diff; the current version prints on one A4 page. Real
chromium, axe checks on every page."""

import re
from datetime import date, timedelta

from playwright.sync_api import expect
from sqlalchemy import select

from app.auth.models import User
from app.conventions import demo, services
from app.conventions.models import Amendment
from app.core import clock
from app.councils import attendance, meetings, votes
from app.extensions import db

from .helpers import COMMITTEE, assert_accessible, screenshot, seed_community, sign_in

COUNCIL = [("chair", "陈会长", "chair")] + [(f"council{i}", f"议事员{i}", "council_member") for i in range(1, 5)]


def seed(app):
    with app.app_context():
        residents = [(f"resident{i}", f"居民{i}", "resident") for i in range(1, 3)]
        community, users = seed_community([COMMITTEE, *COUNCIL, *residents], support_threshold_count=1)
        services.establish(
            users["committee"],
            community,
            articles="\n".join(demo.ARTICLES),
            adopted_on=date(2024, 1, 15),
            note="居民会议通过",
        )


def council_adopts(app):
    """The meeting itself is the councils' own journey (test_meeting.py); here it runs through the services."""
    with app.app_context():
        user = {u.username: u for u in db.session.scalars(select(User))}
        amendment = db.session.scalar(select(Amendment))
        community = amendment.convention.community
        meeting = meetings.schedule_meeting(
            user["committee"],
            community,
            title="居民公约修订专题议事会",
            starts_at=clock.now() + timedelta(minutes=30),
            place="活动室",
            chair_id=user["chair"].id,
            secretary_id=user["committee"].id,
            agenda_item_ids=[amendment.agenda_item_id],
            urgent=True,
            urgent_reason="修订公约",
        )
        council = [user["chair"], *(user[f"council{i}"] for i in range(1, 5))]
        for member in council:
            attendance.check_in(user["committee"], meeting, member.id)
        meetings.open_meeting(user["committee"], meeting)
        item = meeting.items[0]
        meetings.open_item(user["committee"], meeting, item)
        motion = votes.move_motion(council[1], meeting, item, "adopt", None, "采纳")
        votes.second_motion(council[2], meeting, motion)
        vote = votes.open_vote(user["committee"], meeting, motion, "named")
        for member in council[1:]:
            votes.cast_vote(member, meeting, vote, "yes")
        assert votes.close_vote(user["committee"], meeting, vote).passed


def pdf_pages(pdf):
    return len(re.findall(rb"/Type\s*/Page(?![s\w])", pdf))


def test_an_amendment_from_proposal_to_version_2(live_app, live_server, new_page):
    seed(live_app)
    base = f"{live_server.url}/c/xinglin/convention"
    proposer = new_page("phone")
    sign_in(proposer, live_server, "resident1")
    proposer.goto(base)
    assert proposer.locator("h1").inner_text() == "居民公约"
    assert proposer.locator(".convention-articles li").count() == 8
    assert_accessible(proposer, "convention (resident)")
    proposer.get_by_role("link", name="提出修订").first.click()
    proposer.locator("#article_number").select_option("8")
    proposer.locator("input[name=kind][value=change]").check()
    proposer.locator("#reasons").fill("午间也需要安静。")
    proposer.locator("form button[type=submit], form input[type=submit]").last.click()
    # No wording: refused, the reasons kept.
    expect(proposer.locator("#text-error")).to_be_visible()
    assert proposer.locator("#reasons").input_value() == "午间也需要安静。"
    assert_accessible(proposer, "propose form with an error")
    proposer.locator("#text").fill(demo.AMENDED)
    proposer.locator("form button[type=submit], form input[type=submit]").last.click()
    proposer.wait_for_url("**/convention/amendments/*")
    assert "征集附议中" in proposer.locator("main").inner_text()
    assert_accessible(proposer, "amendment page")
    screenshot(proposer, "convention-amendment-phone")
    amendment_url = proposer.url

    supporter = new_page("phone")
    sign_in(supporter, live_server, "resident2")
    supporter.goto(amendment_url)
    supporter.get_by_role("button", name="附议该修订").click()
    assert "待居委会审查" in supporter.locator("main").inner_text()

    committee = new_page("phone")
    sign_in(committee, live_server, "committee")
    committee.goto(amendment_url)
    assert_accessible(committee, "amendment page (committee)")
    committee.get_by_role("button", name="受理并列入议事清单").click()
    assert "已列入议事清单" in committee.locator("main").inner_text()

    council_adopts(live_app)
    committee.goto(base + "/assembly")
    assert_accessible(committee, "assembly form")
    committee.locator("#place").fill("杏林社区文化广场")
    for name, value in (("present", "120"), ("yes", "100"), ("no", "12"), ("abstain", "8")):
        committee.locator(f"#{name}").fill(value)
    committee.get_by_role("button", name="录入票数，提交第二人确认").click()
    committee.wait_for_url(base + "/assembly")
    assert "必须由第二人确认" in committee.locator("main").inner_text()  # not by the one who entered them

    chair = new_page("phone")
    sign_in(chair, live_server, "chair")
    chair.goto(base + "/assembly")
    assert_accessible(chair, "assembly entry waiting for confirmation")
    chair.locator("#understood").check()
    chair.get_by_role("button", name="确认票数").click()
    chair.wait_for_url(base)
    assert demo.AMENDED in chair.locator(".convention-articles").inner_text()
    committee.goto(base)
    committee.get_by_role("link", name="修订对照").click()
    diff = committee.locator("table.diff")
    assert demo.ARTICLES[7] in diff.locator("del").inner_text() and demo.AMENDED in diff.locator("ins").inner_text()
    assert "居民公约修订专题议事会" in committee.locator("main").inner_text()
    assert_accessible(committee, "version 2 with its diff")
    screenshot(committee, "convention-version-2-phone")
    assert committee.evaluate("document.documentElement.scrollWidth") <= 390
    committee.goto(base + "/versions/1")
    assert demo.ARTICLES[7] in committee.locator("main").inner_text()  # the old version stays readable

    sheet = new_page("desktop")
    sheet.goto(base + "/print")
    assert sheet.locator(".convention-articles li").count() == 8
    assert_accessible(sheet, "printed convention")
    sheet.emulate_media(media="print")
    assert pdf_pages(sheet.pdf(format="A4")) == 1
