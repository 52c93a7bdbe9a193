"""Official roles appear as a badge beside a person's name, which no name can imitate: a resident who
calls themselves "居委会 周主任" shows without one, the real committee member with one."""

import re

import pytest
from flask import render_template_string

from app.communities.badges import official_badge
from app.communities.models import CommunityKind, MembershipStatus, Role
from app.extensions import db
from app.matters import services as matters
from tests.helpers import login

MATTER = {
    "description": "入口台阶太高，轮椅进不去。",
    "category": "accessibility",
    "location": "5号楼入口",
    "estimated_cost": "8000",
    "project_type": "works",
}


def badge_after(html, name):
    """The badge text right after this name on the page, "" for none; the name must be there."""
    match = re.search(
        rf'<span class="person">{re.escape(name)}</span>'
        r'( <span class="official-badge"><span class="visually-hidden">[^<]*</span>([^<]*)</span>)?',
        html,
    )
    assert match, f"{name} is not on the page"
    return match.group(2) or ""


@pytest.fixture
def place(make):
    community = make.community()
    real = make.member(community, role=Role.COMMITTEE, display_name="周主任")
    impostor = make.member(community, display_name="居委会 周主任")
    return community, real, impostor


def test_an_impostor_name_gets_no_badge_and_the_committee_member_does(client, place):
    community, real, impostor = place
    matter = matters.create_matter(impostor, community, submit=True, title="5号楼无障碍坡道", **MATTER)
    matters.add_comment(impostor, matter, "support", "居委会已同意，请大家附议。")
    matters.add_comment(real, matter, "neutral", "居委会尚未审核此事项。")
    html = client.get(f"/c/{community.slug}/matters/{matter.id}").get_data(as_text=True)
    assert badge_after(html, "居委会 周主任") == ""
    assert badge_after(html, "周主任") == "居委会"
    assert html.count('class="official-badge"') == 1  # the real member's comment only
    # the badge says what it is to a screen reader too
    assert '<span class="visually-hidden">官方身份： </span>' in html
    # and on the list of micro-matters, where the proposer is named
    listing = client.get(f"/c/{community.slug}/matters/").get_data(as_text=True)
    assert badge_after(listing, "居委会 周主任") == ""
    # and on the matter's public timeline, where the proposer is a person, not text in a title
    timeline = client.get(f"/c/{community.slug}/matters/{matter.id}/timeline").get_data(as_text=True)
    assert badge_after(timeline, "居委会 周主任") == ""


def test_the_members_list_shows_the_roles_as_badges(client, make, place):
    community, real, impostor = place
    make.member(community, role=Role.CHAIR, display_name="陈主持")
    make.member(community, role=Role.COUNCIL_MEMBER, display_name="议事员甲")
    login(client, real)
    html = client.get(f"/c/{community.slug}/members").get_data(as_text=True)
    assert badge_after(html, "周主任") == "居委会"
    assert badge_after(html, "陈主持") == "议事会主持人"
    assert badge_after(html, "议事员甲") == "议事会成员"
    assert badge_after(html, "居委会 周主任") == ""


def test_the_badge_is_the_role_in_this_community_and_only_when_verified(app, make):
    here, there = make.community(), make.community()
    village = make.community()
    village.kind = CommunityKind.VILLAGE
    db.session.commit()
    committee_there = make.member(there, role=Role.COMMITTEE)
    make.member(here, user=committee_there)
    unverified = make.member(here, role=Role.COMMITTEE, status=MembershipStatus.PENDING)
    village_committee = make.member(village, role=Role.COMMITTEE)
    with app.test_request_context():
        assert official_badge(committee_there, there) == "Residents' committee"
        assert official_badge(committee_there, here) is None  # a resident here
        assert official_badge(unverified, here) is None
        assert official_badge(village_committee, village) == "Village committee"
        assert official_badge(None, here) is None
        html = render_template_string(
            '{% from "_person.html" import person %}{{ person(u, c) }}', u=village_committee, c=village
        )
    assert badge_after(html, village_committee.display_name) == "村委会"


def test_a_name_cannot_carry_markup_that_looks_like_a_badge(app, make):
    community = make.community()
    user = make.member(community, display_name='<span class="official-badge">居委会</span>')
    with app.test_request_context():
        html = render_template_string('{% from "_person.html" import person %}{{ person(u, c) }}', u=user, c=community)
    assert 'class="official-badge"' not in html
