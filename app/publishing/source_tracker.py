"""Acceptance notices (验收公示): an implementation record that has been accepted."""

from sqlalchemy import select

from app.core.i18n import N_
from app.tracker.models import DecidedBy, ImplementationRecord, RecordState
from app.tracker.records import record_url

from .models import NoticeKind
from .sources import Publication, Source, msg, row, typed

ACCEPTED = (RecordState.COMPLETED, RecordState.EVALUATION, RecordState.RECTIFICATION, RecordState.CLOSED)
DECIDED_BY = {
    DecidedBy.MEETING: N_("The resident council, in a meeting"),
    DecidedBy.ROUND: N_("The residents, in a voting round"),
    DecidedBy.OTHER: N_("The committee"),
}


def _accepted(community):
    return select(ImplementationRecord).where(
        ImplementationRecord.community_id == community.id,
        ImplementationRecord.state.in_(list(ACCEPTED)),
        ImplementationRecord.accepted_on.is_not(None),
    )


def _label(record):
    return f"{record.matter.title} ({record.accepted_on.isoformat()})"


def describe(record):
    matter = record.matter
    milestones = list(record.milestones)
    done = sum(1 for m in milestones if m.done_on is not None)
    rows = [
        row(N_("Micro-matter"), matter.title),
        row(N_("Decided by"), DECIDED_BY.get(record.decided_by, DECIDED_BY[DecidedBy.OTHER]), "msgid"),
        row(N_("Approved budget"), record.approved_budget, "money"),
        row(N_("Spent"), record.spent, "money"),
        row(N_("Responsible unit"), record.responsible_unit or None),
        row(N_("Accepted on"), record.accepted_on.isoformat(), "date"),
        row(N_("Acceptance note"), record.acceptance_note or None),
        row(N_("Milestones"), msg(N_("%(done)s of %(total)s done"), done=done, total=len(milestones)), "msgid"),
    ]
    over = [e for e in record.spending if e.over_budget_reason]
    if over:
        rows.append(row(N_("Reason for spending over the budget"), "; ".join(e.over_budget_reason for e in over)))
    facts = {
        "summary": msg(
            N_("“%(title)s” was completed and accepted on %(date)s."),
            title=matter.title,
            date=typed(record.accepted_on.isoformat(), "date"),
        ),
        "rows": rows,
    }
    if milestones:
        facts["table"] = {
            "columns": [N_("Milestone"), N_("Planned for"), N_("Done on")],
            "types": ["text", "date", "date"],
            "rows": [
                [m.title, m.planned_date.isoformat(), m.done_on.isoformat() if m.done_on else None] for m in milestones
            ],
        }
    return Publication(
        title=msg(N_("Acceptance notice: %(title)s"), title=matter.title),
        facts=facts,
        record_path=record_url(record),
        matters=[matter],
    )


SOURCE = Source(
    NoticeKind.ACCEPTANCE, ImplementationRecord, _accepted, ImplementationRecord.accepted_on, _label, describe
)
