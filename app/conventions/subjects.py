"""An amendment on the council's agenda list: the councils' extension point (councils.subjects)."""

from flask import url_for
from flask_babel import gettext as _
from sqlalchemy import select

from app.councils.models import MotionKind
from app.councils.subjects import Subject
from app.extensions import db

from . import services
from .models import Amendment, AmendmentKind, AmendmentStatus


def find(agenda_item):
    amendment = db.session.scalar(select(Amendment).where(Amendment.agenda_item_id == agenda_item.id))
    return AmendmentSubject(amendment)


class AmendmentSubject(Subject):
    kind = services.SUBJECT_KIND
    motion_kinds = (MotionKind.ADOPT, MotionKind.REJECT)

    def __init__(self, amendment):
        self.amendment = amendment

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

    @property
    def on_agenda(self):
        return self.amendment.status == AmendmentStatus.ON_AGENDA

    @property
    def status_label(self):
        return AmendmentStatus.label_of(self.amendment.status)

    @property
    def changed_at(self):
        return self.amendment.status_changed_at

    @property
    def audit_ref(self):
        return {"amendment_id": self.amendment.id}

    def decide(self, motion, actor, **data):
        services.council_decided(self.amendment, motion, actor, **data)
