"""A community with public data in every collection the API serves, made of rows the
way the features' services would leave them. Demo-like accounts carry private data
(phone-number user names, e-mail, addresses) that must never appear in the API."""

from datetime import timedelta
from types import SimpleNamespace

from app.communities.models import Membership, Role
from app.core import clock
from app.core.clock import utcnow
from app.councils.models import Meeting
from app.extensions import db
from app.matters.models import MicroMatter
from app.publishing.models import Notice, NoticeMatter, Objection
from tests.publishing import records

PRIVATE_EMAIL = "wang.xiuying@example.com"
PRIVATE_ADDRESS = "7栋2单元302室"
PRIVATE_PHONE = "13912345678"


def matter(community, proposer, status, title, cost=8000, category="elderly"):
    row = MicroMatter(
        community_id=community.id,
        proposer_id=proposer.id,
        title=title,
        description=f"{title}，方便居民。",
        description_html=f"<p>{title}</p>",
        category=category,
        location="3号楼",
        estimated_cost=cost,
        project_type="works",
        status=status,
        support_count=5,
        submitted_at=None if status == "draft" else utcnow() - timedelta(days=30),
    )
    db.session.add(row)
    db.session.commit()
    return row


def seed(make):
    """Called inside an app context on an empty database."""
    community = make.community(slug="xinglin")
    make.community(slug="empty-village")
    proposer = make.member(community, username=PRIVATE_PHONE, display_name="王秀英")
    proposer.email = PRIVATE_EMAIL
    db.session.get(Membership, 1).address = PRIVATE_ADDRESS
    committee = make.member(community, role=Role.COMMITTEE, username="committee", display_name="居委会 周主任")
    resident = make.member(community, username="resident1", display_name="李建国")
    db.session.commit()
    matters = {
        status: matter(community, proposer, status, f"{label}项目", category=category)
        for status, label, category in [
            ("draft", "草稿", "other"),
            ("collecting", "征集", "greening"),
            ("approved", "通过", "elderly"),
            ("rejected", "否决", "safety"),
            ("completed", "完工", "elderly"),
            ("=formula", "公式", "other"),
        ]
    }
    matters["=formula"].status = "closed"
    matters["=formula"].title = '=HYPERLINK("http://evil")'
    today = clock.local_today()
    notice = Notice(
        community_id=community.id,
        kind="acceptance",
        ref_id=1,
        title="适老化扶手项目验收公示",
        preface="请居民监督。",
        preface_html="<p>请居民监督。</p>",
        facts={
            "summary": {"msgid": "“%(title)s” was completed and accepted.", "params": {"title": "完工项目"}},
            "rows": [{"label": "Approved budget", "value": 8000, "type": "money"}],
            "table": {
                "columns": ["Milestone", "Done on"],
                "types": ["text", "date"],
                "rows": [["安装扶手", today.isoformat()]],
            },
        },
        record_path=f"/c/{community.slug}/matters/{matters['completed'].id}",
        period_start=today,
        period_end=today + timedelta(days=7),
        published_by_id=committee.id,
    )
    db.session.add(notice)
    db.session.flush()
    db.session.add(NoticeMatter(notice_id=notice.id, matter_id=matters["completed"].id))
    db.session.add(
        Objection(
            notice_id=notice.id,
            author_id=resident.id,
            body="扶手高度是否合适？",
            answer="按规范安装在90厘米。",
            answered_by_id=committee.id,
            answered_at=utcnow(),
        )
    )
    db.session.commit()
    chair = make.member(community, role=Role.CHAIR, username="13800000001", display_name="议事会 陈会长")
    council = [chair] + [
        make.member(community, role=Role.COUNCIL_MEMBER, username=f"1380000001{i}", display_name=f"议事员{i}号")
        for i in range(4)
    ]
    held = records.held_meeting(community, matters["approved"], chair, council[1], council, committee)
    upcoming = Meeting(
        community_id=community.id,
        title="下一次议事会",
        starts_at=utcnow() + timedelta(days=5),
        place="活动中心",
        status="scheduled",
        ruleset_id=held.meeting.ruleset_id,
        chair_id=chair.id,
        secretary_id=council[1].id,
        checkin_token="token-upcoming",
        created_by_id=committee.id,
    )
    db.session.add(upcoming)
    db.session.commit()
    voters = [resident, proposer, *council]
    counted = records.counted_round(community, [matters["approved"], matters["rejected"]], voters, committee)
    open_round = records.counted_round(
        community, [matters["collecting"]], [resident], committee, counted=False, title="进行中的投票"
    )
    record = records.implementation(community, matters["completed"], committee, [proposer, resident, *council])
    return SimpleNamespace(
        community=community,
        proposer=proposer,
        committee=committee,
        resident=resident,
        council=council,
        matters=matters,
        notice=notice,
        meeting=held.meeting,
        upcoming=upcoming,
        round=counted.round,
        open_round=open_round.round,
        record=record,
    )
