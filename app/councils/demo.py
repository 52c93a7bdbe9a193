"""Demo step (after the matters step): consultation rules v2, the agenda list, one meeting held
two weeks ago with locked minutes, and one upcoming meeting.

Everything goes through the services, so the demo shows what the real flows produce. The
held meeting is run with the service clock shifted into the past (clock.shifted), so its
times, speakers and votes read like a real evening meeting.

Uses context["community"], ["committee"], ["chair"], ["council"] (chair first), ["residents"],
["matters"] (MicroMatter rows made by the matters step). Leaves at least RESERVED matters on the
agenda list untouched for the voting step; stores context["meetings"] = [held, upcoming] and
context["agenda_items"].
"""

from datetime import datetime, time, timedelta

from sqlalchemy import select

from app.core import clock
from app.extensions import db
from app.matters import services as matter_services
from app.matters.demo import propose
from app.matters.lifecycle import Status
from app.matters.models import MicroMatter
from app.rules import services as rules_services

from . import attendance as attendance_services
from . import meetings as meeting_services
from . import minutes, votes
from . import review as review_services
from . import speakers as speaker_services
from .models import AgendaItem, Review, ReviewDecision

RESERVED = 8  # on_agenda matters the voting step needs
HELD_ITEMS = 4
UPCOMING_ITEMS = 3

# Matters proposed here only when the matters step left too few on the agenda list.
EXTRA_MATTERS = [
    (
        "小区北门加装无障碍坡道",
        "北门台阶较高，轮椅和婴儿车进出困难，建议加装无障碍坡道和扶手。",
        "accessibility",
        "北门",
        68_000,
        "works",
    ),
    (
        "社区图书角更新儿童绘本",
        "图书角绘本破旧，建议更新200册儿童绘本并增加书架。",
        "children",
        "社区活动中心",
        12_000,
        "goods",
    ),
    (
        "老年人智能手机使用培训",
        "很多老人不会用手机挂号和付款，建议每月开设两次培训课。",
        "elderly",
        "社区服务中心",
        18_000,
        "service",
    ),
    (
        "5栋门前增设晾衣架",
        "5栋居民晾晒被褥没有地方，建议在门前空地设置公共晾衣架。",
        "facilities",
        "5栋门前",
        9_000,
        "goods",
    ),
    (
        "中心广场夜间照明改造",
        "广场路灯损坏较多，晚上跳广场舞光线不足，建议更换为LED路灯。",
        "safety",
        "中心广场",
        85_000,
        "works",
    ),
    ("垃圾分类投放点加装洗手池", "投放点没有洗手的地方，建议加装洗手池。", "greening", "西侧投放点", 22_000, "works"),
    ("社区乒乓球台翻新", "两张乒乓球台台面开裂，建议翻新并加装挡网。", "culture", "健身广场", 14_000, "goods"),
    ("独居老人每周上门探访服务", "建议由社工每周上门探访独居老人，了解需求。", "elderly", "全社区", 40_000, "service"),
    (
        "地下车库出入口增设反光镜",
        "车库出口是盲区，已发生多次剐蹭，建议增设广角反光镜。",
        "safety",
        "地下车库出口",
        3_000,
        "goods",
    ),
    (
        "儿童游乐区铺设塑胶地面",
        "游乐区是水泥地，孩子摔倒容易受伤，建议铺设塑胶地面。",
        "children",
        "儿童游乐区",
        56_000,
        "works",
    ),
    (
        "社区暑期托管班",
        "双职工家庭暑期孩子无人照看，建议开设为期四周的托管班。",
        "children",
        "社区活动中心",
        60_000,
        "service",
    ),
    ("8栋单元门禁维修", "8栋两个单元门禁长期损坏，陌生人可随意进出。", "safety", "8栋", 7_500, "works"),
    (
        "小区健身步道划线标识",
        "步道没有距离标识，建议每100米标注距离并设置指示牌。",
        "culture",
        "环形步道",
        6_000,
        "goods",
    ),
    ("雨水篦子更换防臭型", "夏天雨水篦子异味大，建议更换为防臭型。", "greening", "主干道两侧", 28_000, "works"),
    ("社区法律咨询日", "建议每月邀请律师到社区提供一次免费法律咨询。", "other", "社区服务中心", 12_000, "service"),
]


def local_evening(day, hour=19, minute=0):
    """A naive-UTC datetime for `hour:minute` local time on the local date of `day` (naive UTC)."""
    return clock.to_utc(datetime.combine(clock.local_date(day), time(hour, minute)))


def schedule(context, title, starts_at, agenda_item_ids):
    """The committee schedules a meeting in the community's usual room, chaired by the council's chair."""
    return meeting_services.schedule_meeting(
        context["committee"],
        context["community"],
        title=title,
        starts_at=starts_at,
        place="杏林社区党群服务中心二楼会议室",
        chair_id=context["chair"].id,
        secretary_id=context["committee"].id,
        agenda_item_ids=agenda_item_ids,
    )


