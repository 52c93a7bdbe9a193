"""Demo step (right after core.load): 28 micro-matters of the demo community, in every category
and project type, with supports (附议), follows and comments of each stance, in Chinese.

Everything goes through the services and lifecycle.apply, as a resident's clicks would; only the
dates are moved into the past afterwards so the lists read like a few months of real use.
Statuses: 3 draft, 5 collecting, 2 under_review, 1 withdrawn, 1 not_admitted, 16 on_agenda (the
later demo steps take on_agenda matters on to meetings, votes, approval and implementation).
Puts the created matters, in the order below, into context["matters"].
"""

import random
from datetime import timedelta

from sqlalchemy import select

from app.core import clock
from app.extensions import db

from . import lifecycle, services
from .lifecycle import Status
from .models import Comment, Support

# (status, title, category, project type, cost in yuan, location, description, days since submitted)
MATTERS = [
    (
        "on_agenda",
        "3栋、5栋单元入口加装无障碍坡道",
        "accessibility",
        "works",
        45_000,
        "3栋、5栋单元门口",
        "3栋和5栋单元入口各有三级台阶，没有坡道。楼里住着好几位坐轮椅的老人，推婴儿车的家长也只能抬上抬下。\n\n"
        "建议：\n\n- 每个入口加装一条坡度不超过1:12的坡道；\n- 两侧加装不锈钢扶手；\n- 坡面做防滑处理。",
        84,
    ),
    (
        "on_agenda",
        "中心花园增设遮阳座椅",
        "elderly",
        "goods",
        18_000,
        "中心花园",
        "中心花园是老人白天最常去的地方，但只有两张石凳，夏天晒得发烫。建议沿林荫道增设6张带靠背和扶手的木质座椅，"
        "方便老人歇脚、聊天。",
        80,
    ),
    (
        "on_agenda",
        "社区儿童阅读角",
        "children",
        "goods",
        15_000,
        "社区党群服务中心一楼",
        "放学后很多孩子在服务中心等家长，没有适合他们的地方。建议把一楼闲置的角落改成儿童阅读角：\n\n"
        "- 低矮书架和软垫；\n- 首批300册适龄绘本和科普书；\n- 由志愿者家长轮流值守。",
        77,
    ),
    (
        "on_agenda",
        "高层电梯厅增设候梯座椅",
        "elderly",
        "goods",
        6_000,
        "9栋至14栋一楼电梯厅",
        "高层早晚高峰等电梯要好几分钟，腿脚不好的老人只能站着等。建议每个电梯厅放一张折叠式候梯座椅，"
        "既不占通道，又能让老人坐一坐。",
        75,
    ),
    (
        "on_agenda",
        "河边步道夜间照明",
        "safety",
        "works",
        38_000,
        "小区东侧河边步道",
        "河边步道晚上散步的人很多，但约300米长的一段完全没有路灯，去年冬天有老人在这里摔倒。"
        "建议安装12盏太阳能低位草坪灯，既照亮路面又不影响临河住户休息。",
        72,
    ),
    (
        "on_agenda",
        "新建非机动车棚及充电桩",
        "facilities",
        "works",
        80_000,
        "7栋北侧空地",
        "电动车在楼道里充电的情况屡禁不止，存在很大的火灾隐患。建议在7栋北侧空地新建一个可停放60辆车的车棚，"
        "配20个智能充电口，按次扫码付费。",
        70,
    ),
    (
        "on_agenda",
        "健身器材维修更换",
        "culture",
        "goods",
        22_000,
        "健身广场",
        "健身广场的器材已经用了十年，漫步机卡顿、扭腰器有松动，单杠锈蚀严重。建议维修可修的器材，"
        "更换三件损坏的器材，并在地面加铺安全垫。",
        66,
    ),
    (
        "on_agenda",
        "老年助餐点送餐服务",
        "elderly",
        "service",
        60_000,
        "社区长者食堂",
        "社区长者食堂开了一年，堂食很受欢迎，但80岁以上、行动不便的老人来不了。建议增加送餐上门服务，"
        "每天中午为约40位高龄和独居老人送餐，送餐员顺便问候老人的身体情况。",
        63,
    ),
    (
        "on_agenda",
        "共建社区花园",
        "greening",
        "works",
        25_000,
        "12栋南侧荒地",
        "12栋南侧有一块荒地常年堆放杂物、长满杂草。建议改造成居民共建共管的社区花园：划分20块小菜畦，"
        "由居民认领种植，另设堆肥箱和雨水收集桶。",
        60,
    ),
    (
        "on_agenda",
        "楼梯踏步加装防滑条",
        "accessibility",
        "works",
        16_000,
        "1栋至8栋楼梯间",
        "1至8栋是老旧多层住宅，水磨石楼梯雨天特别滑。建议每级踏步加装铝合金防滑条，并在转角处贴反光警示条。",
        57,
    ),
    (
        "on_agenda",
        "垃圾分类投放点加装雨棚",
        "greening",
        "works",
        30_000,
        "小区西门、南门投放点",
        "两个垃圾分类投放点都是露天的，下雨天居民撑伞投放很不方便，垃圾被雨淋后气味也大。建议加装雨棚、照明和洗手池。",
        54,
    ),
    (
        "on_agenda",
        "四点半课堂",
        "children",
        "service",
        36_000,
        "社区党群服务中心二楼",
        "双职工家庭的孩子下午四点半放学后没人接。建议开设四点半课堂，周一至周五16:30—18:30，"
        "由社工和大学生志愿者陪伴孩子写作业、开展阅读和手工活动。",
        50,
    ),
    (
        "on_agenda",
        "楼道声控灯更换为感应灯",
        "safety",
        "goods",
        9_000,
        "1栋至8栋楼道",
        "老楼楼道的声控灯坏了很多，而且要大声跺脚才会亮，老人夜里上下楼很不安全。"
        "建议统一更换为人体感应LED灯，约160盏。",
        47,
    ),
    (
        "on_agenda",
        "老年活动室添置音响设备",
        "culture",
        "goods",
        12_000,
        "老年活动室",
        "社区合唱队和戏曲队每周排练三次，现在用的是一个小音箱，声音根本不够。建议添置一套音响、两支无线话筒"
        "和一台电子琴。",
        44,
    ),
    (
        "on_agenda",
        "公共区域配置AED除颤仪",
        "safety",
        "goods",
        20_000,
        "社区服务中心、健身广场",
        "社区老人多，心脏骤停抢救的黄金时间只有四分钟。建议在服务中心和健身广场各配置一台AED，"
        "并组织志愿者参加急救培训。",
        40,
    ),
    (
        "on_agenda",
        "便民维修服务日",
        "other",
        "service",
        10_000,
        "社区服务中心门前广场",
        "每月第一个周六请专业师傅到社区，为居民免费磨剪刀、修小家电、换拉链、修雨伞，材料费自理。"
        "老人们很需要这样的服务。",
        38,
    ),
    (
        "under_review",
        "小区出入口增设休息长廊",
        "facilities",
        "works",
        120_000,
        "小区南门",
        "南门是公交站和菜场之间的必经之路，老人买菜回来常常要歇一歇。建议在南门内侧建一条带座椅的休息长廊，"
        "也能给等车接送孩子的家长遮风挡雨。",
        25,
    ),
    (
        "under_review",
        "独居老人紧急呼叫器",
        "elderly",
        "goods",
        28_000,
        "全社区独居老人家中",
        "社区登记的独居老人有56位。建议为他们配备一键紧急呼叫器，按下后自动通知家属和社区网格员。",
        20,
    ),
    (
        "not_admitted",
        "小区地面停车位重新划线",
        "facilities",
        "works",
        15_000,
        "小区主干道两侧",
        "地面停车位的线已经看不清了，乱停车很严重，建议重新划线并增加编号。",
        30,
    ),
    (
        "withdrawn",
        "设立宠物活动区",
        "greening",
        "works",
        20_000,
        "10栋西侧草坪",
        "小区养狗的家庭越来越多，建议把10栋西侧草坪围起来，设为宠物活动区，配拾便袋箱。",
        28,
    ),
    (
        "collecting",
        "儿童游乐场加装遮阳棚",
        "children",
        "works",
        40_000,
        "儿童游乐场",
        "游乐场的滑梯和秋千全天暴晒，夏天金属部件烫手，孩子们只能傍晚才去玩。建议加装张拉膜遮阳棚。",
        12,
    ),
    (
        "collecting",
        "公共走廊加装扶手",
        "accessibility",
        "works",
        12_000,
        "1栋至4栋一楼公共走廊",
        "一楼公共走廊比较长，中间没有可以扶的地方。建议在走廊一侧加装连续扶手，方便老人和术后康复的居民行走。",
        9,
    ),
    (
        "collecting",
        "每月一次理发义剪",
        "elderly",
        "service",
        4_800,
        "老年活动室",
        "建议每月请理发师到老年活动室为70岁以上老人免费理发，行动不便的可以预约上门。",
        7,
    ),
    (
        "collecting",
        "篮球场灯具更换",
        "culture",
        "works",
        26_000,
        "篮球场",
        "篮球场的四盏灯坏了两盏，晚上打球光线太暗容易受伤。建议更换为LED球场灯，并安装定时开关，22点自动关灯。",
        5,
    ),
    (
        "collecting",
        "社区共享工具箱",
        "other",
        "goods",
        5_000,
        "社区服务中心",
        "家里偶尔要用电钻、梯子、管钳，买了又用不了几次。建议社区购置一套常用工具，居民登记后免费借用。",
        3,
    ),
    (
        "draft",
        "单元门口增设快递暂存架",
        "facilities",
        "goods",
        6_000,
        "各单元门口",
        "快递员经常把包裹堆在单元门口地上，下雨天被淋湿。想建议每个单元门口放一个带顶的暂存架。",
        0,
    ),
    ("draft", "小区池塘加装护栏", "safety", "works", 18_000, "中心花园池塘", "池塘边没有护栏，小孩在边上玩很危险。", 0),
    (
        "draft",
        "中秋邻里节",
        "culture",
        "service",
        15_000,
        "中心广场",
        "想办一次中秋邻里节：做月饼、猜灯谜、邻居百家宴，让新老居民互相认识。",
        0,
    ),
]

