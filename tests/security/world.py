"""A realistic world for walking every route as every role: the demo community (every
feature's demo step: matters, council meetings, voting rounds, implementation records,
notices) plus a second community and a few people with exactly one role each.

Built once per test run (with pytest-xdist by the first worker that needs it, and read by the
others: `tests.database.once_per_run`), on the demo's rows kept by tests/database.py, and kept as
rows (`Snapshot`); each test that needs it, and the route walk after any request that wrote
something, puts those rows back, which is much faster than loading the demo again. Photos stay
in one upload folder for the whole run. The Snapshot holds only data that is the same in every
worker's database (ids, session tokens, data-version tokens are rows), nothing of the process.
"""

import io
import shutil
from dataclasses import dataclass, field
from datetime import timedelta

from PIL import Image
from sqlalchemy import select
from werkzeug.datastructures import FileStorage

from app.auth.models import User
from app.communities.models import Community, Membership, MembershipStatus, Role
from app.extensions import db
from app.notifications.models import Notification
from app.rules.models import RuleSet
from tests.database import load_demo, restore_rows, table_rows

PASSWORD = "password123"
# "street": the demo's street staff of 双塔街道 (which holds the demo community); no role in any community.
ROLES = ("anonymous", "unverified", "other", "resident", "council", "chair", "committee", "admin", "proposer", "street")
DEMO_USERS = {"admin": "admin", "committee": "committee", "chair": "chair", "council": "council1", "street": "street"}


@dataclass
class Snapshot:
    rows: dict = field(default_factory=dict)  # table name -> [row dicts]
    users: dict = field(default_factory=dict)  # role -> (user id, session token)
    args: dict = field(default_factory=dict)  # URL variable -> value
    endpoint_args: dict = field(default_factory=dict)  # endpoint -> {URL variable: value}
    variants: dict = field(default_factory=dict)  # variant -> {URL variable: value}


def photo_upload(name="photo.jpg"):
    buffer = io.BytesIO()
    Image.new("RGB", (64, 48), (90, 140, 60)).save(buffer, "JPEG")
    buffer.seek(0)
    return FileStorage(stream=buffer, filename=name, content_type="image/jpeg")


def _person(username, display_name, community=None, role=Role.RESIDENT, status=MembershipStatus.VERIFIED):
    user = User(username=username, display_name=display_name)
    user.set_password(PASSWORD)
    db.session.add(user)
    if community is not None:
        db.session.add(Membership(user=user, community=community, role=role, status=status, address="2栋2单元202室"))
    return user


def _first(query):
    value = db.session.scalar(query.limit(1))
    assert value is not None, f"the demo has nothing for {query}"
    return value


def build(app):
    """Load the demo (restored, if this process has loaded it before) and the extra people into
    the (empty) database; return the Snapshot."""
    load_demo()
    snap = Snapshot()
    home = db.session.scalar(select(Community).where(Community.slug == "xinglin"))
    beta = Community(slug="beta", name="乙社区", district="姑苏区", register_size=2000, annual_budget=100_000)
    db.session.add(beta)
    db.session.flush()
    db.session.add(RuleSet(community_id=beta.id, version=1))
    people = {
        "unverified": _person("pending", "待核实居民", home, status=MembershipStatus.PENDING),
        "other": _person("elsewhere", "乙社区居民", beta),
        "resident": _person("plainresident", "普通居民", home),
        "proposer": _person("proposeruser", "提议人", home),
        # not a matrix role: the committee of the other community (for the cross-community check)
        "beta_committee": _person("betacommittee", "乙社区居委会", beta, role=Role.COMMITTEE),
    }
    db.session.commit()
    for role, username in DEMO_USERS.items():
        people[role] = db.session.scalar(select(User).where(User.username == username))
    snap.users = {role: (user.id, user.session_token) for role, user in people.items()}
    snap.args.update(slug=home.slug, community_id=home.id, filename="style.css", version=1)
    # A verified resident's membership (the committee may remove them).
    snap.args["membership_id"] = db.session.scalar(
        select(Membership.id).where(Membership.user_id == people["resident"].id)
    )
    # An inbox entry of the resident's: only they may open it.
    entry = Notification(user_id=people["resident"].id, message="Inbox", link=f"/c/{home.slug}/")
    db.session.add(entry)
    db.session.commit()
    snap.args["notification_id"] = entry.id
    snap.args["resident_id"] = people["resident"].id  # the committee may record acts for them (代录)
    _matters(snap, home, people)
    _councils(snap, home)
    _voting(snap, home)
    _tracker(snap, home)
    _publishing(snap, home, people)
    _fund(snap, home)
    _partners(snap, home)
    _conventions(snap, home)
    _committee_items(snap, home)
    _council_terms(snap, home)
    _proxies(snap, home)
    _streets(snap)
    _api(snap)
    snap.rows = table_rows()
    return snap


