"""Demo step (last): the street 双塔街道 with the demo community and two small communities that
had a year of deliberation, and the account `street`, its staff.

The small communities' year runs through the features' own services, each step at its moment in
the past (clock.shifted_to): proposals and supports, council meetings whose motions approved
projects, delivery with milestones, spending and acceptance, residents' ratings, a rectification,
volunteers' hours. Some things are left undone on purpose, so the street office has exceptions to
act on: an overdue milestone, a rectification open for weeks, a community with no council meeting
for months."""

import secrets
from dataclasses import dataclass
from datetime import datetime, time, timedelta

from app.audit.services import record
from app.communities.demo import account, verified_member
from app.communities.models import Community, CommunityKind, Role
from app.core import clock
from app.councils.models import AgendaItem, Meeting, MeetingItem, MeetingStatus, Motion, MotionKind, MotionStatus
from app.extensions import db
from app.fund import services as fund_services
from app.fund.ledger import SourceKind
from app.matters import lifecycle
from app.matters import services as matter_services
from app.matters.demo import propose
from app.partners import delivery_tasks
from app.partners import services as partner_services
from app.rules.models import RuleSet
from app.tracker import delivery, rating
from app.tracker.records import record_for_matter
from app.voting import counting
from app.voting.demo import yes_no_round

from .models import Street, StreetStaff

NAMES = "王秀英 李建华 张桂英 刘志强 陈玉兰 杨德明 黄海燕 赵国强 吴红梅 周文杰 徐春梅 孙晓明".split()


@dataclass(frozen=True)
class Small:
    slug: str
    name: str
    register: int
    budget: int
    matters: tuple  # (title, description, category, location, cost, project type)
    meetings: tuple  # days ago of the council meetings held; the first ones approve a matter each
    stars: tuple  # the residents' ratings of the first delivered project
    late: bool  # the second project: accepted after its planned end (True) or left overdue (False)


SMALL = (
    Small(
        "nanyuan",
        "南园社区",
        1400,
        120_000,
        (
            ("3栋楼道加装扶手", "楼道台阶陡，老人上下楼不便，建议加装扶手。", "accessibility", "3栋", 9_000, "works"),
            (
                "社区长者食堂增加送餐",
                "行动不便的独居老人希望长者食堂能送餐上门。",
                "elderly",
                "长者食堂",
                15_000,
                "service",
            ),
            ("南门非机动车棚加装充电桩", "电动车楼道充电有火灾隐患。", "safety", "南门车棚", 18_000, "works"),
            ("儿童游乐区铺设软垫", "游乐区是水泥地，孩子摔倒容易受伤。", "children", "中心花园", 12_000, "works"),
        ),
        (300, 200, 110, 40),
        (5, 4, 5, 4, 3, 5),
        False,
    ),
    Small(
        "jinfan",
        "锦帆社区",
        900,
        80_000,
        (
            ("河道边步道修补", "沿河步道多处破损积水。", "facilities", "锦帆河步道", 14_000, "works"),
            ("社区阅览室延长开放时间", "上班族晚上也想去阅览室。", "culture", "党群服务中心", 6_000, "service"),
            ("垃圾投放点加装洗手池", "投放垃圾后没有地方洗手。", "facilities", "各投放点", 8_000, "works"),
        ),
        (280, 170, 95),
        (2, 3, 2, 1, 3, 2),
        True,
    ),
)


def _at(days_ago, hour=10):
    """A local working hour `days_ago` days before today, as the naive UTC the services use."""
    return clock.to_utc(datetime.combine(clock.local_today() - timedelta(days=days_ago), time(hour)))


