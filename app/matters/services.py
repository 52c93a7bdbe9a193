"""Micro-matters: proposing, editing, supports (附议), comments and follows.

Each public function checks the rules (the permission predicates again, whatever the
page showed), makes its change and commits it in one transaction, or raises a
DomainError and leaves nothing behind. Status changes go through lifecycle.apply().
"""

import re
import unicodedata
from datetime import timedelta
from operator import itemgetter
from typing import NamedTuple

from flask_babel import lazy_gettext as _l
from flask_sqlalchemy.pagination import Pagination
from sqlalchemy import Integer, bindparam, case, func, or_, select, update
from sqlalchemy.orm import joinedload, selectinload
from werkzeug.exceptions import NotFound

from app.audit.services import record
from app.auth.models import User
from app.core import clock, version_cache
from app.core.errors import DomainError, FieldError
from app.core.i18n import N_
from app.core.params import parse_id
from app.core.photos import chosen, forget, removed_on_failure, save_all
from app.core.service import commit, get_or_404, insert_once, require, rolls_back
from app.core.text import checked_text, render_markdown
from app.core.urls import path_for
from app.extensions import db
from app.notifications.services import notify
from app.rules.services import current_ruleset, support_base

from . import behalf, lifecycle, permissions, search
from .lifecycle import OUT_OF_TOTALS, Status
from .models import (
    Category,
    Clarification,
    Comment,
    Follow,
    MatterPhoto,
    MicroMatter,
    PendingPhoto,
    ProjectType,
    Stance,
    Support,
)

TITLE_MAX = 80
DESCRIPTION_MAX = 5000
LOCATION_MAX = 120
COMMENT_MAX = 2000
REPLY_MAX = 500
REPLIES_MAX = permissions.REPLIES_MAX  # answers to one comment; keeps its page within the page budget
REASON_MAX = 300
CLARIFICATION_MAX = 1000
# What supporters agreed to: frozen at the first support (see update_matter).
SUBSTANCE = ("title", "description", "location", "estimated_cost", "project_type")
SEARCHED = ("title", "description", "location")  # what the list's `q` finds (search.py)
COST_MIN = 1
COST_MAX = 5_000_000
PHOTOS_MAX = 5
PENDING_PHOTO_HOURS = 24  # a photo chosen in a form that came back with an error is kept this long
PER_PAGE = 10
COMMENTS_PER_GROUP = 3
COMMENTS_PER_PAGE = 8
EXCERPT_CHARS = 80  # lists show the start of long comments (about two lines on a phone); the comment's page has it all
REPLIES_SHOWN = 1
DEFAULT_THRESHOLD = 20


FROZEN = _l(
    "Residents have supported this micro-matter as it stands, so its title, description, cost, location "
    "and type can no longer be changed. Add a dated clarification instead, or withdraw it."
)
CONFLICT = _l("This micro-matter was changed by someone else in the meantime. Please try again.")

# All or nothing: any refusal or error rolls the whole change back, and a race with another writer
# (a stale version, a duplicate row) becomes a message instead of an error page.
_atomic = rolls_back(conflict=CONFLICT)


def _commit(duplicate_message=None):
    """Commit, turning the races a double click or two people at once can cause into a message."""
    commit(duplicate_message or CONFLICT, CONFLICT)


def _own(model, user, matter):
    """The user's own row of `model` (a support, a follow) on the matter, or None."""
    if not getattr(user, "is_authenticated", False):
        return None
    return db.session.scalar(select(model).where(model.matter_id == matter.id, model.user_id == user.id))


def _link(matter, endpoint="matters.detail", **values):
    return path_for(endpoint, slug=matter.community.slug, matter_id=matter.id, **values)


# ---------------------------------------------------------------- looking things up


def get_matter(community, matter_id):
    """The matter with this id in this community, or 404 (an id from elsewhere is not found here)."""
    return get_or_404(MicroMatter, matter_id, community_id=community.id)


def get_visible_matter(user, community, matter_id):
    """Like get_matter, but a draft someone else may not see is "not found" too."""
    matter = get_matter(community, matter_id)
    if not permissions.can_view(user, matter):
        raise NotFound()
    return matter


# What a matter's page shows of it, loaded with it in one query (a few photos and clarifications).
PAGE_LOADS = (
    joinedload(MicroMatter.proposer),
    joinedload(MicroMatter.photos).joinedload(MatterPhoto.photo),
    joinedload(MicroMatter.clarifications).joinedload(Clarification.author),
)


