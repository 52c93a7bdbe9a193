"""Fixtures for the micro-matter tests: a community with a committee member, a proposer
and a few residents, and a low support threshold."""

import pytest

from app.communities.models import MembershipStatus, Role
from app.matters import services

from .helpers import THRESHOLD, fields


@pytest.fixture
def community(app, make):
    return make.community(slug="xinglin", support_threshold_count=THRESHOLD)


@pytest.fixture
def committee(make, community):
    return make.member(community, role=Role.COMMITTEE, username="committee", display_name="居委会 周主任")


@pytest.fixture
def proposer(make, community):
    return make.member(community, username="proposer", display_name="王阿姨")


@pytest.fixture
def residents(make, community):
    return make.members(community, [f"resident{i}" for i in range(1, 5)], [f"居民{i}" for i in range(1, 5)])


@pytest.fixture
def outsider(make):
    """Verified in another community only."""
    other = make.community(slug="other")
    return make.member(other, username="outsider", display_name="外人")


@pytest.fixture
def pending(make, community):
    return make.member(community, status=MembershipStatus.PENDING, username="pending", display_name="待审")


@pytest.fixture
def new_matter(proposer, community):
    def factory(submit=True, user=None, **changes):
        return services.create_matter(user or proposer, community, submit=submit, **fields(**changes))

    return factory


@pytest.fixture
def matter(new_matter):
    return new_matter()
