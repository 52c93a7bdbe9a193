"""Fixtures for the voting tests: a community with a committee member, verified residents and
micro-matters on the agenda list (helpers to open, close and count rounds are in helpers.py)."""

import pytest

from app.communities.models import MembershipStatus, Role

from .helpers import make_matters, open_round


@pytest.fixture
def community(app, make):
    return make.community(slug="xinglin", min_turnout_percent=10)


@pytest.fixture
def committee(make, community):
    return make.member(community, role=Role.COMMITTEE, username="committee", display_name="居委会 周主任")


@pytest.fixture
def residents(make, community):
    return make.members(community, [f"resident{i}" for i in range(1, 7)], [f"居民{i}" for i in range(1, 7)])


@pytest.fixture
def scrutineer(make, community):
    """A council member, who may confirm tally sheets as scrutineer (监票人)."""
    return make.member(community, role=Role.COUNCIL_MEMBER, username="council1", display_name="议事员 李监票")


@pytest.fixture
def pending(make, community):
    return make.member(community, status=MembershipStatus.PENDING, username="pending", display_name="待审")


@pytest.fixture
def outsider(make):
    other = make.community(slug="other")
    return make.member(other, username="outsider", display_name="外人")


@pytest.fixture
def matters(community, residents):
    return make_matters(community, residents[0])


@pytest.fixture
def knapsack_round(committee, community, matters):
    return open_round(committee, community, matters)
