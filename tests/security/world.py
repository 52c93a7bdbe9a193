"""A small, realistic world for walking every route as every role.

Community "alpha" (where the roles belong) and "beta" (where "other" lives); a
micro-matter collecting supports (with a photo and a comment), a private draft, a
published notice with an objection, and — as features land — their objects too.
Objects are made through the services where that is practical, so the pages see
what they would see in use.
"""
import io
from dataclasses import dataclass, field
from datetime import timedelta

from PIL import Image
from werkzeug.datastructures import FileStorage

from app.auth.models import User
from app.communities.models import Community, Membership, MembershipStatus, Role
from app.extensions import db
from app.rules.models import RuleSet

PASSWORD = "password123"
ROLES = ("anonymous", "unverified", "other", "resident", "council", "chair", "committee", "admin", "proposer")


@dataclass
class World:
    users: dict = field(default_factory=dict)  # role -> User (no entry for "anonymous")
    args: dict = field(default_factory=dict)  # URL variable -> value
    variants: dict = field(default_factory=dict)  # variant name -> {URL variable: value}
    objects: dict = field(default_factory=dict)


def _user(username, display_name, admin=False):
    # A fixed session token: after the world is rebuilt, the logged-in test clients stay logged in.
    user = User(username=username, display_name=display_name, is_admin=admin, session_token=f"matrix-{username}")
    user.set_password(PASSWORD)
    db.session.add(user)
    return user


def _community(slug, name):
    community = Community(slug=slug, name=name, district="姑苏区", register_size=2000, annual_budget=300_000)
    db.session.add(community)
    db.session.flush()
    db.session.add(RuleSet(community_id=community.id, version=1, support_threshold_count=50))
    return community


def _member(user, community, role=Role.RESIDENT, status=MembershipStatus.VERIFIED):
    db.session.add(Membership(user=user, community=community, role=role, status=status, address="1栋1单元101室"))


def photo_upload(name="photo.jpg"):
    buffer = io.BytesIO()
    Image.new("RGB", (64, 48), (90, 140, 60)).save(buffer, "JPEG")
    buffer.seek(0)
    return FileStorage(stream=buffer, filename=name, content_type="image/jpeg")


def build_world():
    world = World()
    alpha = _community("alpha", "甲社区")
    beta = _community("beta", "乙社区")
    users = world.users
    users["admin"] = _user("siteadmin", "管理员", admin=True)
    users["unverified"] = _user("pending", "待核实")
    _member(users["unverified"], alpha, status=MembershipStatus.PENDING)
    users["other"] = _user("elsewhere", "乙社区居民")
    _member(users["other"], beta)
    for role, member_role in (("resident", Role.RESIDENT), ("council", Role.COUNCIL_MEMBER), ("chair", Role.CHAIR),
                              ("committee", Role.COMMITTEE), ("proposer", Role.RESIDENT)):
        users[role] = _user(f"{role}user", f"{role}用户")
        _member(users[role], alpha, role=member_role)
    db.session.commit()
    world.objects.update(alpha=alpha, beta=beta)
    world.args.update(slug=alpha.slug, community_id=alpha.id, filename="style.css")
    _matters(world)
    _publishing(world)
    return world


def _matters(world):
    from app.matters import services

    alpha, users = world.objects["alpha"], world.users
    fields = {"description": "入口台阶太高，轮椅进不去。", "category": "accessibility", "location": "5号楼入口",
              "estimated_cost": "8000", "project_type": "works"}
    matter = services.create_matter(users["proposer"], alpha, photos=[photo_upload()], submit=True,
                                    title="5号楼无障碍坡道", **fields)
    draft = services.create_matter(users["proposer"], alpha, title="草稿：楼道灯", **fields)
    comment = services.add_comment(users["resident"], matter, "support", "支持，老人出入方便。")
    world.objects.update(matter=matter, draft=draft, comment=comment)
    world.args.update(matter_id=matter.id, comment_id=comment.id, photo_id=matter.photos[0].id)
    world.variants["draft"] = {"matter_id": draft.id}


def _publishing(world):
    from app.publishing.models import Notice, NoticeKind, NoticeMatter, Objection
    from app.publishing.permissions import local_today
    from app.publishing.sources import msg, row

    alpha, users = world.objects["alpha"], world.users
    today = local_today()
    notice = Notice(
        community_id=alpha.id, kind=NoticeKind.ACCEPTANCE, ref_id=world.objects["matter"].id,
        title="5号楼无障碍坡道验收公示", preface="请居民监督。", preface_html="<p>请居民监督。</p>",
        facts={"summary": msg("Acceptance of a completed project"), "rows": [row("Budget", 8000, "money")]},
        record_path=f"/c/{alpha.slug}/matters/{world.objects['matter'].id}",
        period_start=today - timedelta(days=1), period_end=today + timedelta(days=5),
        published_by_id=users["committee"].id)
    db.session.add(notice)
    db.session.flush()
    db.session.add(NoticeMatter(notice_id=notice.id, matter_id=world.objects["matter"].id))
    objection = Objection(notice_id=notice.id, author_id=users["resident"].id, body="坡度是否符合规范？")
    db.session.add(objection)
    db.session.commit()
    world.objects.update(notice=notice, objection=objection)
    world.args.update(notice_id=notice.id, objection_id=objection.id)
