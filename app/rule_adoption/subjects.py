"""A draft version of the rules on the council's agenda list (councils.subjects)."""

from flask import url_for
from flask_babel import gettext as _

from app.councils.models import MotionKind
from app.councils.review import append_agenda_item
from app.councils.subjects import Subject, row_holding
from app.rules import services
from app.rules.majority import majority_for
from app.rules.models import RuleSet, RuleStatus

SUBJECT_KIND = "rules"


def on_proposed(ruleset, actor=None, **_kw):
    """A new draft lands at the end of the agenda list (inside the proposing transaction)."""
    ruleset.agenda_item_id = append_agenda_item(ruleset.community_id, actor, subject_kind=SUBJECT_KIND).id


def find(agenda_item):
    return RulesSubject(row_holding(RuleSet, agenda_item))


class RulesSubject(Subject):
    kind = SUBJECT_KIND
    motion_kinds = (MotionKind.ADOPT_RULES, MotionKind.REJECT)

    def __init__(self, ruleset):
        self.ruleset = ruleset

    @property
    def title(self):
        return _("Consultation rules, version %(version)s", version=self.ruleset.version)

    @property
    def url(self):
        return url_for("rules.version", slug=self.ruleset.community.slug, version=self.ruleset.version)

    @property
    def meta(self):
        if services.is_entrenched(self.ruleset):
            return _("Changes the quorum or a majority rule: adopting it needs the stricter majority.")
        return self.ruleset.change_note

    @property
    def on_agenda(self):
        return self.ruleset.in_draft

    @property
    def status_label(self):
        return RuleStatus.label_of(self.ruleset.status)

    @property
    def changed_at(self):
        return self.ruleset.decided_at or self.ruleset.created_at

    @property
    def audit_ref(self):
        return {"ruleset_id": self.ruleset.id, "ruleset_version": self.ruleset.version}

    def majority(self, motion_kind, ruleset):
        if motion_kind == MotionKind.ADOPT_RULES:
            return majority_for(ruleset, motion_kind, entrenched=services.is_entrenched(self.ruleset))
        return super().majority(motion_kind, ruleset)

    def decide(self, motion, actor, **data):
        if motion.kind == MotionKind.ADOPT_RULES:
            services.adopt(self.ruleset, actor, **data)
        else:
            services.reject(self.ruleset, actor, **data)

    def failed(self, motion, actor, **data):
        # A motion to adopt the draft that the council did not pass rejects it.
        if motion.kind == MotionKind.ADOPT_RULES:
            services.reject(self.ruleset, actor, **data)
