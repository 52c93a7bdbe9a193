"""A community with a council, a committee, residents and its convention (version 1, 4 articles)."""

from datetime import date
from types import SimpleNamespace

import pytest

from app.communities.models import Role
from app.conventions import services


@pytest.fixture
def rules():
    """Rule-set values a test module overrides (e.g. the residents' approval by a round)."""
    return {}


@pytest.fixture
def world(app, make, rules):
    """Support threshold 2; 5 council members incl. the chair (3 needed for the quorum)."""
    community = make.community(support_threshold_count=2, seconders_needed=1, notice_days=3, **rules)
    committee = make.member(community, role=Role.COMMITTEE, username="committee", display_name="周主任")
    chair = make.member(community, role=Role.CHAIR, username="chair", display_name="陈会长")
    members = [make.member(community, role=Role.COUNCIL_MEMBER, username=f"council{i}") for i in range(1, 5)]
    residents = [make.member(community, username=f"resident{i}") for i in range(1, 5)]
    convention = services.establish(
        committee,
        community,
        articles="第一条\n第二条\n第三条\n第四条",
        adopted_on=date(2024, 1, 15),
        note="居民会议通过",
    )
    return SimpleNamespace(
        community=community,
        committee=committee,
        chair=chair,
        members=members,
        council=[chair, *members],
        residents=residents,
        convention=convention,
        make=make,
    )