def get_matter_page(user, community, matter_id):
    """get_visible_matter, with what its page shows (PAGE_LOADS) in the same query."""
    matter = db.session.scalars(
        select(MicroMatter)
        .where(MicroMatter.id == matter_id, MicroMatter.community_id == community.id)
        .options(*PAGE_LOADS)
    ).first()
    if matter is None or not permissions.can_view(user, matter):
        raise NotFound()
    return matter


def get_comment(matter, comment_id):
    return get_or_404(Comment, comment_id, matter_id=matter.id)


def get_photo(matter, matter_photo_id):
    return get_or_404(MatterPhoto, matter_photo_id, matter_id=matter.id)


def support_threshold(community):
    """Supports a matter needs to reach review, under the rules in force now."""

    def threshold():
        ruleset = current_ruleset(community)
        if ruleset is None:  # every community gets rules when created; this only guards odd data
            return DEFAULT_THRESHOLD
        return ruleset.support_threshold(support_base(community).residents)  # the register, or the verified residents

    return version_cache.kept("support_threshold", community.slug, threshold)  # read on every matter page


# ---------------------------------------------------------------- checking fields

_COST_NOISE = re.compile(r"[\s,，_']")


def parse_yuan(text):
    """'12,000', '１２０００元' or 12000 -> 12000; anything else is refused with a message."""
    if isinstance(text, int) and not isinstance(text, bool):
        value = text
    else:
        raw = unicodedata.normalize("NFKC", str(text or "")).strip()
        raw = _COST_NOISE.sub("", raw).removeprefix("¥").removeprefix("￥").removesuffix("元")
        raw = raw.removesuffix("yuan").removesuffix("CNY")
        if not raw:
            raise FieldError("estimated_cost", _l("Please give an estimated cost in yuan."))
        if raw.startswith("-") and raw[1:].isdigit():
            raise FieldError("estimated_cost", _l("The estimated cost must be more than zero."))
        if not raw.isascii() or not raw.isdigit():
            raise FieldError(
                "estimated_cost", _l("Write the estimated cost as a whole number of yuan, for example 12000.")
            )
        if len(raw) > 12:
            raise FieldError("estimated_cost", _l("The estimated cost must be between 1 and 5,000,000 yuan."))
        value = int(raw)
    if value < COST_MIN:
        raise FieldError("estimated_cost", _l("The estimated cost must be more than zero."))
    if value > COST_MAX:
        raise FieldError("estimated_cost", _l("The estimated cost must be between 1 and 5,000,000 yuan."))
    return value


def _audit(action, obj, actor, matter, **data):
    record(action, obj, actor=actor, community=matter.community_id, **data)


def clean_fields(*, title, description, category, location, estimated_cost, project_type):
    """Check and tidy every field of a micro-matter; raises FieldError on the first problem."""
    title = checked_text(
        title,
        "title",
        TITLE_MAX,
        _l("Please give a title."),
        too_long=_l("The title may be at most %(n)s characters.", n=TITLE_MAX),
        one_line=True,
    )
    description = checked_text(
        description,
        "description",
        DESCRIPTION_MAX,
        _l("Please describe the micro-matter."),
        too_long=_l("The description may be at most %(n)s characters.", n=DESCRIPTION_MAX),
    )
    if category not in set(Category):
        raise FieldError("category", _l("Please choose a category from the list."))
    location = checked_text(
        location,
        "location",
        LOCATION_MAX,
        _l("Please say where it is."),
        too_long=_l("The location may be at most %(n)s characters.", n=LOCATION_MAX),
        one_line=True,
    )
    if project_type not in set(ProjectType):
        raise FieldError("project_type", _l("Please choose a project type from the list."))
    return {
        "title": title,
        "description": description,
        "description_html": render_markdown(description),
        "category": str(category),
        "location": location,
        "estimated_cost": parse_yuan(estimated_cost),
        "project_type": str(project_type),
    }


def _search_text(values):
    return search.document(*(values[name] for name in SEARCHED))


def _check_photo_count(count):
    """A micro-matter has at most PHOTOS_MAX photos, counting those kept for its form."""
    if count > PHOTOS_MAX:
        raise FieldError("photos", _l("At most %(n)s photos per micro-matter.", n=PHOTOS_MAX))


