"""The public timeline of one micro-matter, from the proposal to the residents' verdict.

Built from what is already stored, nothing copied: the audit log entries about the
matter (its transitions, supports, and other features' entries that name it with
data["matter_id"]) plus the tracker's own tables (milestones with photos, spending,
status updates, ratings: timeline_events.py, with the events' order).
"""

from flask_babel import gettext as _
from sqlalchemy import and_, or_, select

from app.audit.models import AuditEntry
from app.auth.models import User
from app.core import clock
from app.core.vocabulary import EntryChannel
from app.extensions import db

from .records import _iso_date, decision_path, record_for_matter
from .timeline_events import LATER_ACCEPTANCE, Event, order_events, record_events


def matter_entries(matter):
    """Audit entries about the matter: on the matter itself, or naming it in their data."""
    return db.session.scalars(
        select(AuditEntry)
        .where(
            AuditEntry.community_id == matter.community_id,
            or_(
                and_(AuditEntry.object_type == "MicroMatter", AuditEntry.object_id == matter.id),
                AuditEntry.data["matter_id"].as_integer() == matter.id,
            ),
        )
        .order_by(AuditEntry.id)
    ).all()


def _count_facts(data):
    """Vote counts other features store with their entries: a council vote (yes/no/abstain, present,
    members) or a resident round (this project's votes, ballots, turnout, electorate)."""
    labels = {
        "yes": _("Yes"),
        "no": _("No"),
        "abstain": _("Abstain"),
        "present": _("Present"),
        "members": _("Members"),
        "votes": _("Votes"),
        "ballots": _("Ballots"),
        "electorate": _("Electorate"),
        "turnout": _("Turnout"),
    }
    counts = data.get("counts") if isinstance(data.get("counts"), dict) else data
    facts = []
    for key, label in labels.items():
        value = counts.get(key)
        if isinstance(value, int | float) and not isinstance(value, bool):
            facts.append((label, ("percent", value) if key == "turnout" else value))
    return facts


def _latest_entry(community_id, *conditions):
    return db.session.scalar(
        select(AuditEntry)
        .where(AuditEntry.community_id == community_id, *conditions)
        .order_by(AuditEntry.id.desc())
        .limit(1)
    )


def _decision_counts(matter, data):
    """The counts behind a decision: from the decision's own data, the council vote that passed the
    motion, and the count of the resident round."""
    facts = _count_facts(data)
    related = []
    if isinstance(data.get("vote_result_id"), int):
        related.append(
            _latest_entry(
                matter.community_id,
                AuditEntry.object_type == "VoteResult",
                AuditEntry.object_id == data["vote_result_id"],
            )
        )
    elif isinstance(data.get("motion_id"), int):
        related.append(
            _latest_entry(
                matter.community_id,
                AuditEntry.action == "vote.closed",
                AuditEntry.data["motion_id"].as_integer() == data["motion_id"],
            )
        )
        related.append(
            _latest_entry(
                matter.community_id, AuditEntry.object_type == "Motion", AuditEntry.object_id == data["motion_id"]
            )
        )
    if isinstance(data.get("round_id"), int):
        related.append(
            _latest_entry(
                matter.community_id,
                AuditEntry.object_type.in_(("VotingRound", "Round")),
                AuditEntry.object_id == data["round_id"],
                AuditEntry.action == "round.counted",
            )
        )
    shown = {label for label, _value in facts}
    for entry in related:
        for label, value in _count_facts(entry.data or {}) if entry is not None else ():
            if label not in shown:
                facts.append((label, value))
                shown.add(label)
    return facts


def _decision_link(entry, slug):
    data = entry.data or {}
    path = decision_path(slug, data.get("meeting_id"), data.get("round_id"))
    if path is None:
        return None, ""
    return path, _("Meeting minutes") if data.get("meeting_id") else _("Round results")


class _Moments:
    """When delivery steps happened, from the tracker's own rows (the same moments the audit log
    records; preferred because they are what the committee stated, e.g. the acceptance date)."""

    def __init__(self, record):
        self.record = record
        self.seen = {}

    def _nth(self, action):
        self.seen[action] = self.seen.get(action, 0) + 1
        return self.seen[action] - 1

    def window(self, window_id):
        return next((w for w in self.record.windows if w.id == window_id), None) if self.record else None

    def of(self, action, entry):
        record, data = self.record, entry.data or {}
        if record is None:
            return entry.at
        if action == "start_implementation":
            return record.started_at or entry.at
        if action == "complete":
            return _iso_date(data.get("accepted_on")) or entry.at
        if action == "open_evaluation":
            n = self._nth(action)
            return record.windows[n].opens_at if n < len(record.windows) else entry.at
        if action == "rectify":
            n = self._nth(action)
            return record.rectifications[n].opened_at if n < len(record.rectifications) else entry.at
        if action == "close":
            return record.closed_at or entry.at
        if action == "tracker.window_ended":
            window = self.window(entry.object_id)
            return window.closes_at if window else entry.at
        if action == "tracker.response_given":
            window = self.window(entry.object_id)
            return (window.responded_at if window else None) or entry.at
        return entry.at