def _matters(snap, home, people):
    from app.matters import services

    fields = {
        "description": "入口台阶太高，轮椅进不去。",
        "category": "accessibility",
        "location": "5号楼入口",
        "estimated_cost": "8000",
        "project_type": "works",
    }
    matter = services.create_matter(
        people["proposer"], home, photos=[photo_upload()], submit=True, title="5号楼无障碍坡道", **fields
    )
    draft = services.create_matter(people["proposer"], home, title="草稿：楼道灯", **fields)
    comment = services.add_comment(people["resident"], matter, "support", "支持，老人出入方便。")
    snap.args.update(matter_id=matter.id, comment_id=comment.id, photo_id=matter.photos[0].id)
    for endpoint in ("moderation.report", "moderation.close"):
        snap.endpoint_args[endpoint] = {"kind": "comment", "target_id": comment.id}
    snap.variants["draft"] = {"matter_id": draft.id}
    # a photo kept for the proposer's proposal form that came back with an error
    (kept,) = services.hold_photos(people["proposer"], home, [photo_upload()])
    snap.endpoint_args["matters.pending_photo"] = {"pending_id": kept.id}


def _councils(snap, home):
    from app.councils.models import (
        AgendaItem,
        Meeting,
        MeetingItem,
        Minutes,
        Motion,
        MotionVote,
        PointOfOrder,
        SpeakingTurn,
    )
    from app.matters.models import MicroMatter

    closed = _first(
        select(Meeting).where(Meeting.community_id == home.id, Meeting.status == "closed").order_by(Meeting.id)
    )
    scheduled = _first(
        select(Meeting).where(Meeting.community_id == home.id, Meeting.status == "scheduled").order_by(Meeting.id)
    )
    item = _first(select(MeetingItem.id).where(MeetingItem.meeting_id == closed.id).order_by(MeetingItem.id))
    motion = _first(
        select(Motion.id)
        .join(MeetingItem, Motion.meeting_item_id == MeetingItem.id)
        .where(MeetingItem.meeting_id == closed.id)
        .order_by(Motion.id)
    )
    vote = _first(select(MotionVote.id).where(MotionVote.motion_id == motion))
    turn = _first(
        select(SpeakingTurn.id)
        .join(MeetingItem, SpeakingTurn.meeting_item_id == MeetingItem.id)
        .where(MeetingItem.meeting_id == closed.id)
        .order_by(SpeakingTurn.id)
    )
    minutes = _first(select(Minutes.id).where(Minutes.meeting_id == closed.id))
    # A point of order the chair ruled on in the closed meeting (the demo raises none).
    point = PointOfOrder(
        meeting_id=closed.id,
        raised_by_id=closed.secretary_id,
        text="point",
        raised_at=closed.closed_at,
        upheld=False,
        ruling_reason="reason",
        ruled_by_id=closed.chair_id,
        ruled_at=closed.closed_at,
    )
    db.session.add(point)
    db.session.commit()
    snap.args.update(
        meeting_id=closed.id,
        item_id=item,
        motion_id=motion,
        vote_id=vote,
        turn_id=turn,
        minutes_id=minutes,
        point_id=point.id,
        token=closed.checkin_token,
        view="public",
    )
    scheduled_item = _first(select(MeetingItem.id).where(MeetingItem.meeting_id == scheduled.id))
    snap.variants["scheduled"] = {
        "meeting_id": scheduled.id,
        "item_id": scheduled_item,
        "token": scheduled.checkin_token,
    }
    for view in ("chair", "projector", "member"):
        snap.variants[view] = {"view": view}
    agenda_item = _first(select(AgendaItem.id).order_by(AgendaItem.id))
    snap.endpoint_args["councils.move_agenda_item"] = {"item_id": agenda_item}
    under_review = _first(
        select(MicroMatter.id)
        .where(MicroMatter.community_id == home.id, MicroMatter.status == "under_review")
        .order_by(MicroMatter.id)
    )
    for endpoint in ("councils.admit", "councils.decline"):
        snap.endpoint_args[endpoint] = {"matter_id": under_review}