def _store_photos(user, matter, files, written, pending=()):
    for photo in save_all(files, user, written):
        db.session.add(MatterPhoto(matter=matter, photo=photo))
    for row in pending:  # photos kept from an earlier try of the same form
        db.session.add(MatterPhoto(matter=matter, photo=row.photo))
        db.session.delete(row)


# ---------------------------------------------------------------- photos kept while a form comes back


def _ids(values):
    return {parse_id(value) for value in values or ()} - {None}


def pending_photos(user, community, matter=None, ids=()):
    """The photos this person chose earlier in this form (`ids`: those the form sent back) and that
    are still kept for them; nobody else's, and none for another form or community."""
    wanted = _ids(ids)
    if not wanted or not getattr(user, "is_authenticated", False):
        return []
    target = PendingPhoto.matter_id.is_(None) if matter is None else PendingPhoto.matter_id == matter.id
    return db.session.scalars(
        select(PendingPhoto)
        .where(
            PendingPhoto.id.in_(wanted),
            PendingPhoto.user_id == user.id,
            PendingPhoto.community_id == community.id,
            target,
            PendingPhoto.expires_at > clock.utcnow(),
        )
        .options(selectinload(PendingPhoto.photo))
        .order_by(PendingPhoto.id)
    ).all()


def get_pending_photo(user, community, pending_id):
    """One kept photo, for its owner only: anyone else gets "not found"."""
    row = get_or_404(PendingPhoto, pending_id, community_id=community.id)
    if not getattr(user, "is_authenticated", False) or row.user_id != user.id or row.expires_at <= clock.utcnow():
        raise NotFound()
    return row


def _discard(rows):
    """Delete kept photos (rows and stored photos); the file names to forget after the commit."""
    names = []
    for row in rows:
        names.append(row.photo.stored_name)
        db.session.delete(row)
        db.session.delete(row.photo)
    return names


@_atomic
def hold_photos(user, community, files, *, matter=None, keep=(), drop=()):
    """Keep the photos sent with a proposal form (checked and stored like any photo) for their owner,
    so that the form coming back with an error does not lose them; `keep`: the ids of those kept
    before that the form sent back, `drop`: those the person removed. Commits on its own: the photos
    survive whatever happens to the proposal. Returns the photos now kept for the form."""
    allowed = permissions.can_edit(user, matter) if matter else permissions.can_create(user, community)
    require(allowed, _l("Only verified residents of this community can propose micro-matters."))
    held = pending_photos(user, community, matter, keep)
    dropping = _ids(drop)
    dropped = [row for row in held if row.id in dropping]
    held = [row for row in held if row.id not in dropping]
    files = chosen(files)
    if not files and not dropped:
        return held
    _check_photo_count(len(held) + len(files))
    unused = _discard(dropped)
    expires_at = clock.utcnow() + timedelta(hours=PENDING_PHOTO_HOURS)
    with removed_on_failure() as written:
        for photo in save_all(files, user, written):
            row = PendingPhoto(
                user_id=user.id,
                community_id=community.id,
                matter_id=matter.id if matter else None,
                photo=photo,
                expires_at=expires_at,
            )
            db.session.add(row)
            held.append(row)
        for row in held:  # kept as long as the person is still working on the form
            row.expires_at = expires_at
        _commit()
    forget(unused)
    return held


def discard_pending_photos_of(user):
    """A deleted account's kept photos (no commit: the caller's); the file names to forget after it."""
    return _discard(db.session.scalars(select(PendingPhoto).where(PendingPhoto.user_id == user.id)).all())


def forget_expired_photos():
    """Remove the kept photos whose time is up (run by the outbox worker each round); how many."""
    rows = db.session.scalars(select(PendingPhoto).where(PendingPhoto.expires_at <= clock.utcnow())).all()
    if not rows:
        return 0
    unused = _discard(rows)
    _commit()
    forget(unused)
    return len(rows)


# ---------------------------------------------------------------- proposing and editing


def _same_proposal(user, community, title, entered_by):
    """The resident's proposal with this title (not withdrawn) that a new one would repeat across an
    entry on their behalf (代录): any of theirs for an entry on behalf, one entered for them for their own."""
    query = select(MicroMatter).where(
        MicroMatter.community_id == community.id,
        MicroMatter.proposer_id == user.id,
        MicroMatter.title == title,
        MicroMatter.status != Status.WITHDRAWN,
    )
    if entered_by is None:
        query = query.where(MicroMatter.entered_by_id.is_not(None))
    return db.session.scalars(query.order_by(MicroMatter.id).limit(1)).first()


