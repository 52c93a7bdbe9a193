"""A short council meeting in real browsers: the chair's laptop, the projector on the wall and
members' phones. Check-in by QR link and by the secretary, quorum, a motion and its seconder,
the speakers list with its countdown, a named vote with the chair's own vote from the console, the
result, and the locked minutes. A vote, closing the meeting and locking the minutes each ask for a
confirmation that says what cannot be undone (static/confirm.js: one tap plus the dialog).
The live views refresh themselves (static/councils/live.js); nothing here reloads them."""

import re
from datetime import timedelta

from playwright.sync_api import expect

from app.communities.models import Role
from app.core.clock import utcnow
from app.councils import meetings, review
from app.extensions import db
from tests.councils.helpers import make_matter
from tests.helpers import Builder

from .helpers import assert_accessible, screenshot, sign_in

LIVE = 8_000  # ms: a few polling rounds


def _setup(app):
    with app.app_context():
        make = Builder()
        # No days for members' comments: the chair locks the minutes right after the meeting
        # (the comment period is tested in tests/councils/test_minutes_comments.py).
        community = make.community(slug="xinglin", seconders_needed=1, minutes_comment_days=0)
        committee = make.member(community, role=Role.COMMITTEE, username="committee", display_name="周主任")
        chair = make.member(community, role=Role.CHAIR, username="chair", display_name="陈会长")
        members = [
            make.member(community, role=Role.COUNCIL_MEMBER, username=f"council{i}", display_name=f"议事员{i}")
            for i in range(1, 5)
        ]
        resident = make.member(community, username="resident", display_name="居民甲")
        make_matter(community, resident, title="3栋加装楼道扶手", cost=30_000)
        make_matter(community, resident, title="中心花园增设座椅", cost=12_000, project_type="goods")
        items = [i.id for i in review.schedulable_items(community)]
        meeting = meetings.schedule_meeting(
            committee,
            community,
            title="第1次居民议事会",
            starts_at=utcnow() + timedelta(minutes=20),
            place="社区活动室",
            chair_id=chair.id,
            secretary_id=committee.id,
            agenda_item_ids=items,
            urgent=True,
            urgent_reason="汛期前需尽快决定",
        )
        db.session.commit()
        return f"/c/{community.slug}/meetings/{meeting.id}", [m.display_name for m in members]


def _confirming(page, said):
    """Accept every confirmation the page asks for, keeping what it said."""

    def accept(dialog):
        said.append(dialog.message)
        dialog.accept()

    page.on("dialog", accept)
    return page


