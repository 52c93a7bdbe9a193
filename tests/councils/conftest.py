"""A council ready to meet: a community with a committee member, a chair, council members,
a resident, and micro-matters under review or on the agenda list."""

from types import SimpleNamespace

import pytest

from app.communities.models import Role

from .helpers import make_matter


@pytest.fixture
def council(app, make):
    """5 council members incl. the chair (quorum more than 1/2: 3 needed), one committee member."""
    # Minutes are locked at once here; the days for members' comments are tested in test_minutes_comments.py.
    community = make.community(
        seconders_needed=1, turns_per_item=2, minutes_per_turn=2, notice_days=3, minutes_comment_days=0
    )
    committee = make.member(community, role=Role.COMMITTEE, username="committee", display_name="周主任")
    chair = make.member(community, role=Role.CHAIR, username="chair", display_name="陈会长")
    members = [
        make.member(community, role=Role.COUNCIL_MEMBER, username=f"council{i}", display_name=f"议事员{i}")
        for i in range(1, 5)
    ]
    resident = make.member(community, username="resident", display_name="居民甲")
    matters = [make_matter(community, resident, title=f"议题{i}") for i in range(1, 4)]
    return SimpleNamespace(
        community=community,
        committee=committee,
        chair=chair,
        members=members,
        council=[chair, *members],
        resident=resident,
        matters=matters,
        make=make,
    )