@_atomic
def create_matter(user, community, *, photos=(), pending_ids=(), submit=False, entered_by=None, channel=None, **fields):
    """A verified resident writes a micro-matter; it starts as a draft (or is submitted at once).
    `pending_ids`: photos kept for this form (hold_photos) to attach. `entered_by`, `channel`: a
    committee member or grid worker records it for the resident (app/onbehalf checks who may)."""
    require(
        permissions.can_create(user, community),
        _l("Only verified residents of this community can propose micro-matters."),
    )
    values = clean_fields(**fields)
    same = _same_proposal(user, community, values["title"], entered_by)
    if same is not None:
        raise FieldError("title", behalf.duplicate(same, user, entered_by, None))
    files = chosen(photos)
    pending = pending_photos(user, community, None, pending_ids)
    _check_photo_count(len(files) + len(pending))
    with removed_on_failure() as written:
        matter = MicroMatter(
            community=community,
            proposer_id=user.id,
            status=Status.DRAFT,
            support_count=0,
            search_text=_search_text(values),
            **values,
        )
        db.session.add(behalf.stamp(matter, entered_by, channel))
        _store_photos(user, matter, files, written, pending)
        actor, on_behalf = behalf.actor_and_data(user, entered_by, channel)
        record(
            "matter.created",
            matter,
            actor=actor,
            community=community,
            title=matter.title,
            category=matter.category,
            estimated_cost=matter.estimated_cost,
            photos=len(files) + len(pending) or None,
            **on_behalf,
        )
        if submit:
            # the resident submits it; the entry names who typed it in
            lifecycle.apply(matter, "submit", user, **({"entered_by": entered_by.id} if entered_by else {}))
            _check_threshold(matter, user)
        if entered_by is not None:
            behalf.tell("proposal", user, entered_by, channel, matter.title, _link(matter))
        _commit()
    return matter


@_atomic
def update_matter(user, matter, *, photos=(), remove_photo_ids=(), pending_ids=(), **fields):
    """The proposer edits while it is a draft or collecting supports."""
    if not permissions.can_edit(user, matter):
        if permissions.is_proposer(user, matter):
            raise DomainError(
                _l("It can no longer be edited: it is “%(status)s”.", status=lifecycle.status_label(matter.status))
            )
        raise DomainError(_l("Only the proposer can edit this micro-matter."))
    values = clean_fields(**fields)
    if matter.substance_frozen:
        rewritten = [name for name in SUBSTANCE if getattr(matter, name) != values[name]]
        if rewritten:
            raise FieldError(rewritten[0], FROZEN)
    files = chosen(photos)
    pending = pending_photos(user, matter.community, matter, pending_ids)
    remove = _ids(remove_photo_ids)
    removed = [link for link in matter.photos if link.id in remove]
    _check_photo_count(len(matter.photos) - len(removed) + len(files) + len(pending))
    changed = sorted(k for k, v in values.items() if getattr(matter, k) != v and k != "description_html")
    unused = [link.photo.stored_name for link in removed]
    with removed_on_failure() as written:
        for key, value in values.items():
            setattr(matter, key, value)
        if any(name in changed for name in SEARCHED):
            matter.search_text = _search_text(values)
        for link in removed:
            photo = link.photo
            db.session.delete(link)
            db.session.delete(photo)
        _store_photos(user, matter, files, written, pending)
        _audit(
            "matter.edited",
            matter,
            user,
            matter,
            fields=changed or None,
            photos_added=len(files) + len(pending) or None,
            photos_removed=len(removed) or None,
        )
        _commit()
    forget(unused)
    return matter


@_atomic
def submit(user, matter):
    """Draft -> collecting supports."""
    lifecycle.apply(matter, "submit", user)
    _check_threshold(matter, user)
    _commit()
    return matter


@_atomic
def withdraw(user, matter):
    lifecycle.apply(matter, "withdraw", user)
    _commit()
    return matter


