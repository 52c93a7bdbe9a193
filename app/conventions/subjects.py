"""An amendment on the council's agenda list: the councils' extension point (councils.subjects)."""

from flask import url_for
from flask_babel import gettext as _

from app.councils.models import MotionKind
from app.councils.subjects import RowSubject, row_holding

from . import amendments, services
from .models import Amendment, AmendmentKind, AmendmentStatus


def find(agenda_item):
    return AmendmentSubject(row_holding(Amendment, agenda_item))


class AmendmentSubject(RowSubject):
    kind = services.SUBJECT_KIND
    motion_kinds = (MotionKind.ADOPT, MotionKind.REJECT)
    statuses = AmendmentStatus
    ref = "amendment_id"

    def __init__(self, amendment):
        self.amendment = self.row = amendment

    @property
    def title(self):
        a = self.amendment
        return _(
            "Amendment %(id)s to the %(convention)s, article %(number)s",
            id=a.id,
            convention=a.convention.title,
            number=a.article_number,
        )

    @property
    def url(self):
        a = self.amendment
        return url_for("conventions.amendment", slug=a.convention.community.slug, amendment_id=a.id)

    @property
    def meta(self):
        a = self.amendment
        return f"{AmendmentKind.label_of(a.kind)}: {a.text}" if a.text else str(AmendmentKind.label_of(a.kind))

    def decide(self, motion, actor, **data):
        amendments.council_decided(self.amendment, motion, actor, **data)
