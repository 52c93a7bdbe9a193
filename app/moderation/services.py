"""Flags and the committee's queue; blocks on posting.

Flag texts and reporters stay with the committee (the audit log, which is public, records that a
flag was raised and on what, not by whom or why). A block is a time and a reason on the membership:
the resident is told both, and every predicate that lets them post (communities.may_post) reads it."""

from dataclasses import dataclass
from datetime import timedelta

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select
from werkzeug.exceptions import NotFound

from app.audit.services import record
from app.communities.models import Membership
from app.communities.services import audit_membership
from app.core import clock
from app.core.errors import FieldError
from app.core.i18n import N_
from app.core.service import commit, get_or_404, require, rolls_back
from app.core.text import checked_text
from app.core.urls import path_for
from app.extensions import db
from app.matters import lifecycle
from app.matters.lifecycle import Status
from app.matters.models import Comment, MicroMatter
from app.notifications.services import notify

from . import permissions
from .models import Flag, FlagOutcome, FlagReason, MatterHiding

MAX_BLOCK_DAYS = 365


@dataclass(frozen=True)
class Target:
    kind: str  # "matter" or "comment"
    row: object

    @property
    def matter(self):
        return self.row if self.kind == "matter" else self.row.matter

    @property
    def author_id(self):
        return self.row.proposer_id if self.kind == "matter" else self.row.author_id

    @property
    def excerpt(self):
        return self.row.title if self.kind == "matter" else self.row.body[:120]

    @property
    def is_hidden(self):
        return self.kind == "comment" and self.row.is_hidden

    @property
    def url(self):
        anchor = "" if self.kind == "matter" else f"#c{self.row.id}"
        matter = self.matter
        return path_for("matters.detail", slug=matter.community.slug, matter_id=matter.id) + anchor


def target(community, kind, target_id):
    """The public matter or the visible comment flagged, or 404."""
    if kind == "matter":
        matter = get_or_404(MicroMatter, target_id, community_id=community.id)
        if matter.status == Status.DRAFT:
            raise NotFound()
        return Target(kind, matter)
    comment = get_or_404(Comment, target_id)
    if comment.matter.community_id != community.id:
        raise NotFound()
    return Target(kind, comment)


@rolls_back(conflict=_l("You have already reported this; the committee will look at it."))
def raise_flag(actor, community, subject, *, reason, text=""):
    require(permissions.can_flag(actor, community), _l("Only verified residents of the community report content."))
    if reason not in set(FlagReason):
        raise FieldError("reason", _l("Choose what is wrong."))
    text = checked_text(text, "text", 500)
    already = db.session.scalar(
        select(Flag.id).where(
            Flag.target_kind == subject.kind,
            Flag.target_id == subject.row.id,
            Flag.flagged_by_id == actor.id,
            Flag.pending.is_(True),
        )
    )
    require(already is None, _l("You have already reported this; the committee will look at it."))
    flag = Flag(
        community_id=community.id,
        target_kind=subject.kind,
        target_id=subject.row.id,
        reason=reason,
        text=text,
        flagged_by_id=actor.id,
    )
    db.session.add(flag)
    db.session.flush()
    record("flag.raised", flag, community=community, target_kind=subject.kind, target_id=subject.row.id)
    commit()
    return flag


@dataclass
class QueueEntry:
    target: Target
    flags: list


def queue(community):
    """Open flags, one entry per flagged thing, the most reported first."""
    flags = db.session.scalars(
        select(Flag).where(Flag.community_id == community.id, Flag.pending.is_(True)).order_by(Flag.id)
    ).all()
    entries = {}
    for flag in flags:
        key = (flag.target_kind, flag.target_id)
        if key not in entries:
            entries[key] = QueueEntry(target(community, *key), [])
        entries[key].flags.append(flag)
    return sorted(entries.values(), key=lambda e: (-len(e.flags), e.flags[0].id))


def open_count(community):
    return db.session.scalar(
        select(func.count(Flag.id)).where(Flag.community_id == community.id, Flag.pending.is_(True))
    )