@_atomic
def add_clarification(user, matter, body):
    """A dated note under the text, by the proposer or the committee; everyone who supports or
    follows the matter is told. Appended and audited, never edited."""
    if not permissions.can_clarify(user, matter):
        if matter.status in permissions.NO_COMMENTS:
            raise DomainError(
                _l("Clarifications can be added once the micro-matter is submitted, and not after it was withdrawn.")
            )
        raise DomainError(_l("Only the proposer and the committee can add clarifications."))
    body = checked_text(
        body,
        "body",
        CLARIFICATION_MAX,
        _l("Please write the clarification."),
        too_long=_l("A clarification may be at most %(n)s characters.", n=CLARIFICATION_MAX),
    )
    clarification = Clarification(matter_id=matter.id, author_id=user.id, body=body)
    db.session.add(clarification)
    db.session.flush()
    _audit("matter.clarified", matter, user, matter, clarification_id=clarification.id, body=body)
    notify(
        lifecycle.interested_people(matter),
        N_("A clarification was added to “%(title)s”: %(body)s"),
        _link(matter, _anchor=f"clarification-{clarification.id}"),
        exclude=user,
        matter=matter,
        title=matter.title,
        body=body[:200],
    )
    _commit()
    return clarification


# ---------------------------------------------------------------- supports (附议)


def _change_support_count(matter, delta):
    # One UPDATE that adds to the stored number, so two supports at once both count.
    db.session.execute(
        update(MicroMatter)
        .where(MicroMatter.id == matter.id)
        .values(support_count=MicroMatter.support_count + delta)
        .execution_options(synchronize_session=False)
    )
    # Reload the row too (status, version): another supporter may have moved it meanwhile.
    db.session.refresh(matter)
    return matter.support_count


def _check_threshold(matter, actor):
    """Reaching the threshold moves the matter to review; the software decides (system=True)."""
    if matter.status != Status.COLLECTING:
        return False
    threshold = support_threshold(matter.community)
    if matter.support_count >= threshold:
        lifecycle.apply(
            matter, "reach_threshold", actor, system=True, supports=matter.support_count, threshold=threshold
        )
        return True
    return False


ALREADY_SUPPORTED = _l("You have already supported this micro-matter.")


@_atomic
def support(user, matter, *, entered_by=None, channel=None):
    """A verified resident of the community, not the proposer, supports once while it collects:
    themselves, or through a committee member or grid worker (`entered_by`, `channel`: app/onbehalf)."""
    require(
        matter.status == Status.COLLECTING,
        _l("Supports are only collected while the micro-matter is collecting supports."),
    )
    require(
        not permissions.is_proposer(user, matter),
        _l("You proposed this micro-matter, so you cannot support it yourself."),
    )
    require(
        permissions.is_verified_resident(user, matter.community),
        _l("Only verified residents of this community can support micro-matters."),
    )
    existing = _own(Support, user, matter)
    require(existing is None, existing and behalf.duplicate(existing, user, entered_by, ALREADY_SUPPORTED))
    row = behalf.stamp(Support(matter_id=matter.id, user_id=user.id), entered_by, channel)
    insert_once(row, ALREADY_SUPPORTED)  # the same click twice at once
    count = _change_support_count(matter, +1)
    if matter.substance_frozen_at is None:
        matter.substance_frozen_at = clock.now()
    actor, on_behalf = behalf.actor_and_data(user, entered_by, channel)
    _audit("matter.supported", matter, actor, matter, supports=count, **on_behalf)
    reached = _check_threshold(matter, user)
    if entered_by is not None:
        behalf.tell("support", user, entered_by, channel, matter.title, _link(matter))
    _commit(ALREADY_SUPPORTED)
    return reached


@_atomic
def unsupport(user, matter):
    """Withdraw one's own support, only while supports are being collected."""
    row = _own(Support, user, matter)
    require(row is not None, _l("You have not supported this micro-matter."))
    require(
        matter.status == Status.COLLECTING,
        _l("Supports can only be withdrawn while the micro-matter is collecting supports."),
    )
    db.session.delete(row)
    db.session.flush()
    count = _change_support_count(matter, -1)
    _audit("matter.support_withdrawn", matter, user, matter, supports=count)
    _commit()
    return matter


def supporters(matter):
    return db.session.scalars(
        select(Support).where(Support.matter_id == matter.id).options(selectinload(Support.user)).order_by(Support.id)
    ).all()


# ---------------------------------------------------------------- comments


def _clean_body(body, limit=COMMENT_MAX):
    too_long = (
        _l("A comment may be at most %(n)s characters.", n=limit)
        if limit == COMMENT_MAX
        else _l("A reply may be at most %(n)s characters.", n=limit)
    )
    return checked_text(body, "body", limit, _l("Please write something."), too_long=too_long)


