"""Demo step (after voting): implementation records in every state.

The records themselves were created by the approvals the council and voting steps made
(through the approval signal). If they left too few, matters still on the agenda list
are approved here (as the council would), and as a last resort a few more are proposed,
supported and admitted through the normal services. Everything then goes through the
tracker's services, so the demo shows what the real flows produce.
"""

import io
import random
from datetime import timedelta

from PIL import Image, ImageDraw
from sqlalchemy import select
from werkzeug.datastructures import FileStorage

from app.core import clock
from app.extensions import db
from app.matters import lifecycle
from app.matters.models import Support

from . import delivery, rating
from .models import ImplementationRecord, RecordState

# What each demo record becomes, in order.
PLAN = ("overdue", "rated", "rectification", "closed", "paused", "on_time", "completed", "planned", "cancelled")

UNITS = [
    "苏州市姑苏区市政工程队",
    "双塔街道物业服务中心",
    "苏州绿园园林有限公司",
    "姑苏区社区服务中心",
    "苏州安居建设有限公司",
    "杏林社区居委会",
]
CONTACTS = ["李工 138 1234 5678", "王经理 139 2345 6789", "赵师傅 137 3456 7890", "陈主任 0512-6521 0000"]

EXTRA_MATTERS = [
    (
        "3栋楼道加装声控灯",
        "3栋楼道夜间没有照明，老人上下楼容易摔倒。建议每层加装声控灯。",
        "safety",
        "3栋楼道",
        8_000,
        "goods",
    ),
    (
        "小区东门增设非机动车充电桩",
        "电动自行车在楼道充电有火灾隐患，建议在东门车棚增设充电桩。",
        "safety",
        "东门车棚",
        36_000,
        "works",
    ),
    ("社区长者食堂增加周末供餐", "长者食堂周末不开，独居老人吃饭不便。", "elderly", "社区服务中心", 48_000, "service"),
    ("中心花园增设休息座椅", "花园座椅太少，老人散步后没处歇脚。", "greening", "中心花园", 15_000, "goods"),
    ("儿童游乐区铺设软质地垫", "游乐区地面是水泥地，孩子摔倒容易受伤。", "children", "儿童游乐区", 42_000, "works"),
    ("垃圾分类投放点加装洗手池", "投放点没有洗手的地方，很不卫生。", "facilities", "西门投放点", 9_000, "works"),
    ("社区活动室添置乒乓球桌", "活动室只有一张旧球桌，周末排队很长。", "culture", "社区活动室", 6_000, "goods"),
    ("7栋单元门口加装扶手", "7栋门口台阶没有扶手，老人上下不便。", "accessibility", "7栋单元门口", 5_000, "works"),
]


def demo_photo(seed, label="photo.jpg"):
    """A small generated picture (no external files): a "construction site" in a few colours."""
    rng = random.Random(seed)  # demo pictures, not secrets  # noqa: S311  # nosec B311
    image = Image.new("RGB", (480, 320), (200 + rng.randint(0, 40), 210, 220))
    draw = ImageDraw.Draw(image)
    draw.rectangle([0, 220, 480, 320], fill=(150, 150, 140))
    for _ in range(4):
        x, y = rng.randint(20, 380), rng.randint(60, 180)
        draw.rectangle([x, y, x + rng.randint(40, 90), 220], fill=(rng.randint(60, 200), rng.randint(60, 160), 60))
    draw.ellipse([380, 20, 440, 80], fill=(250, 200, 60))
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", quality=80)
    buffer.seek(0)
    return FileStorage(stream=buffer, filename=label, content_type="image/jpeg")


def _records(community):
    return db.session.scalars(
        select(ImplementationRecord)
        .where(ImplementationRecord.community_id == community.id)
        .order_by(ImplementationRecord.id)
    ).all()


def _approve_more(context, community, committee, needed):
    """Approve agenda matters no meeting has taken up; propose and admit new ones if there are too few."""
    from app.councils.review import schedulable_items

    # Matters scheduled for the council's upcoming meeting stay with the council.
    candidates = [item.matter for item in schedulable_items(community)]
    for matter in candidates[:needed]:
        lifecycle.apply(matter, "approve", committee, system=True, budget=matter.estimated_cost)
        needed -= 1
    db.session.commit()
    if needed > 0:
        _propose_and_admit(context, community, committee, needed)


