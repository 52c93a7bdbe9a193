"""What an agenda item deliberates: a micro-matter, or a subject another feature plugs in.

A micro-matter is the councils' own subject. A feature above (app.conventions: an amendment of
the residents' convention) adds its kind with `add_kind(kind, find)`, where `find(agenda_item)`
returns a Subject. Agenda lists, meetings, motions and votes ask the subject, never the matter,
what it is called, whether it still waits for the council, which motions it takes and what a
passed motion does."""

from collections.abc import Callable

from flask import url_for
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from app.core.labels import Labelled
from app.core.service import require
from app.extensions import db
from app.matters import lifecycle
from app.matters.lifecycle import Status
from app.rules.majority import majority_for

from .models import AgendaItem, MotionKind

MATTER = "matter"
_FINDERS: dict[str, Callable[[AgendaItem], "Subject"]] = {}


def add_kind(kind, find):
    """Process-wide, like the lifecycle's guards: a second registration of a kind is ignored."""
    _FINDERS.setdefault(kind, find)


def subject_of(agenda_item):
    if agenda_item.subject_kind == MATTER:
        return MatterSubject(agenda_item.matter)
    return _FINDERS[agenda_item.subject_kind](agenda_item)


def row_holding(model, agenda_item):
    """The row of a plugged-in kind's `model` that keeps the agenda item's id (its agenda_item_id):
    what a `find` wraps in its Subject."""
    return db.session.scalar(select(model).where(model.agenda_item_id == agenda_item.id))


class Subject:
    """What the councils need to know about the thing an agenda item deliberates."""

    kind = ""
    motion_kinds: tuple = ()
    matter = None  # the micro-matter, for a matter; None otherwise

    @property
    def title(self) -> str:
        raise NotImplementedError

    @property
    def url(self) -> str:
        raise NotImplementedError

    @property
    def meta(self) -> str:
        """One line under the title on meeting pages."""
        return ""

    @property
    def links(self) -> list:
        """(label, url) of what a member reads on the subject from the meeting on their phone."""
        return [(_l("Read the whole proposal"), self.url)]

    @property
    def on_agenda(self) -> bool:
        """Still waiting for the council to decide it."""
        raise NotImplementedError

    @property
    def status_label(self) -> str:
        raise NotImplementedError

    @property
    def changed_at(self):
        raise NotImplementedError

    @property
    def audit_ref(self) -> dict:
        """How audit entries of meetings name it."""
        raise NotImplementedError

    def before_scheduling(self):
        """Refuse (DomainError) when it may not go on a meeting's agenda now."""

    def check_motion(self, kind, budget, ruleset):
        """The budget the motion keeps (None without one), or a refusal."""
        require(kind in self.motion_kinds, _l("Choose what the motion proposes."))
        return None

    def majority(self, motion_kind, ruleset):
        """(rule, base) a vote on a motion of this kind applies: the general majority here."""
        return majority_for(ruleset, None)

    def decide(self, motion, actor, **data):
        """A passed motion of `motion.kind` takes effect (inside the closing transaction)."""
        raise NotImplementedError

    def failed(self, motion, actor, **data):
        """A motion of `motion.kind` was not passed (inside the closing transaction): nothing by default."""


class RowSubject(Subject):
    """A subject that is one row (`self.row`) with a `title`, a `status` of the labelled enum
    `statuses`, whose ON_AGENDA member means it waits for the council, and a `status_changed_at`;
    audit entries name it by its id as `ref` (e.g. "matter_id")."""

    statuses: type[Labelled]
    ref = ""
    row = None

    @property
    def title(self):
        return self.row.title

    @property
    def on_agenda(self):
        return self.row.status == self.statuses.ON_AGENDA

    @property
    def status_label(self):
        return self.statuses.label_of(self.row.status)

    @property
    def changed_at(self):
        return self.row.status_changed_at

    @property
    def audit_ref(self):
        return {self.ref: self.row.id}


class MatterSubject(RowSubject):
    kind = MATTER
    motion_kinds = (MotionKind.APPROVE, MotionKind.REJECT, MotionKind.REFER_TO_VOTE)
    statuses = Status
    ref = "matter_id"

    def __init__(self, matter):
        self.matter = self.row = matter

    @property
    def url(self):
        return url_for("matters.detail", slug=self.matter.community.slug, matter_id=self.matter.id)

    @property
    def links(self):
        # The anchors are the sections of the matter's page (templates/matters/detail.html).
        links = super().links
        if self.matter.photos:
            links.append((_l("Photos (%(count)s)", count=len(self.matter.photos)), self.url + "#photos-heading"))
        links.append((_l("Residents' comments"), self.url + "#comments"))
        return links

    def before_scheduling(self):
        from .placement import refuse_if_in_round

        refuse_if_in_round(self.matter)

    def check_motion(self, kind, budget, ruleset):
        super().check_motion(kind, budget, ruleset)
        if kind != MotionKind.APPROVE:
            return None
        require(
            isinstance(budget, int) and 0 < budget <= MAX_BUDGET,
            _l("An approval needs a budget in whole yuan, more than 0."),
        )
        cap = ruleset.cost_cap(self.matter.project_type)
        require(budget <= cap, _l("The budget is over the cap of %(cap)s yuan for this project type.", cap=cap))
        return budget

    def majority(self, motion_kind, ruleset):
        # Approving or rejecting a budget and referring to the residents may have majorities of their own.
        return majority_for(ruleset, motion_kind)

    def decide(self, motion, actor, **data):
        if motion.kind == MotionKind.APPROVE:
            data["budget"] = motion.budget
        lifecycle.apply(self.matter, str(motion.kind), actor, system=True, **data)


MAX_BUDGET = 100_000_000