COMMENTS = {
    "support": [
        "这个提议很实在，家里老人每天都要经过，早就该弄了。",
        "支持！花钱不多，受益的人多。",
        "我们单元好几户都有这个需要，赞成。",
        "去年就反映过，希望这次能落实。",
        "孩子们一定会很喜欢，支持。",
        "这是真正的民生小事，赞成尽快实施。",
        "我愿意做志愿者帮忙维护。",
    ],
    "oppose": [
        "费用是不是偏高了？建议多比较几家报价再说。",
        "这件事应该由物业负责，不该用微实事的钱。",
        "位置选得不太好，会占用消防通道。",
        "担心建好以后没人管理，过两年又坏了。",
        "我觉得还有更急的事，比如楼道照明。",
    ],
    "neutral": [
        "施工时间能不能避开早晚高峰和中午休息时间？",
        "建议先问问楼里住户的意见，再定具体方案。",
        "以后维护费用由谁出？希望说明一下。",
        "能不能分两期做，先做最急的部分？",
        "有没有其他社区做过类似的项目？可以参考一下效果。",
    ],
}
REPLIES_PROPOSER = [
    "谢谢大家的建议，我会补充到说明里。",
    "这个问题我问过了，施工大概两周，会提前贴通知。",
    "报价是参考了隔壁社区去年的同类项目，居委会审核时还会再核实。",
]
REPLIES_COMMITTEE = ["居委会已记录，审核时会一并核实。", "维护责任会在实施方案中写明，请大家放心。"]
HIDDEN = ("专业上门维修各种家电，价格实惠，有需要加微信 wx123456。", "含广告内容，与本事项无关。")
NOT_ADMITTED_REASON = "属于物业服务企业应履行的职责（停车管理），不纳入微实事；已转交物业公司限期处理。"