def _community(spec, admin, password_hash):
    community = Community(
        slug=spec.slug,
        name=spec.name,
        kind=CommunityKind.URBAN,
        district="苏州市姑苏区 双塔街道",
        register_size=spec.register,
        annual_budget=spec.budget,
    )
    db.session.add(community)
    db.session.flush()
    db.session.add(RuleSet(community_id=community.id, version=1, created_by_id=admin.id, support_threshold_count=3))
    people = {}
    for role, username, name in (
        (Role.COMMITTEE, f"{spec.slug}-committee", f"{spec.name}居委会 主任"),
        (Role.CHAIR, f"{spec.slug}-chair", f"{spec.name}议事会 会长"),
    ):
        people[role] = account(username, name, password_hash)
    residents = [account(f"{spec.slug}-resident{i + 1}", NAMES[i], password_hash) for i in range(len(NAMES))]
    for user, role in [(people[Role.COMMITTEE], Role.COMMITTEE), (people[Role.CHAIR], Role.CHAIR)] + [
        (user, Role.COUNCIL_MEMBER if i < 2 else Role.RESIDENT) for i, user in enumerate(residents)
    ]:
        verified_member(user, community, role, f"{spec.name}{len(community.memberships) + 1}号", admin)
    db.session.flush()
    record("community.created", community, actor=admin, community=community, slug=spec.slug)
    return community, people[Role.COMMITTEE], people[Role.CHAIR], residents


def _propose(community, committee, residents, fields, days_ago):
    """Proposed `days_ago` days ago, supported over the next days until review, then admitted."""
    with clock.shifted_to(_at(days_ago)):
        matter = propose(residents[3], community, fields)
    for day, supporter in enumerate(residents[4:8]):
        if matter.status != lifecycle.Status.COLLECTING:
            break
        with clock.shifted_to(_at(days_ago - day - 1, 19)):
            matter_services.support(supporter, matter)
    with clock.shifted_to(_at(days_ago - 6)):
        if matter.status == lifecycle.Status.UNDER_REVIEW:
            lifecycle.apply(matter, "admit", committee)
    db.session.commit()
    return matter


def _meeting(community, committee, chair, days_ago, matter=None):
    """A council meeting held `days_ago` days ago; with a matter, its motion to approve passed."""
    ruleset = db.session.scalar(db.select(RuleSet).where(RuleSet.community_id == community.id))
    start = _at(days_ago, 19)
    meeting = Meeting(
        community_id=community.id,
        title=f"{community.name}居民议事会 {clock.local_date(start):%Y年%m月}",
        starts_at=start,
        place="社区党群服务中心",
        status=MeetingStatus.CLOSED,
        ruleset_id=ruleset.id,
        chair_id=chair.id,
        secretary_id=committee.id,
        checkin_token=secrets.token_urlsafe(16),
        opened_at=start,
        closed_at=start + timedelta(hours=2),
        created_by_id=committee.id,
    )
    db.session.add(meeting)
    db.session.flush()
    if matter is None:
        return meeting
    item = db.session.scalar(db.select(AgendaItem).where(AgendaItem.matter_id == matter.id))
    meeting_item = MeetingItem(meeting_id=meeting.id, agenda_item_id=item.id, position=1, status="closed")
    db.session.add(meeting_item)
    db.session.flush()
    motion = Motion(
        meeting_item_id=meeting_item.id,
        mover_id=chair.id,
        kind=MotionKind.APPROVE,
        budget=matter.estimated_cost,
        seconders_needed=1,
        status=MotionStatus.PASSED,
        moved_at=start + timedelta(minutes=30),
        decided_at=start + timedelta(minutes=60),
    )
    db.session.add(motion)
    db.session.flush()
    meeting_item.outcome = "approve"
    with clock.shifted_to(start + timedelta(minutes=60)):
        lifecycle.apply(
            matter,
            "approve",
            chair,
            system=True,
            budget=matter.estimated_cost,
            meeting_id=meeting.id,
            motion_id=motion.id,
        )
    db.session.commit()
    return meeting


def _deliver(record, committee, start_days_ago, planned_days, accepted_after):
    """Planned, started, spent and (when `accepted_after` is given) accepted that many days after the start."""
    with clock.shifted_to(_at(start_days_ago)):
        start_day = clock.local_today()
        delivery.update_details(
            committee,
            record,
            responsible_unit="姑苏区某施工队",
            contact="王工",
            planned_start=start_day,
            planned_end=start_day + timedelta(days=planned_days),
        )
        milestone = delivery.add_milestone(
            committee, record, title="完成施工", planned_date=start_day + timedelta(days=planned_days - 5)
        )
        delivery.start(committee, record)
    if accepted_after is None:
        return
    with clock.shifted_to(_at(start_days_ago - accepted_after)):
        today = clock.local_today()
        delivery.complete_milestone(committee, record, milestone.id, done_on=today, note="")
        delivery.record_spending(
            committee, record, amount=record.approved_budget - 500, spent_on=today, purpose="施工及材料"
        )
        delivery.accept(committee, record, accepted_on=today, note="居委会与居民代表现场验收。")