def _voting(snap, home):
    from app.voting.models import Household, VotingRound

    rounds = db.session.scalars(
        select(VotingRound).where(VotingRound.community_id == home.id).order_by(VotingRound.id)
    ).all()
    open_round = next(r for r in rounds if r.state() == "open")
    counted = next(r for r in rounds if r.state() == "counted")
    snap.args.update(
        round_id=open_round.id, household_id=_first(select(Household.id).where(Household.community_id == home.id))
    )
    snap.variants["counted"] = {"round_id": counted.id}


def _tracker(snap, home):
    from app.tracker.models import ImplementationRecord, Milestone, MilestonePhoto

    records = {
        r.state: r
        for r in db.session.scalars(
            select(ImplementationRecord)
            .where(ImplementationRecord.community_id == home.id)
            .order_by(ImplementationRecord.id.desc())
        )
    }
    record = records["in_progress"]
    snap.args.update(
        record_id=record.id, milestone_id=_first(select(Milestone.id).where(Milestone.record_id == record.id))
    )
    snap.variants["evaluation"] = {"record_id": records["evaluation"].id}
    snap.endpoint_args["tracker.photo"] = {"photo_id": _first(select(MilestonePhoto.photo_id))}


def _publishing(snap, home, people):
    from app.publishing.models import Notice, Objection

    notice = _first(select(Notice).where(Notice.community_id == home.id).order_by(Notice.id.desc()))
    notice.period_end = max(notice.period_end, notice.period_start + timedelta(days=30))
    objection = Objection(notice_id=notice.id, author_id=people["resident"].id, body="坡度是否符合规范？")
    db.session.add(objection)
    db.session.commit()
    snap.args.update(notice_id=notice.id, objection_id=objection.id)


def _fund(snap, home):
    from app.fund.models import FundEntry
    from app.fund.services import current_year

    snap.args.update(
        year=current_year(),
        entry_id=_first(select(FundEntry.id).where(FundEntry.community_id == home.id).order_by(FundEntry.id)),
    )


def _partners(snap, home):
    from app.partners.models import DeliveryTask, Partner, TaskSignup

    # An upcoming task of the demo, with a volunteer's sign-up waiting for the committee.
    signup = _first(
        select(TaskSignup)
        .join(DeliveryTask, DeliveryTask.id == TaskSignup.task_id)
        .where(DeliveryTask.community_id == home.id, TaskSignup.status == "pending")
        .order_by(TaskSignup.id)
    )
    snap.args.update(
        partner_id=_first(select(Partner.id).where(Partner.community_id == home.id).order_by(Partner.id)),
        task_id=signup.task_id,
        signup_id=signup.id,
    )
    snap.endpoint_args["partners.decide_signup"] = {"decision": "confirm"}