def propose(proposer, community, fields, submit=True):
    """A demo micro-matter from (title, description, category, location, cost, kind); the other
    features' demo steps propose some of their own."""
    title, description, category, location, cost, kind = fields
    return services.create_matter(
        proposer,
        community,
        submit=submit,
        title=title,
        description=description,
        category=category,
        location=location,
        estimated_cost=cost,
        project_type=kind,
    )


def proposed_and_admitted(proposer, community, fields, pool, rng, committee):
    """A demo micro-matter with supports from `pool` until it reaches review; then the committee
    admits it to the agenda list."""
    matter = propose(proposer, community, fields)
    for supporter in rng.sample(pool, services.support_threshold(community)):
        if matter.status != Status.COLLECTING:
            break
        services.support(supporter, matter)
    if matter.status == Status.UNDER_REVIEW:
        lifecycle.apply(matter, "admit", committee)
    return matter


def _comment(user, matter, stance, body):
    return services.add_comment(user, matter, stance, body)


def _discuss(matter, proposer, committee, people, rng, count):
    """A few comments of mixed stance, a reply or two from the proposer and the committee."""
    stances = rng.sample(["support", "support", "support", "oppose", "neutral", "neutral"], count)
    first_question = None
    for author, stance in zip(people, stances, strict=False):
        comment = _comment(author, matter, stance, rng.choice(COMMENTS[stance]))
        if stance != "support" and first_question is None:
            first_question = comment
    if first_question is not None:
        services.reply(proposer, first_question, rng.choice(REPLIES_PROPOSER))
        if rng.random() < 0.5:
            services.reply(committee, first_question, rng.choice(REPLIES_COMMITTEE))