def _transition_event(entry, matter, threshold_supports, moments):
    action = entry.action.removeprefix("matter.")
    data = entry.data or {}
    slug = matter.community.slug
    reason = data.get("reason") or ""
    if action == "submit":
        return Event(matter.submitted_at or entry.at, "proposal", _("Submitted; collecting supports"))
    if action == "reach_threshold":
        supports = data.get("supports") if isinstance(data.get("supports"), int) else threshold_supports
        facts = [(_("Supports"), supports)] if supports else []
        return Event(entry.at, "supports", _("Reached the support threshold"), facts=facts)
    if action == "admit":
        return Event(entry.at, "agenda", _("Reviewed and admitted to the agenda list"))
    if action == "decline":
        return Event(entry.at, "review", _("Reviewed and not admitted"), detail=reason)
    if action == "refer_to_vote":
        link, label = _decision_link(entry, slug)
        return Event(entry.at, "vote", _("Sent to a resident vote"), link=link, link_label=label)
    if action in ("approve", "reject"):
        link, label = _decision_link(entry, slug)
        facts = _decision_counts(matter, data)
        if data.get("budget") is not None:
            facts.append((_("Approved budget"), ("money", data["budget"])))
        if data.get("meeting_id"):
            how = _("by the council") if action == "approve" else _("by the council (rejected)")
        elif data.get("round_id"):
            how = _("by a resident vote") if action == "approve" else _("by a resident vote (rejected)")
        else:
            how = ""
        title = _("Approved") if action == "approve" else _("Rejected")
        if action == "reject" and data.get("round_id"):  # a round funds or not: it may come back in a later one
            title, how = _("Not funded in this round"), _("by a resident vote")
        return Event(
            entry.at, "decision", f"{title} {how}".strip(), detail=reason, link=link, link_label=label, facts=facts
        )
    if action == "start_implementation":
        return Event(moments.of(action, entry), "implementation", _("Work started"))
    if action == "complete":
        accepted_on = _iso_date(data.get("accepted_on"))
        facts = [(_("Acceptance date"), ("date", accepted_on))] if accepted_on else []
        return Event(
            moments.of(action, entry),
            "acceptance",
            _("Completed and accepted (验收)"),
            detail=data.get("note") or "",
            facts=facts,
            step=LATER_ACCEPTANCE if moments._nth(action) else None,  # after a rectification
        )
    if action == "open_evaluation":
        closes_on = _iso_date(data.get("closes_on"))
        facts = [(_("Last day of rating"), ("date", closes_on))] if closes_on else []
        return Event(
            moments.of(action, entry), "evaluation", _("Residents were invited to rate the result"), facts=facts
        )
    if action == "rectify":
        return Event(moments.of(action, entry), "rectification", _("Rectification (整改) opened"), detail=reason)
    if action == "close":
        return Event(moments.of(action, entry), "closed", _("Closed"))
    if action == "withdraw":
        return Event(entry.at, "closed", _("Withdrawn by the proposer"))
    if action == "cancel":
        return Event(entry.at, "closed", _("Cancelled"), detail=reason)
    return None


DELIVERY_ACTIONS = ("start_implementation", "complete", "open_evaluation", "rectify", "close", "cancel")


def support_history(entries):
    """(day, total supports at the end of that day) from the support entries, in order."""
    days = {}
    for entry in entries:
        if entry.action in ("matter.supported", "matter.support_withdrawn") and isinstance(
            (entry.data or {}).get("supports"), int
        ):
            days[clock.local_date(entry.at)] = entry.data["supports"]
    return sorted(days.items())


def build(matter):
    """(events in time order, supports per day) for the public timeline."""
    entries = matter_entries(matter)
    record = record_for_matter(matter)
    moments = _Moments(record)
    events = []
    proposer = db.session.get(User, matter.proposer_id)
    # the proposer as a person (with their official badge, if any), not as text in the title
    facts = [(_("Proposed by"), ("person", proposer)), (_("Estimated cost"), ("money", matter.estimated_cost))]
    if matter.entered_by_id is not None:  # recorded for the proposer (代录): the channel, never who typed it
        facts.insert(1, (_("Entered on behalf (代录)"), EntryChannel.label_of(matter.channel)))
    events.append(Event(matter.created_at, "proposal", _("Proposed"), facts=facts))
    supports_so_far = 0
    first_support = None
    for entry in entries:
        data = entry.data or {}
        if entry.action in ("matter.supported", "matter.support_withdrawn"):
            if isinstance(data.get("supports"), int):
                supports_so_far = data["supports"]
            if first_support is None and entry.action == "matter.supported":
                first_support = entry
            continue
        if entry.action.startswith("matter."):
            event = _transition_event(entry, matter, supports_so_far, moments)
        elif entry.action == "tracker.paused":
            event = Event(entry.at, "implementation", _("Work paused"), detail=data.get("reason") or "")
        elif entry.action == "tracker.resumed":
            event = Event(entry.at, "implementation", _("Work resumed"))
        elif entry.action == "tracker.window_ended":
            event = Event(moments.of(entry.action, entry), "evaluation", _("The rating was ended by the committee"))
        elif entry.action == "tracker.response_given":
            event = Event(
                moments.of(entry.action, entry),
                "evaluation",
                _("The committee answered the residents' verdict"),
                detail=data.get("reason") or "",
            )
        else:  # another feature's entry that names the matter: not a step of its timeline
            event = None
        if event is not None:
            if entry.action.startswith("tracker.") or entry.action.removeprefix("matter.") in DELIVERY_ACTIONS:
                event.phase = 1
            events.append(event)
    if first_support is not None:
        events.append(Event(first_support.at, "supports", _("First support")))
    if record is not None:
        for event in record_events(record):
            event.phase = 1
            events.append(event)
    # In time order; everything about delivery comes after the decision even if a clock disagrees.
    return order_events(events), support_history(entries)