def _conventions(snap, home):
    from app.conventions.models import Amendment, Convention, ResidentsAssembly

    # The demo's amendment still collecting supports.
    snap.args["amendment_id"] = _first(
        select(Amendment.id)
        .join(Convention, Convention.id == Amendment.convention_id)
        .where(Convention.community_id == home.id, Amendment.status == "collecting")
    )
    snap.endpoint_args["conventions.version"] = {"number": 1}
    # The demo's assembly (entered by the committee, confirmed by the chair).
    snap.args["assembly_id"] = _first(
        select(ResidentsAssembly.id)
        .join(Convention, Convention.id == ResidentsAssembly.convention_id)
        .where(Convention.community_id == home.id)
    )


def _committee_items(snap, home):
    from app.attachments.models import Attachment
    from app.committee_items.models import CommitteeItem

    item_id = _first(select(CommitteeItem.id).where(CommitteeItem.community_id == home.id).order_by(CommitteeItem.id))
    snap.endpoint_args["committee_items.detail"] = {"item_id": item_id}
    snap.endpoint_args["attachments.new"] = {"kind": "committee_item", "subject_id": item_id}
    attachment_id = _first(select(Attachment.id).where(Attachment.community_id == home.id).order_by(Attachment.id))
    snap.endpoint_args["attachments.file"] = snap.endpoint_args["attachments.remove"] = {"attachment_id": attachment_id}


def _council_terms(snap, home):
    from app.council_terms.models import CouncilTerm, Substitute

    # The demo's running terms and its substitute.
    snap.args["term_id"] = _first(select(CouncilTerm.id).where(CouncilTerm.community_id == home.id))
    snap.args["substitute_id"] = _first(select(Substitute.id).where(Substitute.community_id == home.id))


def _proxies(snap, home):
    from app.councils.models import Meeting
    from app.proxies.models import Proxy

    # The demo's proxy at the scheduled meeting (given, recorded, revoked before it opens); the
    # holder's ballot goes to the closed meeting's vote (snap.args), so it is refused to all.
    proxy = _first(select(Proxy).join(Meeting, Proxy.meeting_id == Meeting.id).where(Meeting.community_id == home.id))
    for endpoint in ("proxies.give", "proxies.record_paper"):
        snap.endpoint_args[endpoint] = {"meeting_id": proxy.meeting_id}
    snap.endpoint_args["proxies.revoke"] = {"meeting_id": proxy.meeting_id, "proxy_id": proxy.id}
    snap.endpoint_args["proxies.ballot"] = {"giver_id": proxy.giver_id}


def _streets(snap):
    from app.streets.models import Street, StreetStaff

    street = _first(select(Street).where(Street.slug == "shuangta"))
    snap.args.update(
        street_id=street.id,
        grant_id=_first(select(StreetStaff.id).where(StreetStaff.street_id == street.id)),
    )
    for name in ("dashboard", "figures_csv", "exception_lists", "exceptions_csv", "add_note"):
        snap.endpoint_args[f"streets.{name}"] = {"slug": street.slug}
    for endpoint in ("street_yearbook.street_report", "street_yearbook.street_csv"):
        snap.endpoint_args[endpoint] = {"slug": street.slug}


def _api(snap):
    from app.api.routes import TAGS

    snap.args["tag"] = next(iter(TAGS))


def restore_into(app, world):
    """The world (the value of the `world_snapshot` fixture: its uploads folder and Snapshot) in the
    empty database of another app, whose context is pushed; returns the Snapshot. Much quicker
    than building it again on that app."""
    uploads, snap = world
    shutil.copytree(uploads, app.config["UPLOAD_FOLDER"], dirs_exist_ok=True)
    restore(snap)
    return snap


def restore(snap, tables=None):
    """Put the snapshot's rows back (ids included): into emptied tables, or into those named only
    (the others hold the snapshot's rows already)."""
    restore_rows(snap.rows, tables)
