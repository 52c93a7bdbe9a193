"""Fixtures for the tracker tests: a community with its committee, a proposer, supporters and
residents, and approved micro-matters whose implementation records the approval created."""

import pytest

from app.communities.models import MembershipStatus, Role
from app.extensions import db
from app.matters import lifecycle
from app.matters.models import Follow, MicroMatter, Support
from app.tracker import delivery, rating
from app.tracker import records as record_services

from .helpers import days, today


@pytest.fixture
def community(app, make):
    # early_close_min_ratings=0: these tests end rating windows early with a few ratings
    # (test_early_close.py checks the minimum)
    return make.community(
        slug="xinglin", satisfaction_threshold_percent=60, support_threshold_count=3, early_close_min_ratings=0
    )


@pytest.fixture
def other_community(app, make):
    return make.community(slug="other")


@pytest.fixture
def committee(make, community):
    return make.member(community, role=Role.COMMITTEE, username="committee", display_name="居委会 周主任")


@pytest.fixture
def other_committee(make, other_community):
    """Committee member of another community."""
    return make.member(other_community, role=Role.COMMITTEE, username="othercommittee")


@pytest.fixture
def council_member(make, community):
    return make.member(community, role=Role.COUNCIL_MEMBER, username="council1")


@pytest.fixture
def proposer(make, community):
    return make.member(community, username="proposer", display_name="王阿姨")


@pytest.fixture
def supporters(make, community):
    return [make.member(community, username=f"supporter{i}", display_name=f"附议人{i}") for i in range(1, 3)]


@pytest.fixture
def follower(make, community):
    return make.member(community, username="follower", display_name="关注者")


@pytest.fixture
def residents(make, community):
    return [make.member(community, username=f"resident{i}", display_name=f"居民{i}") for i in range(1, 6)]


@pytest.fixture
def pending(make, community):
    return make.member(community, status=MembershipStatus.PENDING, username="pending")


@pytest.fixture
def outsider(make, other_community):
    return make.member(other_community, username="outsider")


@pytest.fixture
def approve(community, committee, proposer, supporters, follower):
    """approve(budget=..., **data) -> the ImplementationRecord the approval created."""

    def factory(title="5栋门口加装无障碍坡道", estimated_cost=12_000, community_=None, **data):
        target = community_ or community
        matter = MicroMatter(
            community_id=target.id,
            proposer_id=proposer.id,
            title=title,
            description="坡道",
            description_html="<p>坡道</p>",
            category="accessibility",
            location="5栋",
            estimated_cost=estimated_cost,
            project_type="works",
            status="on_agenda",
            support_count=len(supporters),
        )
        db.session.add(matter)
        db.session.flush()
        for user in supporters:
            db.session.add(Support(matter_id=matter.id, user_id=user.id))
        db.session.add(Follow(matter_id=matter.id, user_id=follower.id))
        db.session.flush()
        lifecycle.apply(matter, "approve", committee, system=True, **data)
        db.session.commit()
        return record_services.record_for_matter(matter)

    return factory


@pytest.fixture
def record(approve):
    return approve(meeting_id=7, motion_id=3, budget=10_000)


@pytest.fixture
def started(record, committee):
    delivery.update_details(
        committee,
        record,
        responsible_unit="苏州市某建设公司",
        contact="李工 13800000000",
        planned_start=None,
        planned_end=None,
    )
    delivery.start(committee, record)
    return record


@pytest.fixture
def completed(started, committee):
    milestone = delivery.add_milestone(committee, started, title="施工完成", planned_date=days(5))
    delivery.complete_milestone(committee, started, milestone.id, done_on=today(), note="已完工")
    delivery.accept(committee, started, accepted_on=today(), note="居委会与施工方共同验收")
    return started


@pytest.fixture
def evaluating(completed, committee):
    rating.open_evaluation(committee, completed, closes_on=days(7))
    return completed
