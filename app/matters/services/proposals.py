"""A micro-matter itself: finding it, checking its fields, proposing it (a draft, or submitted at
once), editing it while it may change, submitting, withdrawing, and the dated clarifications
added under its text."""

import re
import unicodedata

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import joinedload
from werkzeug.exceptions import NotFound

from app.audit.services import record
from app.core.errors import DomainError, FieldError
from app.core.i18n import N_
from app.core.photos import chosen, forget, removed_on_failure
from app.core.service import get_or_404, require
from app.core.text import checked_text, render_markdown
from app.extensions import db
from app.notifications.services import notify

from .. import behalf, lifecycle, permissions, search
from ..lifecycle import Status
from ..models import Category, Clarification, MatterPhoto, MicroMatter, ProjectType
from .common import atomic, audit, commit_change, matter_link
from .photos import check_photo_count, pending_photos, photo_ids, store_photos
from .supports import check_threshold

TITLE_MAX = 80
DESCRIPTION_MAX = 5000
LOCATION_MAX = 120
CLARIFICATION_MAX = 1000
# What supporters agreed to: frozen at the first support (see update_matter).
SUBSTANCE = ("title", "description", "location", "estimated_cost", "project_type")
SEARCHED = ("title", "description", "location")  # what the list's `q` finds (search.py)
COST_MIN = 1
COST_MAX = 5_000_000

FROZEN = _l(
    "Residents have supported this micro-matter as it stands, so its title, description, cost, location "
    "and type can no longer be changed. Add a dated clarification instead, or withdraw it."
)


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


@atomic
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
    check_photo_count(len(files) + len(pending))
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
        store_photos(user, matter, files, written, pending)
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
            check_threshold(matter, user)
        if entered_by is not None:
            behalf.tell("proposal", user, entered_by, channel, matter.title, matter_link(matter))
        commit_change()
    return matter


@atomic
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
    remove = photo_ids(remove_photo_ids)
    removed = [link for link in matter.photos if link.id in remove]
    check_photo_count(len(matter.photos) - len(removed) + len(files) + len(pending))
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
        store_photos(user, matter, files, written, pending)
        audit(
            "matter.edited",
            matter,
            user,
            matter,
            fields=changed or None,
            photos_added=len(files) + len(pending) or None,
            photos_removed=len(removed) or None,
        )
        commit_change()
    forget(unused)
    return matter


@atomic
def submit(user, matter):
    """Draft -> collecting supports."""
    lifecycle.apply(matter, "submit", user)
    check_threshold(matter, user)
    commit_change()
    return matter


@atomic
def withdraw(user, matter):
    lifecycle.apply(matter, "withdraw", user)
    commit_change()
    return matter


@atomic
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
    audit("matter.clarified", matter, user, matter, clarification_id=clarification.id, body=body)
    notify(
        lifecycle.interested_people(matter),
        N_("A clarification was added to “%(title)s”: %(body)s"),
        matter_link(matter, _anchor=f"clarification-{clarification.id}"),
        exclude=user,
        matter=matter,
        title=matter.title,
        body=body[:200],
    )
    commit_change()
    return clarification
