"""Fixtures for entries on behalf of residents (代录): the tracker's community (a committee, a
proposer, supporters, residents, an implementation being rated) plus a grid worker."""

import pytest

from app.communities.models import MembershipStatus, Role
from app.matters import services as matters
from tests.matters.helpers import fields
from tests.tracker import conftest as tracker

# The tracker's fixtures, shared: a community with its committee, a proposer, supporters, residents and an
# implementation being rated.
approve = tracker.approve
committee = tracker.committee
community = tracker.community
completed = tracker.completed
evaluating = tracker.evaluating
follower = tracker.follower
other_community = tracker.other_community
proposer = tracker.proposer
record = tracker.record
residents = tracker.residents
started = tracker.started
supporters = tracker.supporters


@pytest.fixture
def grid(make, community):
    return make.member(community, role=Role.GRID_WORKER, username="grid1", display_name="网格员 小李")


@pytest.fixture
def other_grid(make, other_community):
    return make.member(other_community, role=Role.GRID_WORKER, username="othergrid")


@pytest.fixture
def pending_grid(make, community):
    return make.member(community, role=Role.GRID_WORKER, status=MembershipStatus.PENDING, username="pendinggrid")


@pytest.fixture
def elder(make, community):
    """The resident without a phone the worker records for."""
    return make.member(community, username="elder", display_name="孙奶奶")


@pytest.fixture
def collecting(proposer, community):
    return matters.create_matter(proposer, community, submit=True, **fields())
