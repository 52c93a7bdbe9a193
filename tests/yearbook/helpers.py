"""A community with a year of records (2025) and a little of the year before (2024), each made at
its own frozen time with the builders the notice and API tests use."""

from datetime import date
from types import SimpleNamespace

from freezegun import freeze_time

from app.communities.models import Role
from app.core.clock import utcnow
from app.extensions import db
from app.fund.models import FundEntry
from app.matters.models import Support
from app.publishing.models import Notice, NoticeMatter, Objection
from app.streets.models import Street
from tests.publishing.helpers import new_matter
from tests.publishing.records import counted_round, held_meeting, implementation

YEAR = 2025


def fund_entry(community, committee, year, kind, amount, day, **kw):
    entry = FundEntry(
        community_id=community.id, year=year, kind=kind, amount=amount, entry_date=day, entered_by_id=committee.id, **kw
    )
    db.session.add(entry)
    db.session.commit()
    return entry


def notice_with_objection(community, committee, objector, matter, *, answered=True):
    notice = Notice(
        community_id=community.id,
        kind="acceptance",
        ref_id=1,
        title=f"验收公示：{matter.title}",
        facts={},
        record_path=f"/c/{community.slug}/matters/{matter.id}",
        period_start=date(YEAR, 6, 2),
        period_end=date(YEAR, 6, 9),
        published_by_id=committee.id,
    )
    db.session.add(notice)
    db.session.flush()
    db.session.add(NoticeMatter(notice_id=notice.id, matter_id=matter.id))
    objection = Objection(notice_id=notice.id, author_id=objector.id, body="扶手高度不合适。")
    if answered:
        objection.answer, objection.answered_by_id, objection.answered_at = "已调整高度。", committee.id, utcnow()
    db.session.add(objection)
    db.session.commit()
    return notice, objection


def build_world(make, slug="xinglin"):
    community = make.community(slug=slug)
    committee = make.member(community, role=Role.COMMITTEE, username=f"{slug}-committee", display_name="居委会 周主任")
    chair = make.member(community, role=Role.CHAIR, username=f"{slug}-chair", display_name="主持人 陈")
    members = [
        make.member(community, role=Role.COUNCIL_MEMBER, username=f"{slug}-council{i}", display_name=f"议事员{i}")
        for i in range(3)
    ]
    residents = [make.member(community, username=f"{slug}-r{i}", display_name=f"居民{i}") for i in range(4)]
    with freeze_time("2024-05-01 02:00:00"):
        old = new_matter(community, residents[0], title="2024年的微实事", status="collecting")
        fund_entry(community, committee, YEAR - 1, "source", 40000, date(YEAR - 1, 1, 10), source_kind="allocation")
    with freeze_time("2025-03-01 02:00:00"):
        matter = new_matter(community, residents[0], title="3栋加装扶手", status="closed", cost=8000)
        spoof = new_matter(community, residents[1], title='=HYPERLINK("http://x")', status="in_vote", cost=5000)
        db.session.add_all([Support(matter_id=matter.id, user_id=r.id) for r in residents[1:]])
        db.session.commit()
        meeting = held_meeting(community, matter, chair, committee, members, committee)
        fund_entry(community, committee, YEAR, "source", 50000, date(YEAR, 1, 10), source_kind="allocation")
        fund_entry(community, committee, YEAR, "commitment", 8000, date(YEAR, 2, 25), matter_id=matter.id)
    with freeze_time("2025-04-20 02:00:00"):
        voting = counted_round(community, [matter, spoof], residents, committee, title="2025年度微实事居民投票")
    with freeze_time("2025-06-01 02:00:00"):
        record = implementation(community, matter, committee, residents[:3])
        fund_entry(community, committee, YEAR, "payment", 7600, date(YEAR, 5, 28), matter_id=matter.id)
        notice, objection = notice_with_objection(community, committee, residents[3], matter)
    return SimpleNamespace(
        community=community,
        committee=committee,
        chair=chair,
        members=members,
        residents=residents,
        old=old,
        matter=matter,
        spoof=spoof,
        meeting=meeting.meeting,
        round=voting.round,
        record=record,
        notice=notice,
        objection=objection,
    )


def street_of(*communities):
    street = Street(slug="shuangta", name="双塔街道", district="姑苏区")
    db.session.add(street)
    db.session.flush()
    for community in communities:
        community.street_id = street.id
    db.session.commit()
    return street
