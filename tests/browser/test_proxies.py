"""Written proxies in a real browser, on a phone: a member gives their proxy on the meeting page,
the chair records a paper proxy on the chair page; both pages pass axe."""

from datetime import timedelta

from playwright.sync_api import expect

from app.communities.models import Role
from app.core.clock import utcnow
from app.councils import meetings, review
from app.extensions import db
from tests.councils.helpers import make_matter
from tests.helpers import Builder

from .helpers import assert_accessible, screenshot, sign_in


def _setup(app):
    with app.app_context():
        make = Builder()
        community = make.community(slug="xinglin", proxy_rule="votes")
        committee = make.member(community, role=Role.COMMITTEE, username="committee", display_name="周主任")
        chair = make.member(community, role=Role.CHAIR, username="chair", display_name="陈会长")
        for i in range(1, 5):
            make.member(community, role=Role.COUNCIL_MEMBER, username=f"council{i}", display_name=f"议事员{i}")
        resident = make.member(community, username="resident", display_name="居民甲")
        make_matter(community, resident, title="3栋加装楼道扶手", cost=30_000)
        meeting = meetings.schedule_meeting(
            committee,
            community,
            title="第1次居民议事会",
            starts_at=utcnow() + timedelta(days=7),
            place="社区活动室",
            chair_id=chair.id,
            secretary_id=committee.id,
            agenda_item_ids=[i.id for i in review.schedulable_items(community)],
        )
        db.session.commit()
        return f"/c/{community.slug}/meetings/{meeting.id}"


def test_a_member_gives_a_proxy_and_the_chair_records_one_on_paper(live_app, live_server, new_page):
    path = _setup(live_app)
    member = new_page("phone")
    sign_in(member, live_server, "council4")
    member.goto(live_server.url + path)
    section = member.locator("section.proxies")
    expect(section.get_by_role("heading", name="书面委托")).to_be_visible()
    section.get_by_label("我书面委托给").select_option(label="议事员1")
    section.get_by_role("button", name="提交书面委托").click()
    expect(member.locator("section.proxies")).to_contain_text("你已书面委托议事员1。")
    assert_accessible(member, "proxy given")
    screenshot(member, "proxies-member-phone")

    chair = new_page("phone")
    sign_in(chair, live_server, "chair")
    chair.goto(live_server.url + path + "/chair")
    chair.get_by_text("登记纸质委托书").first.click()
    chair.get_by_label("签署委托书的议事员").select_option(label="议事员3")
    chair.get_by_label("受托的议事员").select_option(label="议事员2")
    chair.get_by_role("button", name="登记纸质委托书").click()
    expect(chair.locator("section.proxies")).to_contain_text("纸质委托书，由陈会长登记")
    assert_accessible(chair, "paper proxy")
    screenshot(chair, "proxies-chair-phone")