@rolls_back
def close(actor, community, subject, *, outcome, note):
    """The committee's answer to every open flag on one thing."""
    require(permissions.can_moderate(actor, community), _l("Only the committee handles reports."))
    if outcome not in set(FlagOutcome):
        raise FieldError("outcome", _l("Choose what the committee did."))
    if outcome == FlagOutcome.HIDDEN:
        require(subject.is_hidden, _l("Hide the comment first (with its public reason), then close the reports."))
    note = checked_text(note, "note", 300, _l("Write a short note for the record."))
    flags = db.session.scalars(
        select(Flag).where(Flag.target_kind == subject.kind, Flag.target_id == subject.row.id, Flag.pending.is_(True))
    ).all()
    require(flags, _l("There is no open report on this."))
    now = clock.now()
    for flag in flags:
        flag.pending, flag.outcome, flag.handled_by_id, flag.handled_at, flag.note = None, outcome, actor.id, now, note
    record(
        "flag.closed",
        None,
        actor=actor,
        community=community,
        object_type="Flag",
        target_kind=subject.kind,
        target_id=subject.row.id,
        outcome=str(outcome),
        flags=[f.id for f in flags],
    )
    commit()
    return len(flags)


# ---------------------------------------------------------------- hiding a micro-matter


def current_hiding(matter):
    return db.session.scalar(
        select(MatterHiding)
        .where(MatterHiding.matter_id == matter.id, MatterHiding.lifted_at.is_(None))
        .order_by(MatterHiding.id.desc())
    )


def hidden_matters(community):
    return db.session.scalars(
        select(MicroMatter)
        .where(MicroMatter.community_id == community.id, MicroMatter.status == Status.HIDDEN)
        .order_by(MicroMatter.status_changed_at.desc())
    ).all()


@rolls_back
def hide_matter(actor, matter, reason):
    """Hide a matter that collects supports: out of every list and total, its page saying why;
    the proposer, supporters and followers are told (lifecycle)."""
    require(permissions.can_moderate(actor, matter.community), _l("Only the committee hides micro-matters."))
    reason = checked_text(reason, "reason", 300, _l("Give the public reason."))
    lifecycle.apply(matter, "hide", actor, reason=reason)
    db.session.add(MatterHiding(matter_id=matter.id, reason=reason, hidden_by_id=actor.id, hidden_at=clock.now()))
    commit()


@rolls_back
def unhide_matter(actor, matter):
    require(permissions.can_moderate(actor, matter.community), _l("Only the committee hides micro-matters."))
    hiding = current_hiding(matter)
    lifecycle.apply(matter, "unhide", actor)
    if hiding is not None:
        hiding.lifted_by_id, hiding.lifted_at = actor.id, clock.now()
    commit()


# ---------------------------------------------------------------- blocks on posting


def author_membership(community, subject):
    return db.session.scalar(
        select(Membership).where(Membership.community_id == community.id, Membership.user_id == subject.author_id)
    )


def blocked_members(community):
    return db.session.scalars(
        select(Membership)
        .where(Membership.community_id == community.id, Membership.posting_blocked_until > clock.now())
        .order_by(Membership.posting_blocked_until)
    ).all()


def get_membership(community, membership_id):
    return get_or_404(Membership, membership_id, community_id=community.id)


@rolls_back
def block(actor, membership, *, days, reason):
    community = membership.community
    require(permissions.can_block(actor, membership), _l("The committee blocks residents, not its own members."))
    if not isinstance(days, int) or not 1 <= days <= MAX_BLOCK_DAYS:
        raise FieldError("days", _l("Between 1 and %(n)s days.", n=MAX_BLOCK_DAYS))
    reason = checked_text(reason, "reason", 300, _l("Say why; the resident sees the reason."))
    until = clock.now() + timedelta(days=days)
    membership.posting_blocked_until, membership.posting_block_reason = until, reason
    audit_membership("membership.posting_blocked", membership, actor, community, until=until.isoformat(), reason=reason)
    notify(
        [membership.user],
        N_("The committee of %(community)s has blocked you from posting until %(until)s: %(reason)s"),
        path_for("communities.home", slug=community.slug),
        community=community.name,
        until=clock.local_date(until).isoformat(),
        reason=reason,
    )
    commit()


@rolls_back
def unblock(actor, membership):
    community = membership.community
    require(permissions.can_moderate(actor, community), _l("Only the committee lifts a block."))
    require(membership.posting_blocked_until is not None, _l("This member is not blocked."))
    membership.posting_blocked_until = membership.posting_block_reason = None
    audit_membership("membership.posting_unblocked", membership, actor, community)
    notify(
        [membership.user],
        N_("You may post in %(community)s again."),
        path_for("communities.home", slug=community.slug),
        community=community.name,
    )
    commit()
