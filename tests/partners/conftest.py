"""Fixtures for the 五社联动 tests: the tracker's community, committee, residents and approved
matters (shared, not copied), plus a partner, a volunteer and a delivery task."""

import pytest

from app.partners import delivery_tasks, services
from tests.tracker import conftest as tracker
from tests.tracker.helpers import days

approve = tracker.approve
committee = tracker.committee
community = tracker.community
completed = tracker.completed
follower = tracker.follower
other_community = tracker.other_community
other_committee = tracker.other_committee
outsider = tracker.outsider
pending = tracker.pending
proposer = tracker.proposer
record = tracker.record
residents = tracker.residents
started = tracker.started
supporters = tracker.supporters


@pytest.fixture
def partner(community, committee):
    return services.save_partner(
        committee,
        community,
        kind="social_organisation",
        name="阳光社工服务社",
        description="为老服务、邻里互助",
        contact="张老师 13900000000",
    )


@pytest.fixture
def volunteer(community, residents):
    services.save_volunteer(residents[0], community, skills="搬运", availability="周末", show_name=False)
    return residents[0]


@pytest.fixture
def task(record, committee):
    return delivery_tasks.add_task(
        committee, record.matter, title="搬运座椅", people_needed=2, task_date=days(3), hours="2.5"
    )
