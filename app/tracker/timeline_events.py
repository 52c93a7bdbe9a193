"""The events on a micro-matter's public timeline, the events from the tracker's own rows
(milestones with photos, spending, status updates, ratings), and their order (timeline.py
builds the timeline from them and the audit log)."""

from dataclasses import dataclass, field
from datetime import date, datetime, time

from flask_babel import gettext as _

from app.core import clock

from . import rules
from .models import FINISHED_STATES
from .records import record_url


@dataclass
class Event:
    when: date | datetime  # a datetime (naive UTC) when the moment is known, a date when only the day is
    kind: str  # proposal, supports, review, agenda, decision, vote, implementation, milestone, spending, ...
    title: str
    detail: str = ""
    link: str | None = None
    link_label: str = ""
    facts: list = field(default_factory=list)  # (label, value) pairs shown as a small list
    photos: list = field(default_factory=list)  # StoredPhoto rows
    late: bool = False  # a planned milestone past its date
    sort_key: tuple = ()
    phase: int = 0  # 0: from the proposal to the decision; 1: delivery and the residents' verdict
    step: int | None = None  # its place in the matter's course within one day (STEPS[kind] unless set)

    @property
    def has_time(self):
        return isinstance(self.when, datetime)


# Where each kind of event comes in a matter's course: the order of events on the same day when the
# clock cannot tell (a day without a time, or the same moment).
STEPS = {
    "proposal": 0,
    "supports": 1,
    "review": 2,
    "agenda": 3,
    "vote": 4,
    "decision": 5,
    "implementation": 6,
    "update": 7,
    "spending": 7,
    "planned": 8,
    "milestone": 8,
    "acceptance": 9,
    "evaluation": 10,
    "rating": 11,
    "rectification": 12,
    "closed": 20,
}
RECTIFICATION_MILESTONE = 13  # after the rectification that planned it
LATER_ACCEPTANCE = 14  # the acceptance of a rectification's work


def order_events(events):
    """Sort in place: by phase, then local day; within a day, events known only by their day come
    right after the timed events that precede them in the course (a milestone done on the day the
    rectification opened comes after it, whatever the hour), then by time, step and arrival."""
    moments = []
    for index, event in enumerate(events):
        step = event.step if event.step is not None else STEPS.get(event.kind, 10)
        if isinstance(event.when, datetime):
            local = clock.to_local(event.when).replace(tzinfo=None)
            moments.append((event, local.date(), local.time(), step, index))
        else:
            moments.append((event, event.when, None, step, index))
    for position, (event, day, moment, step, index) in enumerate(moments):
        if moment is None:
            before = [m for e, d, m, st, _i in moments if d == day and m is not None and st <= step]
            moments[position] = (event, day, max(before, default=time(0)), step, index)
    for event, day, moment, step, index in moments:
        event.sort_key = (event.phase, day, moment, step, index)
    events.sort(key=lambda e: e.sort_key)
    return events


def record_events(record):
    """The events from the tracker's own rows about the implementation record."""
    today = clock.local_today()
    events = []
    for milestone in record.milestones:
        prefix = _("Rectification milestone") if milestone.rectification_id else _("Milestone")
        if milestone.done_on:
            events.append(
                Event(
                    milestone.done_on,
                    "milestone",
                    f"{prefix}: {milestone.title}",
                    detail=milestone.note,
                    photos=[p.photo for p in milestone.photos],
                    facts=[(_("Planned for"), ("date", milestone.planned_date))],
                    step=RECTIFICATION_MILESTONE if milestone.rectification_id else None,
                )
            )
        else:
            late = milestone.planned_date < today and record.state not in FINISHED_STATES
            events.append(
                Event(
                    milestone.planned_date,
                    "planned",
                    f"{prefix}: {milestone.title}",
                    late=late,
                    detail=_("Planned, not done yet."),
                    step=RECTIFICATION_MILESTONE if milestone.rectification_id else None,
                )
            )
    for entry in record.spending:
        facts = [(_("Amount"), ("money", entry.amount))]
        events.append(
            Event(
                entry.spent_on,
                "spending",
                _("Spending: %(purpose)s", purpose=entry.purpose),
                detail=entry.over_budget_reason
                and _("Over the budget because: %(reason)s", reason=entry.over_budget_reason)
                or "",
                facts=facts,
            )
        )
    for update in record.updates:
        facts = [(_("Progress"), ("percent", update.progress_percent))] if update.progress_percent is not None else []
        events.append(
            Event(
                update.created_at,
                "update",
                _("Status update"),
                detail=update.body,
                photos=[p.photo for p in update.photos],
                facts=facts,
            )
        )
    for window in record.windows:
        summary = rules.satisfaction(e.stars for e in window.evaluations)
        ended = window.has_ended()
        facts = [(_("Ratings"), summary.count)]
        if summary.count:
            facts += [
                (_("Satisfied (4-5 stars)"), ("percent", summary.rate)),
                (_("Average"), ("stars", summary.average)),
                (_("Threshold"), ("percent", window.threshold_percent)),
            ]
        title = _("Residents' verdict") if ended else _("Residents' verdict so far")
        # a window that ran its course ends at the next day's 00:00: its verdict belongs to its last day
        closed = window.closes_at if window.ended_early else window.display_end
        events.append(
            Event(
                closed if ended else clock.now(),
                "rating",
                title,
                facts=facts,
                link=record_url(record, _anchor="evaluation"),
                link_label=_("All ratings"),
            )
        )
    return events