def _evaluate(record, committee, residents, stars, days_ago):
    with clock.shifted_to(_at(days_ago)):
        rating.open_evaluation(committee, record, closes_on=clock.local_today() + timedelta(days=14))
    for index, (user, value) in enumerate(zip(residents, stars, strict=False)):
        with clock.shifted_to(_at(days_ago - 1 - index % 10, 20)):
            rating.rate(user, record, stars=value)
    return record.current_window


def _volunteers(matter, committee, residents, days_ago):
    task_day = clock.local_today() - timedelta(days=days_ago)
    with clock.shifted_to(_at(days_ago + 5)):
        task = delivery_tasks.add_task(
            committee, matter, title="施工现场秩序维护", people_needed=2, task_date=task_day, hours="3"
        )
        for person in residents[8:10]:
            partner_services.save_volunteer(
                person, matter.community, skills="秩序维护", availability="周末", show_name=False
            )
            signup = delivery_tasks.sign_up(person, task)
            delivery_tasks.decide_signup(committee, task, signup.id, confirm=True)
    with clock.shifted_to(_at(days_ago - 1)):
        for signup in list(task.signups):
            delivery_tasks.log_hours(committee, task, signup.id, hours="3")


def _round(community, committee, matter, voters, days_ago):
    """A yes/no round that closed `days_ago` days ago, most voters for, counted a day later."""
    opens, closes = _at(days_ago + 7, 8), _at(days_ago, 8)
    votes = [
        (user, "no" if index % 4 == 3 else "yes", opens + timedelta(hours=5 + 11 * index))
        for index, user in enumerate(voters)
    ]
    voting_round = yes_no_round(committee, community, matter, opens, closes, votes)
    with clock.shifted_to(closes + timedelta(days=1)):
        counting.count_round(committee, voting_round)


def _small_year(spec, admin, password_hash):
    community, committee, chair, residents = _community(spec, admin, password_hash)
    year = fund_services.current_year()
    fund_services.record_source(
        committee,
        community,
        year,
        source_kind=SourceKind.ALLOCATION,
        amount=spec.budget,
        entry_date=max(clock.local_today().replace(month=1, day=6), clock.local_today() - timedelta(days=330)),
    )
    offsets = spec.meetings
    matters = [
        _propose(community, committee, residents, fields, offsets[min(i, len(offsets) - 1)] + 20)
        for i, fields in enumerate(spec.matters)
    ]
    for i, days_ago in enumerate(offsets):
        _meeting(community, committee, chair, days_ago, matters[i] if i < 2 else None)
    first, second = (record_for_matter(m) for m in matters[:2])
    _deliver(first, committee, offsets[0] - 10, 60, 50)
    _volunteers(first.matter, committee, residents, offsets[0] - 30)
    window = _evaluate(first, committee, residents, spec.stars, offsets[0] - 70)
    _deliver(second, committee, offsets[1] - 10, 45, 60 if spec.late else None)
    _round(community, committee, matters[2], residents[: len(residents) - 4], offsets[-1] - 10)
    db.session.commit()
    return community, committee, first, window


def load(context):
    admin = context["admin"]
    password_hash = admin.password_hash  # every demo account has the same password
    street = Street(slug="shuangta", name="双塔街道", district="苏州市姑苏区")
    db.session.add(street)
    db.session.flush()
    record("street.created", street, actor=admin, slug=street.slug, name=street.name)
    communities = [context["community"]]
    for spec in SMALL:
        community, committee, first, window = _small_year(spec, admin, password_hash)
        communities.append(community)
        if window is not None and rating.needs_response(first):
            with clock.shifted_to(_at(45)):
                delivery.rectify(committee, first, "居民对步道修补质量不满意，施工方返工。")
    for community in communities:
        community.street_id = street.id
        record("street.community_assigned", street, actor=admin, community=community)
    officer = account("street", "双塔街道 李科长", password_hash)
    db.session.flush()
    db.session.add(StreetStaff(street_id=street.id, user_id=officer.id, granted_by_id=admin.id, granted_at=clock.now()))
    record("street.staff_granted", street, actor=admin, user_id=officer.id)
    db.session.commit()
    context["street"] = street