def opened_meeting(context, title, start, agenda_item_ids, check_in_before):
    """A meeting scheduled five days before `start`, the chair and six members checked in
    `check_in_before` minutes before it, opened by the chair at `start`. Returns it, the members
    but the chair, and `at(minute)`: the clock `minute` minutes after the start."""
    committee, chair = context["committee"], context["chair"]
    members = [u for u in context["council"] if u.id != chair.id]

    def at(minute):
        return clock.shifted_to(start + timedelta(minutes=minute))

    with clock.shifted_to(start - timedelta(days=5)):
        meeting = schedule(context, title, start, agenda_item_ids)
    with at(-check_in_before):
        for user in [chair, *members[:6]]:
            attendance_services.check_in(committee, meeting, user.id)
    with at(0):
        meeting_services.open_meeting(chair, meeting)
    return meeting, members, at


def _new_ruleset_version(context):
    community, committee = context["community"], context["committee"]
    current = rules_services.current_ruleset(community)
    values = rules_services.field_values(current)
    values.update(
        seconders_needed=2,
        tie_rule="chair_decides",
        proxy_rule="votes",  # a member who cannot come gives a written proxy (app.proxies shows one)
        negative_list=[*current.negative_list, "个人或单一楼栋受益、不具公共性的事项"],
    )
    ruleset = rules_services.propose_version(
        committee,
        community,
        values,
        "2026年第1次议事会议决：动议须有2名议事员附议；平票时由主持人决定；议事员不能出席时可书面委托"
        "另一名议事员代为表决；负面清单增加一项。",
    )
    rules_services.adopt(ruleset, committee)  # adopted before the demo's meetings, so in force
    ruleset.created_at = clock.now()
    if current.created_at > ruleset.created_at:  # version 1 was adopted before version 2
        current.created_at = ruleset.created_at - timedelta(days=70)
    db.session.commit()
    return ruleset


def _admitted_reviews(context, matters):
    """Matters the matters step put straight on the agenda list get the review that admitted them."""
    community, committee = context["community"], context["committee"]
    ruleset = rules_services.current_ruleset(community)
    for matter in matters:
        if db.session.scalar(select(Review.id).where(Review.matter_id == matter.id)):
            continue
        checks = review_services.checks_for(matter, ruleset)
        review = review_services.new_review(committee, matter, ruleset, checks, ReviewDecision.ADMIT, "")
        review.created_at = matter.status_changed_at
        item = review_services.ensure_agenda_item(matter, committee, review)
        item.added_at = matter.status_changed_at
    db.session.commit()


def _top_up(context, missing):
    """Propose, support and admit extra matters through the normal services."""
    community, committee, residents = context["community"], context["committee"], context["residents"]
    threshold = matter_services.support_threshold(community)
    made = []
    for index, fields in enumerate(EXTRA_MATTERS[:missing]):
        matter = propose(residents[index], community, fields)
        start = 20 + (index * 17) % (len(residents) - threshold - 21)
        for supporter in residents[start : start + threshold]:
            if matter.status != Status.COLLECTING:
                break
            matter_services.support(supporter, matter)
        if matter.status == Status.UNDER_REVIEW:
            review_services.admit(committee, community, matter.id, judged_negative_list=True)
            made.append(matter)
    return made


