"""Demo accounts, the demo community and its members."""

import random

from app.audit.services import record
from app.auth.passwords import hash_password
from app.communities import demo as demo_people
from app.communities.models import Community, CommunityKind, Role
from app.extensions import db
from app.rules.models import RuleSet

DEMO_SLUG = "xinglin"
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘蒋蔡余杜叶程苏魏吕丁任沈姚卢"
GIVEN = "秀英 桂英 秀兰 玉兰 建华 建国 志强 丽华 淑珍 海燕 文杰 晓明 欣怡 子涵 宇轩 国强 红梅 凤英 春梅 德明".split()


def load(context):
    """Creates the community and accounts; puts them into `context` for later steps."""
    rng = random.Random(20261126)  # demo data, not security  # noqa: S311  # nosec B311
    context["rng"] = rng
    # One hash for every demo account: they share a password, and 310 scrypt runs would take minutes.
    password_hash = hash_password(context["password"])  # today's parameters, so no login upgrades it

    def account(username, display_name, admin=False):
        return demo_people.account(username, display_name, password_hash, admin)

    admin = account("admin", "区民政局 管理员", admin=True)
    community = Community(
        slug=DEMO_SLUG,
        name="杏林社区",
        kind=CommunityKind.URBAN,
        district="苏州市姑苏区 双塔街道",
        register_size=3200,
        annual_budget=300_000,
    )
    db.session.add(community)
    db.session.flush()
    record("community.created", community, actor=admin, community=community, slug=DEMO_SLUG)
    ruleset = RuleSet(
        community_id=community.id,
        version=1,
        created_by_id=admin.id,
        change_note="杏林社区居民议事规则（2026年修订）",
        support_threshold_count=15,
        cap_service=200_000,
        cap_goods=150_000,
        cap_works=500_000,
        excluded_categories=[],
        negative_list=["物业服务企业应履行的职责", "与政府已有投资重复的项目", "营利性项目"],
        notice_days=3,
        quorum_numerator=1,
        quorum_denominator=2,
        quorum_strict=True,
        seconders_needed=1,
        turns_per_item=2,
        minutes_per_turn=2,
        majority_rule="simple",
        majority_base="present",
    )
    db.session.add(ruleset)

    def member(user, role, address):
        return demo_people.verified_member(user, community, role, address, admin)

    def address():
        return f"{rng.randint(1, 24)}栋{rng.randint(1, 3)}单元{rng.randint(1, 6)}0{rng.randint(1, 4)}室"

    committee = account("committee", "居委会 周主任")
    member(committee, Role.COMMITTEE, "杏林社区居委会")
    chair = account("chair", "议事会 陈会长")
    member(chair, Role.CHAIR, address())
    council = [chair]
    for i in range(1, 9):
        user = account(f"council{i}", f"议事员 {SURNAMES[i]}{GIVEN[i % len(GIVEN)]}")
        member(user, Role.COUNCIL_MEMBER, address())
        council.append(user)
    residents = []
    for i in range(1, 301):
        name = SURNAMES[rng.randrange(len(SURNAMES))] + GIVEN[rng.randrange(len(GIVEN))]
        user = account(f"resident{i}", name)
        member(user, Role.RESIDENT, address())
        residents.append(user)
    db.session.flush()
    context.update(
        admin=admin,
        community=community,
        ruleset=ruleset,
        committee=committee,
        chair=chair,
        council=council,
        residents=residents,
    )