def _same_comment(user, matter, body, entered_by):
    """The resident's comment with this text on the matter that a new one would repeat across an
    entry on their behalf (代录): any of theirs for an entry on behalf, one entered for them for their own."""
    query = select(Comment).where(Comment.matter_id == matter.id, Comment.author_id == user.id, Comment.body == body)
    if entered_by is None:
        query = query.where(Comment.entered_by_id.is_not(None))
    return db.session.scalars(query.order_by(Comment.id).limit(1)).first()


@_atomic
def add_comment(user, matter, stance, body, *, entered_by=None, channel=None):
    """A verified resident comments: themselves, or through a committee member or grid worker
    (`entered_by`, `channel`: app/onbehalf)."""
    if not permissions.can_comment(user, matter):
        if matter.status in permissions.NO_COMMENTS:
            raise DomainError(_l("Comments are closed for this micro-matter."))
        raise DomainError(_l("Only verified residents of this community can comment."))
    if stance not in set(Stance):
        raise FieldError("stance", _l("Please choose: in favour, against or neutral."))
    body = _clean_body(body)
    same = _same_comment(user, matter, body, entered_by)
    if same is not None:
        raise FieldError("body", behalf.duplicate(same, user, entered_by, None))
    comment = Comment(matter_id=matter.id, author_id=user.id, stance=str(stance), body=body)
    db.session.add(behalf.stamp(comment, entered_by, channel))
    actor, on_behalf = behalf.actor_and_data(user, entered_by, channel)
    _audit("comment.added", comment, actor, matter, matter_id=matter.id, stance=str(stance), **on_behalf)
    followers = select(Follow.user_id).where(Follow.matter_id == matter.id)
    audience = db.session.scalars(select(User).where((User.id == matter.proposer_id) | User.id.in_(followers))).all()
    link = _link(matter, "matters.comment_page", comment_id=comment.id)
    notify(
        audience,
        N_("%(name)s commented on “%(title)s”."),
        link,
        exclude=user,
        matter=matter,
        name=user.display_name,
        title=matter.title,
    )
    if entered_by is not None:
        behalf.tell("comment", user, entered_by, channel, matter.title, link)
    _commit()
    return comment


def reply_refusal(user, comment):
    """Why `user` may not reply to `comment` (a message), or None when they may."""
    if permissions.can_reply(user, comment):
        return None
    if comment.parent_id is not None:
        return _l("Replies go one level deep: answer the original comment.")
    if comment.is_hidden or comment.matter.status in permissions.NO_COMMENTS:
        return _l("This comment can no longer be answered.")
    if not (permissions.is_proposer(user, comment.matter) or permissions.is_committee(user, comment.matter.community)):
        return _l("Only the proposer and the committee can reply to comments.")
    return _l("This comment already has %(n)s replies; please write a new comment instead.", n=REPLIES_MAX)


@_atomic
def reply(user, comment, body):
    """The proposer or the committee answers a top-level comment."""
    matter = comment.matter
    refusal = reply_refusal(user, comment)
    require(not refusal, refusal)
    body = _clean_body(body, REPLY_MAX)
    answer = Comment(matter_id=matter.id, author_id=user.id, parent_id=comment.id, stance=Stance.NEUTRAL, body=body)
    db.session.add(answer)
    _audit("comment.replied", answer, user, matter, matter_id=matter.id, parent_id=comment.id)
    notify(
        [comment.author],
        N_("%(name)s replied to your comment on “%(title)s”."),
        _link(matter, "matters.comment_page", comment_id=comment.id, _anchor=f"comment-{answer.id}"),
        exclude=user,
        name=user.display_name,
        title=matter.title,
    )
    _commit()
    return answer


@_atomic
def hide_comment(user, comment, reason):
    """A committee member hides a comment; the public reason stays in its place."""
    if not permissions.can_hide_comment(user, comment):
        if comment.is_hidden:
            raise DomainError(_l("This comment is already hidden."))
        raise DomainError(_l("Only the committee can hide comments."))
    reason = checked_text(
        reason,
        "reason",
        REASON_MAX,
        _l("Please give a reason; it is shown in place of the comment."),
        too_long=_l("The reason may be at most %(n)s characters.", n=REASON_MAX),
        one_line=True,
    )
    comment.hidden_reason = reason
    comment.hidden_by_id = user.id
    comment.hidden_at = clock.now()
    matter = comment.matter
    _audit("comment.hidden", comment, user, matter, matter_id=matter.id, reason=reason)
    notify(
        [comment.author],
        N_("Your comment on “%(title)s” was hidden by the committee: %(reason)s"),
        _link(
            matter, "matters.comment_page", comment_id=comment.parent_id or comment.id, _anchor=f"comment-{comment.id}"
        ),
        exclude=user,
        title=matter.title,
        reason=reason,
    )
    _commit()
    return comment