def _propose_and_admit(context, community, committee, needed):
    from app.matters.demo import proposed_and_admitted

    residents = context["residents"]
    rng = context.get("rng") or random.Random(5)  # noqa: S311  # nosec B311
    for index, fields in enumerate(EXTRA_MATTERS[:needed]):
        matter = proposed_and_admitted(residents[200 + index], community, fields, residents[:200], rng, committee)
        if matter.status == "on_agenda":
            lifecycle.apply(matter, "approve", committee, system=True, budget=matter.estimated_cost)
        # Proposed some months ago, like the other demo matters.
        matter.created_at = matter.created_at - timedelta(days=95)
        matter.submitted_at = matter.created_at + timedelta(days=2)
        db.session.commit()


def load(context):
    community, committee, residents = context["community"], context["committee"], context["residents"]
    rng = random.Random(20261205)  # repeatable demo data  # noqa: S311  # nosec B311
    records = [r for r in _records(community) if r.state == RecordState.PLANNED]
    if len(records) < len(PLAN):
        _approve_more(context, community, committee, len(PLAN) - len(records))
        records = [r for r in _records(community) if r.state == RecordState.PLANNED]
    for index, (record, target) in enumerate(zip(records, PLAN, strict=False)):
        when = Schedule(record)
        _build(record, target, committee, residents, when, rng, seed=index)
        _backdate(record, when, rng)
    db.session.commit()
    context["tracker_records"] = records


def _backdate(record, when, rng):
    """Like the other demo steps, move this record's own moments into the past it describes
    (display only; the audit log keeps the real times)."""
    now = clock.now()

    def at(day, hour):
        return min(now, clock.end_of_local_day(day - timedelta(days=1)) + timedelta(hours=hour))

    if record.started_at:
        record.started_at = at(when.when(0.3), 9)
    for milestone in record.milestones:
        if milestone.done_on:
            milestone.done_at = at(milestone.done_on, 17)
    updates = sorted(record.updates, key=lambda u: u.id)
    days = [when.when(0.45)] if record.accepted_on is None else [when.when(0.6)]
    for update, day in zip(updates, days + [when.today] * len(updates), strict=False):
        update.created_at = at(day, 16)
    if record.accepted_on:
        record.completed_at = at(record.accepted_on, 17)
    for window in record.windows:
        window.opens_at = at(record.accepted_on + timedelta(days=1), 8)
        if window.has_ended(now):
            window.closes_at = at(record.accepted_on + timedelta(days=15), 0)
        end = min(now, window.closes_at)
        span = max(60, int((end - window.opens_at).total_seconds()) - 60)
        for evaluation in window.evaluations:
            evaluation.created_at = window.opens_at + timedelta(seconds=rng.randrange(span))
        if window.responded_at:
            window.responded_at = window.closes_at
    for rectification in record.rectifications:
        window = next((w for w in record.windows if w.id == rectification.window_id), record.windows[0])
        rectification.opened_at = min(now, window.closes_at + timedelta(days=1))
    if record.closed_at and record.windows:
        record.closed_at = min(now, record.windows[-1].closes_at + timedelta(days=2))


class Schedule:
    """Demo dates between the proposal and today, so that every date is plausible."""

    def __init__(self, record):
        matter = record.matter
        self.today = clock.local_today()
        self.proposed = clock.local_date(matter.submitted_at or matter.created_at)
        self.span = max(0, (self.today - self.proposed).days)

    def when(self, fraction):
        """A day `fraction` of the way from the proposal (0) to today (1)."""
        return self.proposed + timedelta(days=round(self.span * fraction))

    def ahead(self, days):
        return self.today + timedelta(days=days)


def _plan(record, committee, when, rng, end):
    delivery.update_details(
        committee,
        record,
        responsible_unit=rng.choice(UNITS),
        contact=rng.choice(CONTACTS),
        planned_start=when.when(0.3),
        planned_end=end,
    )


def _start(record, committee, when, rng, milestones, end):
    _plan(record, committee, when, rng, end)
    created = [delivery.add_milestone(committee, record, title=title, planned_date=day) for title, day in milestones]
    delivery.start(committee, record)
    return created


def _done(record, committee, milestone, day, note, seed, photo=True):
    photos = [demo_photo(seed, f"m{milestone.id}.jpg")] if photo else []
    delivery.complete_milestone(committee, record, milestone.id, done_on=day, note=note, photos=photos)


def _spend(record, committee, items):
    for amount, day, purpose in items:
        total = record.spent + amount
        reason = "居民要求增加防滑处理，经议事会同意追加。" if total > record.approved_budget else ""
        delivery.record_spending(
            committee, record, amount=amount, spent_on=day, purpose=purpose, over_budget_reason=reason
        )


