"""The committee's home: the counts of pending work, each linking to its queue, from every
feature's own queries (communities.pending); nobody but the committee sees them."""

from datetime import timedelta

import pytest

from app.communities import pending
from app.communities.models import Membership, MembershipStatus, Role
from app.core import clock
from app.extensions import db
from app.matters.models import MicroMatter
from app.publishing.models import Notice, Objection
from app.rules.services import current_ruleset
from app.tracker.models import ImplementationRecord, Milestone
from app.voting.models import PollingSession, SheetStatus, TallySheet, VotingRound
from tests.helpers import login

HEADING = "居委会待办"


def _matter(community, proposer, status, title="路灯"):
    matter = MicroMatter(
        community_id=community.id,
        proposer_id=proposer.id,
        title=title,
        description="说明",
        description_html="<p>说明</p>",
        category="accessibility",
        location="小区",
        estimated_cost=1000,
        project_type="works",
        status=status,
    )
    db.session.add(matter)
    db.session.flush()
    return matter


def _pending_work(make, community, committee, resident):
    """Two join requests, one matter under review, an unanswered objection (and an answered one),
    one overdue implementation (and one on time), one tally sheet entered (and one confirmed)."""
    for _ in range(2):
        db.session.add(Membership(user_id=make.user().id, community_id=community.id, address="2栋"))
    _matter(community, resident, "under_review")
    today = clock.local_today()
    notice = Notice(
        community_id=community.id,
        kind="motion",
        ref_id=1,
        title="公示",
        record_path="/",
        period_start=today,
        period_end=today + timedelta(days=7),
        published_by_id=committee.id,
    )
    db.session.add(notice)
    db.session.flush()
    db.session.add(Objection(notice_id=notice.id, author_id=resident.id, body="不同意"))
    db.session.add(
        Objection(notice_id=notice.id, author_id=committee.id, body="已答复", answer="好", answered_at=clock.now())
    )
    for title, planned in (("晚了", today - timedelta(days=3)), ("按时", today + timedelta(days=3))):
        record = ImplementationRecord(
            community_id=community.id, matter_id=_matter(community, resident, "implementing", title).id
        )
        db.session.add(record)
        db.session.flush()
        db.session.add(Milestone(record_id=record.id, title="施工", planned_date=planned))
    voting_round = VotingRound(
        community_id=community.id,
        title="预算投票",
        method="approval",
        budget=10_000,
        opens_at=clock.now() - timedelta(days=2),
        closes_at=clock.now() + timedelta(days=2),
        ruleset_id=current_ruleset(community).id,
    )
    db.session.add(voting_round)
    db.session.flush()
    for status in (SheetStatus.ENTERED, SheetStatus.CONFIRMED):
        session = PollingSession(
            round_id=voting_round.id,
            place="活动室",
            starts_at=clock.now() - timedelta(hours=2),
            ends_at=clock.now() + timedelta(hours=2),
            created_by_id=committee.id,
        )
        db.session.add(session)
        db.session.flush()
        db.session.add(
            TallySheet(
                round_id=voting_round.id,
                session_id=session.id,
                ballots=3,
                spoilt=0,
                source="form",
                status=status,
                entered_by_id=committee.id,
            )
        )
    db.session.commit()
    return notice, voting_round


@pytest.fixture
def world(make):
    community = make.community(slug="xinglin")
    committee = make.member(community, role=Role.COMMITTEE)
    resident = make.member(community)
    return community, committee, resident


def test_every_queue_counts_its_own_work_and_links_to_it(app, make, world):
    community, committee, resident = world
    notice, voting_round = _pending_work(make, community, committee, resident)
    with app.test_request_context():
        found = [(item.count, item.url) for item in pending.pending_work(community)]
    slug = community.slug
    assert found == [  # in the declared order: verifications, reviews, objections, overdue, tally sheets
        (2, f"/c/{slug}/members"),
        (1, f"/c/{slug}/review"),
        (1, f"/c/{slug}/notices/{notice.id}#objections-h"),
        (1, f"/c/{slug}/tracker/?overdue=1"),
        (1, f"/c/{slug}/rounds/{voting_round.id}/paper"),
    ]


def test_the_committee_sees_its_pending_work_on_the_home(client, make, world):
    community, committee, resident = world
    _pending_work(make, community, committee, resident)
    login(client, committee)
    page = client.get(f"/c/{community.slug}/").get_data(as_text=True)
    assert HEADING in page
    section = page[page.index(HEADING) :]
    for label in ("待核实的入会申请", "待审核的微实事", "未答复的异议", "逾期未落实的项目", "待确认的纸质计票单"):
        assert label in section
    assert section.count("件待处理") == 5
    assert f'href="/c/{community.slug}/tracker/?overdue=1"' in section


def test_an_empty_queue_says_so(client, world):
    community, committee, _resident = world
    login(client, committee)
    page = client.get(f"/c/{community.slug}/").get_data(as_text=True)
    assert page.count("暂无待办") == 5 and "件待处理" not in page


@pytest.mark.parametrize("role", [None, Role.RESIDENT, Role.COUNCIL_MEMBER, Role.CHAIR, "pending"])
def test_only_the_committee_sees_the_counts(client, make, world, role):
    community, committee, resident = world
    _pending_work(make, community, committee, resident)
    if role == "pending":
        login(client, make.member(community, status=MembershipStatus.PENDING))
    elif role is not None:
        login(client, make.member(community, role=role))
    page = client.get(f"/c/{community.slug}/").get_data(as_text=True)
    assert HEADING not in page and "件待处理" not in page