def test_a_short_meeting_on_laptop_projector_and_phones(live_app, live_server, new_page, quick_live_views):
    path, names = _setup(live_app)
    base = live_server.url + path
    confirmations = []

    chair = _confirming(new_page("desktop"), confirmations)
    sign_in(chair, live_server, "chair")
    chair.goto(base + "/chair")
    expect(chair.locator("h1")).to_contain_text("第1次居民议事会")

    projector = new_page("desktop")
    sign_in(projector, live_server, "committee")  # the secretary's second screen
    projector.goto(base + "/projector")
    expect(projector.locator(".quorum")).to_contain_text("未达法定人数")
    assert projector.locator(".checkin svg[role=img]").count() == 1
    checkin_url = projector.locator(".checkin .url").inner_text().strip()
    assert "/checkin/" in checkin_url
    assert_accessible(projector, "projector view")

    # A member checks in from the phone through the QR code's link.
    phone = _confirming(new_page("phone"), confirmations)
    sign_in(phone, live_server, "council1")
    phone.goto(checkin_url)
    phone.get_by_role("button", name=re.compile("签到")).click()
    expect(phone.locator(".flashes")).to_contain_text("您已签到")
    expect(projector.locator(".quorum")).to_contain_text("实到1人", timeout=LIVE)

    # The chair checks in the others present; the projector follows by itself.
    for name in ("陈会长", names[1]):
        chair.get_by_role("row", name=re.compile(name)).get_by_role("button", name="签到").click()
    expect(chair.locator(".quorum")).to_contain_text("已达法定人数")
    expect(projector.locator(".quorum")).to_contain_text("已达法定人数", timeout=LIVE)
    chair.get_by_role("button", name="开始会议").click()
    expect(chair.locator(".flashes")).to_contain_text("会议已开始")
    chair.get_by_role("listitem").filter(has_text="3栋加装楼道扶手").get_by_role("button", name="开始").click()
    expect(projector.locator("h2").first).to_contain_text("3栋加装楼道扶手", timeout=LIVE)

    # The member moves an approval from the phone; the form appears without a reload, with links
    # to read the proposal and the residents' comments.
    phone.get_by_label("批准实施（含预算）").check(timeout=LIVE)
    expect(phone.get_by_role("link", name="查看完整提案")).to_be_visible()
    expect(phone.get_by_role("link", name="居民评论")).to_be_visible()
    phone.get_by_label("预算（元，批准实施时填写）").fill("26000")
    phone.get_by_role("button", name="提出动议").click()
    expect(phone.locator(".flashes")).to_contain_text("您的动议已提出")
    assert_accessible(phone, "member view")
    screenshot(phone, "meeting-member-phone")

    # A second member seconds it from another phone.
    phone2 = _confirming(new_page("phone"), confirmations)
    sign_in(phone2, live_server, "council2")
    phone2.goto(base + "/member")
    phone2.get_by_role("button", name="附议该动议").click()
    expect(phone2.locator(".flashes")).to_contain_text("您已附议该动议")
    expect(projector.locator(".motion")).to_contain_text("辩论中", timeout=LIVE)

    # Speakers list: the member asks to speak, the chair calls them, the projector counts down.
    phone.get_by_role("button", name="正方发言（赞成）").click(timeout=LIVE)
    expect(phone.locator(".flashes")).to_contain_text("您已加入发言名单")
    chair.get_by_role("button", name="请下一位发言").click(timeout=LIVE)
    expect(projector.locator(".speaking")).to_contain_text(names[0], timeout=LIVE)
    timer = projector.locator(".big-timer .countdown")
    first = timer.inner_text()
    assert re.fullmatch(r"[12]:\d\d", first), first
    expect(timer).not_to_have_text(first, timeout=1_500)  # ticking down in the page
    screenshot(projector, "meeting-projector")
    screenshot(chair, "meeting-chair-laptop")
    assert_accessible(chair, "chair view")
    chair.get_by_role("button", name="结束本次发言").click()

    # The vote: members on their phones (told apart by icon and colour), the chair's own vote on the laptop.
    chair.get_by_role("button", name="开始表决").click()
    expect(chair.locator(".flashes")).to_contain_text("表决已开始")
    yes = phone.get_by_role("button", name="赞成", exact=True)
    expect(yes).to_contain_text("✓", timeout=LIVE)
    no_colour = phone.get_by_role("button", name="反对", exact=True).evaluate(
        "b => getComputedStyle(b).backgroundColor"
    )
    assert yes.evaluate("b => getComputedStyle(b).backgroundColor") != no_colour
    expect(phone.locator(".ballot input[type=checkbox]")).to_be_hidden()  # JavaScript asks instead
    yes.click()
    expect(phone.locator(".flashes")).to_contain_text("您的表决已记录")
    assert confirmations[-1] == "表决一经提交即为最终结果，不能更改。"
    phone2.get_by_role("button", name="反对", exact=True).click(timeout=LIVE)
    expect(projector.locator(".voting")).to_contain_text("已有2人表决", timeout=LIVE)
    phone2.close()  # done: an open live view polls three times a second (quick_live_views)
    chair.locator(".own-ballot").get_by_role("button", name="赞成").click(timeout=LIVE)
    expect(chair.locator(".flashes")).to_contain_text("您的表决已记录")
    chair.get_by_role("button", name="结束表决并计票").click()
    expect(chair.locator(".flashes")).to_contain_text("通过")
    result = projector.locator(".result")
    expect(result).to_contain_text("赞成2，反对1", timeout=LIVE)
    expect(result.locator(".result-title")).to_have_text("3栋加装楼道扶手")
    expect(result).to_contain_text("适用规则：出席成员的简单多数，法定人数超过1/2，议事规则第1版")
    expect(phone.locator(".result")).to_contain_text("通过", timeout=LIVE)

    # Close, lock the minutes, and anyone can read them.
    chair.get_by_role("button", name="结束会议").click()
    expect(chair.locator("h1")).to_contain_text("会议纪要")
    assert "不能重新开始" in confirmations[-1]
    chair.get_by_role("button", name="审定并锁定会议纪要").click()
    expect(chair.locator(".flashes")).to_contain_text("已审定并锁定")
    assert "不能再更改" in confirmations[-1]
    visitor = new_page("phone")
    visitor.goto(base + "/minutes")
    page = visitor.locator("main")
    expect(page).to_contain_text("已由陈会长")
    expect(page).to_contain_text(f"{names[0]} — 正方")
    expect(page).to_contain_text("附议人：议事员2")
    expect(page).to_contain_text("适用规则：出席成员的简单多数，法定人数超过1/2，议事规则第1版")
    screenshot(visitor, "meeting-minutes-phone")
    assert_accessible(visitor, "minutes")
    for public in ("/agenda/", "/meetings/", "/rules/"):
        visitor.goto(live_server.url + "/c/xinglin" + public)
        assert_accessible(visitor, public)
    visitor.goto(base)
    expect(visitor.locator("main")).to_contain_text("已决定")
    assert_accessible(visitor, "meeting page")
