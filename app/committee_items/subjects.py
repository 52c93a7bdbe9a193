"""A committee item on the council's agenda list: the councils' extension point (councils.subjects)."""

from flask import url_for
from flask_babel import format_date
from flask_babel import gettext as _

from app.councils.models import MotionKind
from app.councils.subjects import RowSubject, row_holding

from . import services
from .models import CommitteeItem, ItemKind, ItemStatus


def find(agenda_item):
    return CommitteeItemSubject(row_holding(CommitteeItem, agenda_item))


def raised_line(item):
    """Who raised it, in a few words (the agenda list, the meeting pages, the item's page)."""
    if item.kind == ItemKind.ASSIGNED:
        return _("Assigned by %(office)s, due %(date)s", office=item.assigning_office, date=format_date(item.due_on))
    return str(ItemKind.label_of(item.kind))


class CommitteeItemSubject(RowSubject):
    kind = services.SUBJECT_KIND
    motion_kinds = (MotionKind.AGREE, MotionKind.REJECT)
    statuses = ItemStatus
    ref = "committee_item_id"

    def __init__(self, item):
        self.item = self.row = item

    @property
    def url(self):
        return url_for("committee_items.detail", slug=self.item.community.slug, item_id=self.item.id)

    @property
    def meta(self):
        return raised_line(self.item)

    def decide(self, motion, actor, **data):
        services.council_decided(self.item, motion, actor, **data)