def _finish(record, committee, when, seed):
    """Every milestone done, a final update, the acceptance (验收)."""
    signed, delivered, built = _start(
        record,
        committee,
        when,
        random.Random(seed),  # noqa: S311  # nosec B311
        [
            ("签订施工合同", when.when(0.35)),
            ("材料进场", when.when(0.5)),
            ("施工完成", when.when(0.7)),
        ],
        end=when.when(0.75),
    )
    _done(record, committee, signed, when.when(0.34), "合同已签订并在居委会公示栏公示。", seed, photo=False)
    _done(record, committee, delivered, when.when(0.5), "材料已进场，居民代表参与查验。", seed + 1)
    delivery.post_update(committee, record, body="施工过半，期间请居民注意绕行。", photos=[demo_photo(seed + 2)])
    _done(record, committee, built, when.when(0.7), "施工完成，现场已清理。", seed + 3)
    budget = record.approved_budget
    _spend(
        record,
        committee,
        [(round(budget * 0.3), when.when(0.36), "预付款"), (round(budget * 0.6), when.when(0.72), "进度款")],
    )
    delivery.accept(committee, record, accepted_on=when.when(0.75), note="居委会、居民代表和施工方共同验收，质量合格。")


def _rate(record, residents, rng, stars_weights, count):
    proposer_id = record.matter.proposer_id
    supporter_ids = set(db.session.scalars(select(Support.user_id).where(Support.matter_id == record.matter_id)))
    raters = [u for u in residents if u.id == proposer_id or u.id in supporter_ids][:6]
    raters += rng.sample([u for u in residents if u not in raters], count - len(raters))
    comments = {
        5: "做得很好，谢谢居委会！",
        4: "总体满意。",
        3: "还可以，细节有待改进。",
        2: "坡度太陡，下雨天很滑。",
        1: "没有解决问题。",
    }
    for user in raters:
        stars = rng.choices([1, 2, 3, 4, 5], weights=stars_weights)[0]
        comment = comments[stars] if rng.random() < 0.25 else ""
        rating.rate(user, record, stars=stars, comment=comment)


def _build(record, target, committee, residents, when, rng, seed):
    if target == "planned":
        delivery.update_details(
            committee, record, responsible_unit="", contact="", planned_start=when.ahead(20), planned_end=when.ahead(80)
        )
        delivery.add_milestone(committee, record, title="确定施工单位", planned_date=when.ahead(25))
        return
    if target in ("on_time", "overdue", "paused", "cancelled"):
        late = when.today - timedelta(days=max(1, when.span // 5))
        signed, _delivery, _installed = _start(
            record,
            committee,
            when,
            rng,
            [
                ("签订合同", when.when(0.4)),
                ("材料进场", late if target == "overdue" else when.ahead(10)),
                ("安装完成", when.ahead(35)),
            ],
            end=when.ahead(40),
        )
        _done(record, committee, signed, when.when(0.4), "合同已签订。", seed, photo=False)
        delivery.post_update(committee, record, body="前期准备完成。", photos=[demo_photo(seed + 5)])
        _spend(record, committee, [(round(record.approved_budget * 0.3), when.when(0.45), "预付款")])
        if target == "paused":
            delivery.pause(committee, record, "供货商延迟交货，预计两周后恢复施工。")
        elif target == "cancelled":
            delivery.cancel(
                committee, record, "该处纳入老旧小区改造工程统一实施，本项目不再单独建设，未用资金退回基金。"
            )
        return
    _finish(record, committee, when, seed * 10)
    if target == "completed":
        return
    rating.open_evaluation(committee, record, closes_on=when.ahead(14))
    if target == "rated":
        _rate(record, residents, rng, [1, 1, 3, 10, 12], 24)
        return
    if target == "closed":
        _spend(record, committee, [(round(record.approved_budget * 0.15), when.when(0.8), "追加防滑处理")])
        _rate(record, residents, rng, [0, 1, 2, 8, 10], 20)
        rating.end_window(committee, record)
        delivery.close(committee, record)
        return
    # rectification: residents are not satisfied; the committee opens a rectification with its own milestones
    _rate(record, residents, rng, [6, 8, 4, 2, 1], 22)  # enough to end the rating early (the rules ask 20)
    rating.end_window(committee, record)
    delivery.rectify(
        committee, record, "满意度低于议事规则规定的60%：居民反映坡道太陡、雨天湿滑，需加装防滑条并调整坡度。"
    )
    fix = delivery.add_milestone(committee, record, title="加装防滑条", planned_date=when.ahead(3))
    delivery.add_milestone(committee, record, title="复测坡度", planned_date=when.ahead(12))
    _done(record, committee, fix, when.today, "防滑条已加装。", seed + 7)
    delivery.post_update(committee, record, body="整改进行中：防滑条已加装，下周复测坡度。")