def stance_counts(matter):
    """Visible top-level comments per stance: a hidden comment no longer counts for or against."""
    rows = db.session.execute(
        select(Comment.stance, func.count(Comment.id))
        .where(Comment.matter_id == matter.id, Comment.parent_id.is_(None), Comment.hidden_at.is_(None))
        .group_by(Comment.stance)
    ).all()
    counts = {stance: 0 for stance in Stance}
    counts.update({Stance(stance): n for stance, n in rows if stance in set(Stance)})
    return counts


def _top_level(matter, stance):
    return (
        select(Comment)
        .where(Comment.matter_id == matter.id, Comment.parent_id.is_(None), Comment.stance == stance)
        .options(joinedload(Comment.author), selectinload(Comment.replies).joinedload(Comment.author))
        .order_by(Comment.id.desc())  # the newest first: where a discussion is going
    )


def comment_groups(matter):
    """({stance: the latest few top-level comments}, stance_counts) for the grouped view: one
    query for every stance (numbered per stance, the newest first, with the stance's count of
    visible comments) and one for their replies."""
    per_stance = {"partition_by": Comment.stance}
    numbered = (
        select(
            Comment.id,
            func.row_number().over(order_by=Comment.id.desc(), **per_stance).label("n"),
            func.count(case((Comment.hidden_at.is_(None), 1))).over(**per_stance).label("visible"),
        )
        .where(Comment.matter_id == matter.id, Comment.parent_id.is_(None))
        .subquery()
    )
    latest = (
        select(Comment, numbered.c.visible)
        .join(numbered, numbered.c.id == Comment.id)
        .where(numbered.c.n <= COMMENTS_PER_GROUP)
        .options(joinedload(Comment.author), selectinload(Comment.replies).joinedload(Comment.author))
        .order_by(Comment.id.desc())
    )
    groups: dict = {stance: [] for stance in Stance}
    counts = dict.fromkeys(Stance, 0)
    for comment, visible in db.session.execute(latest).unique():
        if comment.stance in groups:
            groups[comment.stance].append(comment)
            counts[Stance(comment.stance)] = visible
    return groups, counts


def comments_with_stance(matter, stance, page=1):
    """One stance's comments, paginated (the filtered view, ?stance=...)."""
    statement = counted(_top_level(matter, stance), Comment.id)
    return CountedPage(statement=statement, page=page, per_page=COMMENTS_PER_PAGE, error_out=False)


# ---------------------------------------------------------------- follows


ALREADY_FOLLOWING = _l("You already follow this micro-matter.")


@_atomic
def follow(user, matter):
    require(
        getattr(user, "is_authenticated", False) and permissions.can_view(user, matter),
        _l("Please log in to follow micro-matters."),
    )
    require(not permissions.is_following(user, matter), ALREADY_FOLLOWING)
    db.session.add(Follow(matter_id=matter.id, user_id=user.id))
    _commit(ALREADY_FOLLOWING)


@_atomic
def unfollow(user, matter):
    row = _own(Follow, user, matter)
    require(row is not None, _l("You do not follow this micro-matter."))
    db.session.delete(row)
    _commit()


# ---------------------------------------------------------------- the list


def list_query(community, user=None, *, status=None, category=None, q="", sort="newest", mine=False):
    # The community and the person are named parameters: list_matters reuses the statement for others.
    user_id = bindparam("user_id", user.id if getattr(user, "is_authenticated", False) else None)
    in_community = MicroMatter.community_id == bindparam("community_id", community.id)
    if q.strip():  # the search tells the database where to start (search.py)
        in_community = search.matching(q, in_community, MicroMatter.id, MicroMatter.search_text)
    query = select(MicroMatter).where(in_community)
    if mine:
        query = query.where(MicroMatter.proposer_id == user_id)
    else:
        # Drafts are private and hidden matters left out: each person sees their own, nobody else's.
        query = query.where(or_(MicroMatter.status.not_in(OUT_OF_TOTALS), MicroMatter.proposer_id == user_id))
    if status in set(Status):
        query = query.where(MicroMatter.status == status)
    if category in set(Category):
        query = query.where(MicroMatter.category == category)
    if sort == "supported":
        query = query.order_by(MicroMatter.support_count.desc(), MicroMatter.id.desc())
    else:
        query = query.order_by(
            func.coalesce(MicroMatter.submitted_at, MicroMatter.created_at).desc(), MicroMatter.id.desc()
        )
    return query