def _backdate(matter, days, rng):
    """Move the matter, its supports and comments back in time (display only; the audit log keeps real times)."""
    now = clock.now()
    submitted = now - timedelta(days=days, hours=rng.randint(0, 10), minutes=rng.randint(0, 59))
    matter.created_at = submitted - timedelta(days=rng.randint(0, 3), hours=rng.randint(1, 8))
    if matter.status != Status.DRAFT:
        matter.submitted_at = submitted
        matter.status_changed_at = min(now, submitted + timedelta(days=min(days, rng.randint(3, 12))))
    span = max(1, int((now - submitted).total_seconds() // 60) - 10)
    for row in db.session.scalars(select(Support).where(Support.matter_id == matter.id)):
        row.created_at = submitted + timedelta(minutes=rng.randint(5, span))
    for row in db.session.scalars(select(Comment).where(Comment.matter_id == matter.id).order_by(Comment.id)):
        row.created_at = submitted + timedelta(minutes=rng.randint(5, span))
        if row.parent_id is not None:
            parent = db.session.get(Comment, row.parent_id)
            row.created_at = max(row.created_at, parent.created_at + timedelta(hours=rng.randint(1, 20)))
        if row.hidden_at is not None:
            row.hidden_at = row.created_at + timedelta(hours=rng.randint(1, 6))


def load(context):
    """Run within app.demo.rows_kept (as `flask demo` does): seconds instead of half a minute."""
    community, committee = context["community"], context["committee"]
    residents = context["residents"]
    rng = random.Random(20261127)  # noqa: S311  # nosec B311
    threshold = services.support_threshold(community)
    resident1 = residents[0]
    # resident1 (a demo login) proposes one collecting matter and one draft, and supports others.
    proposers = rng.sample(residents[1:120], len(MATTERS))
    proposers[21] = resident1
    proposers[25] = resident1
    matters = []
    for index, (status, title, category, kind, cost, location, description, days) in enumerate(MATTERS):
        proposer = proposers[index]
        matter = propose(proposer, community, (title, description, category, location, cost, kind), status != "draft")
        matters.append(matter)
        if status == "draft":
            _backdate(matter, days, rng)
            continue
        others = [r for r in residents if r.id != proposer.id]
        pool = rng.sample(others, 40)
        if resident1.id != proposer.id and index % 3 == 0:
            pool.insert(0, resident1)
        if status in ("on_agenda", "under_review", "not_admitted"):
            supporters = pool[:threshold]  # the last one takes it over the threshold, to review
        elif status == "collecting":
            supporters = pool[: rng.randint(3, threshold - 2)]
        else:
            supporters = pool[:4]
        for supporter in supporters:
            services.support(supporter, matter)
        for follower in rng.sample(others, rng.randint(1, 4)):
            if follower.id not in {s.id for s in supporters[:2]}:
                services.follow(follower, matter)
        talkers = rng.sample(others, 5)
        _discuss(matter, proposer, committee, talkers, rng, rng.randint(2, 5))
        if status == "on_agenda":
            lifecycle.apply(matter, "admit", committee)
        elif status == "not_admitted":
            lifecycle.apply(matter, "decline", committee, reason=NOT_ADMITTED_REASON)
        elif status == "withdrawn":
            _comment(others[5], matter, "oppose", "草坪是孩子们玩的地方，狗的粪便和噪音会影响很多人。")
            _comment(others[6], matter, "oppose", "10栋西侧离窗户太近，晚上遛狗会吵到一楼住户。")
            reply_to = _comment(others[7], matter, "neutral", "能不能换个离楼远一点的位置？")
            services.reply(proposer, reply_to, "听了大家的意见，我先撤回，和邻居们商量好位置再重新提。")
            lifecycle.apply(matter, "withdraw", proposer)
        db.session.commit()
        _backdate(matter, days, rng)
    # One advertisement the committee hid, with its public reason.
    spam = _comment(residents[150], matters[0], "neutral", HIDDEN[0])
    services.hide_comment(committee, spam, HIDDEN[1])
    spam.created_at = matters[0].submitted_at + timedelta(days=2)
    spam.hidden_at = spam.created_at + timedelta(hours=3)
    services.follow(resident1, matters[0])
    db.session.commit()
    context["matters"] = matters