def _run_held_meeting(context, items, start):
    """The meeting of two weeks ago: 7 of 9 present, 4 items decided, minutes locked."""
    committee, chair = context["committee"], context["chair"]
    # the chair and six members check in: council7 and council8 sent apologies
    meeting, members, at = opened_meeting(context, "2026年第1次居民议事会", start, [i.id for i in items], 15)
    m1, m2, m3, m4, m5, m6 = members[:6]
    plans = [
        # (motion kind, budget, mover, seconders, speakers [(member, stance)], votes by member; the chair
        # does not vote: the rules let the chair settle a tie)
        (
            "approve",
            None,
            m1,
            (m2, m3),
            [(m4, "pro"), (m5, "contra"), (m2, "pro")],
            {m1: "yes", m2: "yes", m3: "yes", m4: "yes", m5: "no", m6: "abstain"},
        ),
        (
            "approve",
            None,
            m3,
            (m4, m6),
            [(m6, "pro"), (m1, "contra")],
            {m1: "no", m2: "yes", m3: "yes", m4: "yes", m5: "yes", m6: "yes"},
        ),
        (
            "reject",
            None,
            m5,
            (m1, m2),
            [(m5, "pro"), (m3, "contra"), (m6, "pro")],
            {m1: "yes", m2: "yes", m3: "no", m4: "yes", m5: "yes", m6: "abstain"},
        ),
        (
            "refer_to_vote",
            None,
            m2,
            (m4, m5),
            [(m4, "pro"), (m1, "contra")],
            {m1: "no", m2: "yes", m3: "yes", m4: "yes", m5: "yes", m6: "yes"},
        ),
    ]
    minute = 2
    for item, (kind, budget, mover, seconders, speakers, choices) in zip(meeting.items, plans, strict=True):
        with at(minute):
            meeting_services.open_item(chair, meeting, item)
        with at(minute + 1):
            if kind == "approve":
                budget = min(item.matter.estimated_cost, meeting.ruleset.cost_cap(item.matter.project_type))
            motion = votes.move_motion(
                mover,
                meeting,
                item,
                kind,
                budget,
                {
                    "approve": "同意实施，预算按测算控制",
                    "reject": "暂不实施，建议由物业按合同履行",
                    "refer_to_vote": "提交全体居民投票决定",
                }[kind],
            )
            for seconder in seconders:
                votes.second_motion(seconder, meeting, motion)
        minute += 2
        for speaker, stance in speakers:
            with at(minute):
                speaker_services.ask_to_speak(speaker, meeting, item, stance)
        for _ in speakers:
            with at(minute):
                speaker_services.next_speaker(chair, meeting, item)
            minute += 2
            with at(minute):
                speaker_services.end_turn(chair, meeting, item)
        with at(minute):
            vote = votes.open_vote(chair, meeting, motion, "named")
            for user, choice in choices.items():
                if user is m6:  # council6's hand is recorded by the secretary
                    votes.record_hand(committee, meeting, vote, user.id, choice)
                else:
                    votes.cast_vote(user, meeting, vote, choice)
        with at(minute + 1):
            votes.close_vote(chair, meeting, vote)
        minute += 3
    with at(minute):
        meeting_services.close_meeting(chair, meeting)
    draft = minutes.original(meeting)
    with at(minute + 30):
        minutes.save_notes(
            committee,
            draft,
            (
                "1. 会前公示议程3天，应到议事员9人，实到7人（王桂英、李秀兰请假）。\n"
                "2. 居委会周主任列席并担任记录。\n"
                "3. 第3项议题中，多名议事员指出该事项属于物业服务合同范围，建议居委会督促物业整改。"
            ),
        )
    if meeting.ruleset.minutes_comment_days:  # the draft goes to the members, one comments, the chair answers
        with at(minute + 40):
            minutes.send_for_comments(committee, draft)
        with at(60 * 20):
            comment = minutes.add_comment(m5, draft, "第3项议题的记录中，请写明物业服务合同的条款（第十二条）。")
        with at(60 * 26):
            minutes.answer_comment(chair, comment, "已采纳：秘书在记录说明第3条补充了合同第十二条。")
        lock_at = draft.comments_until + timedelta(hours=1)
    else:
        lock_at = start + timedelta(days=1)
    with clock.shifted_to(lock_at):
        minutes.lock(chair, draft)
    return meeting


def load(context):
    community = context["community"]
    with clock.shifted(-timedelta(days=20)):
        _new_ruleset_version(context)
    on_agenda = [m for m in context.get("matters", []) if getattr(m, "status", None) == Status.ON_AGENDA]
    seen = {m.id for m in on_agenda}
    on_agenda += [
        m
        for m in db.session.scalars(
            select(MicroMatter)
            .where(MicroMatter.community_id == community.id, MicroMatter.status == Status.ON_AGENDA)
            .order_by(MicroMatter.id)
        )
        if m.id not in seen
    ]
    _admitted_reviews(context, on_agenda)
    needed = HELD_ITEMS + UPCOMING_ITEMS + RESERVED
    if len(on_agenda) < needed:
        on_agenda += _top_up(context, needed - len(on_agenda))
    agenda_items = [review_services.ensure_agenda_item(m) for m in on_agenda]
    db.session.commit()
    held_start = local_evening(clock.now() - timedelta(days=14))
    held = _run_held_meeting(context, agenda_items[:HELD_ITEMS], held_start)
    # The upcoming meeting takes the last items of the list, leaving the ones in between for the voting step.
    upcoming_items = agenda_items[HELD_ITEMS:][-UPCOMING_ITEMS:] if len(agenda_items) > HELD_ITEMS else []
    upcoming = None
    if upcoming_items:
        upcoming = schedule(
            context,
            "2026年第2次居民议事会",
            local_evening(clock.now() + timedelta(days=7)),
            [i.id for i in upcoming_items],
        )
    context["meetings"] = [m for m in (held, upcoming) if m is not None]
    context["agenda_items"] = db.session.scalars(
        select(AgendaItem).where(AgendaItem.community_id == community.id).order_by(AgendaItem.position)
    ).all()
