"""Raising an item onto the agenda list, and what the council's decision does to it."""

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from app.audit.services import record
from app.core import clock
from app.core.errors import FieldError
from app.core.service import commit, get_or_404, require, rolls_back
from app.core.text import checked_text
from app.councils.models import MotionKind
from app.councils.review import append_agenda_item
from app.extensions import db

from . import permissions
from .models import CommitteeItem, ItemKind, ItemStatus

SUBJECT_KIND = "committee"  # AgendaItem.subject_kind of these items (app.councils.subjects)


def items_of(community):
    return db.session.scalars(
        select(CommitteeItem).where(CommitteeItem.community_id == community.id).order_by(CommitteeItem.id.desc())
    ).all()


def get_item(community, item_id):
    return get_or_404(CommitteeItem, item_id, community_id=community.id)


def _audit(action, item, actor, **data):
    record(action, item, actor=actor, community=item.community, agenda_item_id=item.agenda_item_id, **data)


@rolls_back
def raise_item(actor, community, *, kind, title, description, assigning_office=None, due_on=None):
    require(permissions.can_raise(actor, community), _l("Only the committee puts its own items on the agenda list."))
    if kind not in set(ItemKind):
        raise FieldError("kind", _l("Choose what kind of item it is."))
    title = checked_text(title, "title", 80, _l("Give the item a title."), one_line=True)
    description = checked_text(description, "description", 4000, _l("Say what the council is asked to decide."))
    if kind == ItemKind.ASSIGNED:
        assigning_office = checked_text(
            assigning_office or "", "assigning_office", 120, _l("Say which office assigned it."), one_line=True
        )
        if due_on is None:
            raise FieldError("due_on", _l("An assigned item needs the date it is due."))
    else:
        assigning_office = due_on = None  # only an assigned item has an office above and a due date
    agenda_item = append_agenda_item(community.id, actor, subject_kind=SUBJECT_KIND)
    item = CommitteeItem(
        community_id=community.id,
        kind=kind,
        title=title,
        description=description,
        assigning_office=assigning_office,
        due_on=due_on,
        raised_by_id=actor.id,
        agenda_item_id=agenda_item.id,
        status=ItemStatus.ON_AGENDA,
        status_changed_at=clock.now(),
    )
    db.session.add(item)
    db.session.flush()
    _audit(
        "committee_item.raised",
        item,
        actor,
        kind=str(kind),
        title=title,
        assigning_office=assigning_office,
        due_on=due_on.isoformat() if due_on else None,
    )
    commit()
    return item


def council_decided(item, motion, actor, **data):
    """A passed motion on the item (inside the council's closing transaction)."""
    item.motion_id = motion.id
    item.status = ItemStatus.AGREED if motion.kind == MotionKind.AGREE else ItemStatus.REJECTED
    item.status_changed_at = clock.now()
    _audit(f"committee_item.{item.status}", item, actor, **data)