class Person(NamedTuple):
    """What a card needs of its proposer (templates' `person`: the name and the official badge)."""

    id: int
    display_name: str


class Cover(NamedTuple):
    id: int
    caption: str


class Card(NamedTuple):
    """A matter as the list shows it: plain values, no ORM object to load or track."""

    id: int
    title: str
    status: str
    category: str
    location: str
    estimated_cost: int
    support_count: int
    proposer: Person
    cover: Cover | None  # the first photo, the card's thumbnail


# The cards' columns only, as rows: the proposer's name joined, the first photo by correlated
# subqueries (evaluated for the page's rows only).
def _cards(query):
    first_photo = select(MatterPhoto).where(MatterPhoto.matter_id == MicroMatter.id).order_by(MatterPhoto.id).limit(1)
    return query.with_only_columns(
        MicroMatter.id,
        MicroMatter.title,
        MicroMatter.status,
        MicroMatter.category,
        MicroMatter.location,
        MicroMatter.estimated_cost,
        MicroMatter.support_count,
        MicroMatter.proposer_id,
        User.display_name.label("proposer_name"),
        first_photo.with_only_columns(MatterPhoto.id).scalar_subquery().label("cover_id"),
        first_photo.with_only_columns(MatterPhoto.caption).scalar_subquery().label("cover_caption"),
    ).join_from(MicroMatter, User, User.id == MicroMatter.proposer_id)


def counted(query, key, rows=None):
    """The select of a page of `query`'s rows (or of the select rows(query) makes) with a last
    column `total`: a count of the whole filtered list as an uncorrelated subquery, run once,
    while the rows are read in index order up to the page's end (a window count would read them
    all). The page's `limit` and `offset` are parameters: one statement serves every page.
    `key`: the listed model's primary key."""
    total = select(func.count()).select_from(query.with_only_columns(key).order_by(None).subquery())
    listed = query if rows is None else rows(query)
    return (
        listed.add_columns(total.scalar_subquery().label("total"))
        .limit(bindparam("limit", type_=Integer))
        .offset(bindparam("offset", type_=Integer))
    )


class CountedPage(Pagination):
    """A page whose total comes in the same query as its rows: `statement` from counted(), run
    with `params`. Its items are the rows' first column (the model's objects), or item(row) — a
    statement of plain columns then, run on the session's connection without the ORM's loading."""

    def _read(self, limit, offset):
        params = {**self._query_args.get("params", {}), "limit": limit, "offset": offset}
        if "item" in self._query_args:
            return db.session.connection().execute(self._query_args["statement"], params).all()
        return db.session.execute(self._query_args["statement"], params).unique().all()

    def _query_items(self):
        rows = self._read(self.per_page, self._query_offset)
        self._total = rows[0].total if rows else None
        item = self._query_args.get("item", itemgetter(0))
        return [item(row) for row in rows]

    def _query_count(self):
        if self._total is None:  # a page past the end: the total comes with the first row
            first = self._read(1, 0)
            self._total = first[0].total if first else 0
        return self._total


def _card(row):
    cover = None if row.cover_id is None else Cover(row.cover_id, row.cover_caption)
    return Card(*row[:7], Person(row.proposer_id, row.proposer_name), cover)


# The list's statements by the filters' values (q aside: any text): each is built, and its cache
# key made, once per process, which costs more than running it; the community, the person and the
# page are its parameters.
_STATEMENTS: dict = {}


def list_matters(
    community, user=None, *, page=1, per_page=PER_PAGE, status=None, category=None, q="", sort="newest", mine=False
):
    """A page of the list; its items are Cards."""
    filters = {
        "status": status if status in set(Status) else None,
        "category": category if category in set(Category) else None,
        "sort": sort if sort == "supported" else "newest",
        "mine": bool(mine),
    }
    statement = None if q.strip() else _STATEMENTS.get(shape := tuple(filters.values()))
    if statement is None:
        statement = counted(list_query(community, user, q=q, **filters), MicroMatter.id, rows=_cards)
        if not q.strip():
            _STATEMENTS[shape] = statement
    params = {"community_id": community.id, "user_id": user.id if getattr(user, "is_authenticated", False) else None}
    return CountedPage(statement=statement, params=params, item=_card, page=page, per_page=per_page, error_out=False)
