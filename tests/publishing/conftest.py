"""A community whose micro-matter went the whole way to acceptance through the real services
(lifecycle, tracker), ready to be published as a notice."""

from types import SimpleNamespace

import pytest

from app.communities.models import MembershipStatus, Role

from .helpers import accepted_record


@pytest.fixture
def world(app, make):
    community = make.community(slug="xinglin")
    committee = make.member(community, role=Role.COMMITTEE, username="committee", display_name="居委会 周主任")
    proposer = make.member(community, username="proposer", display_name="王阿姨")
    resident = make.member(community, username="resident", display_name="李师傅")
    council = make.member(community, role=Role.COUNCIL_MEMBER, username="council", display_name="议事员 张")
    pending = make.member(community, status=MembershipStatus.PENDING, username="pending", display_name="待审")
    other = make.community(slug="other")
    outsider = make.member(other, username="outsider", display_name="外人")
    other_committee = make.member(other, role=Role.COMMITTEE, username="othercommittee", display_name="别的居委会")
    admin = make.user(username="admin", admin=True)
    record = accepted_record(community, committee, proposer)
    return SimpleNamespace(
        community=community,
        committee=committee,
        proposer=proposer,
        resident=resident,
        council=council,
        pending=pending,
        outsider=outsider,
        other_committee=other_committee,
        admin=admin,
        record=record,
        matter=record.matter,
    )
