"""The record of a meeting as data, for its minutes: `build_content(meeting)` gives codes, numbers,
names and ISO times, so the same minutes print in Chinese and English (locking keeps it in
Minutes.content); `hydrate` turns its times back into datetimes for the pages; features above add
their parts with `add_section` (app.proxies: "proxies")."""

from datetime import datetime

from sqlalchemy import select

from app.extensions import db

from .common import council_members, proxy_pairs
from .models import Ballot, ItemStatus, MotionKind, MotionStatus, TurnStatus, VoteMode


def iso(value):
    return value.isoformat(timespec="seconds") if value else None


def build_content(meeting):
    from app.auth.models import User

    def name(user_id):
        user = db.session.get(User, user_id) if user_id else None
        return user.display_name if user else ""

    members = council_members(meeting.community)
    attended = {a.user_id: a for a in meeting.attendances}
    ruleset = meeting.ruleset
    items = []
    for item in meeting.items:
        motions = []
        for motion in item.motions:
            entry = {
                "id": motion.id,
                "kind": motion.kind,
                "budget": motion.budget,
                "text": motion.text,
                "mover": name(motion.mover_id),
                "moved_at": iso(motion.moved_at),
                "seconders": [name(s.user_id) for s in motion.seconders],
                # Entered by the chair for a member present without a phone (names, as above).
                "mover_by_chair": motion.entered_by_id is not None,
                "seconders_by_chair": [name(s.user_id) for s in motion.seconders if s.entered_by_id],
                "seconders_needed": motion.seconders_needed,
                "status": motion.status,
                # An amendment names the motion it amends; a motion a carried amendment changed keeps its text as moved.
                "amends_id": motion.amends_id,
                "as_moved": motion.as_moved,
                "vote": None,
            }
            result = motion.vote.result if motion.vote else None
            if result is not None:
                entry["vote"] = {
                    "mode": result.mode,
                    "yes": result.yes,
                    "no": result.no,
                    "abstain": result.abstain,
                    "not_voted": result.not_voted,
                    "present": result.present,
                    "members": result.members,
                    "majority_rule": result.majority_rule,
                    "base_kind": result.base_kind,
                    "base": result.base,
                    "needed": result.needed,
                    "tie_rule": result.tie_rule,
                    "tie": result.tie,
                    "casting_vote": result.casting_vote,
                    "passed": result.passed,
                    "quorum_numerator": result.quorum_numerator,
                    "quorum_denominator": result.quorum_denominator,
                    "quorum_strict": result.quorum_strict,
                    "quorum_needed": result.quorum_needed,
                    "ruleset_version": result.ruleset_version,
                    "decided_at": iso(result.decided_at),
                    "named": [],
                }
                if result.mode == VoteMode.NAMED:
                    ballots = db.session.scalars(
                        select(Ballot).where(Ballot.vote_id == result.vote_id).order_by(Ballot.id)
                    ).all()
                    holders = dict(proxy_pairs(meeting))  # a holder casting a written proxy: "X for Y by proxy"
                    entry["vote"]["named"] = [
                        {
                            "name": name(b.user_id),
                            "choice": b.choice,
                            "by_secretary": b.recorded_by_id not in (b.user_id, holders.get(b.user_id)),
                            "by_proxy": name(b.recorded_by_id) if holders.get(b.user_id) == b.recorded_by_id else "",
                        }
                        for b in ballots
                    ]
            motions.append(entry)
        speakers = [
            {
                "name": name(t.user_id),
                "stance": t.stance,
                "started_at": iso(t.started_at),
                "ended_at": iso(t.ended_at),
                "by_chair": t.entered_by_id is not None,
                "overrun_seconds": t.overrun_seconds,
            }
            for t in sorted((t for t in item.turns if t.started_at is not None), key=lambda t: (t.started_at, t.id))
            if t.status in (TurnStatus.DONE, TurnStatus.SPEAKING)
        ]
        items.append(
            {
                "position": item.position,
                **item.subject.audit_ref,
                "title": item.subject.title,
                "status": item.status,
                "outcome": item.outcome,
                "speakers": speakers,
                "motions": motions,
            }
        )
    return {
        "meeting": {
            "id": meeting.id,
            "title": meeting.title,
            "place": meeting.place,
            "starts_at": iso(meeting.starts_at),
            "opened_at": iso(meeting.opened_at),
            "closed_at": iso(meeting.closed_at),
            "urgent": meeting.urgent,
            "urgent_reason": meeting.urgent_reason,
        },
        "community": meeting.community.name,
        "ruleset": {
            "id": ruleset.id,
            "version": ruleset.version,
            "quorum_numerator": ruleset.quorum_numerator,
            "quorum_denominator": ruleset.quorum_denominator,
            "quorum_strict": ruleset.quorum_strict,
            "majority_rule": ruleset.majority_rule,
            "majority_base": ruleset.majority_base,
            "tie_rule": ruleset.tie_rule,
            "turns_per_item": ruleset.turns_per_item,
            "minutes_per_turn": ruleset.minutes_per_turn,
            "speaking_overrun": ruleset.speaking_overrun,
            "minutes_comment_days": ruleset.minutes_comment_days,
            "seconders_needed": ruleset.seconders_needed,
            "secret_ballot": ruleset.secret_ballot,
        },
        "chair": name(meeting.handovers[0].from_user_id if meeting.handovers else meeting.chair_id),
        "secretary": name(meeting.secretary_id),
        "handovers": [
            {
                "from_name": name(h.from_user_id),
                "to_name": name(h.to_user_id),
                "handed_at": iso(h.at),
                "reason": h.reason,
            }
            for h in meeting.handovers
        ],
        "members": len(members),
        "attendance": [
            {
                "name": name(a.user_id),
                "checked_in_at": iso(a.checked_in_at),
                "left_at": iso(a.left_at),
                "method": a.method,
            }
            for a in sorted(attended.values(), key=lambda a: (a.checked_in_at, a.id))
            if not a.marked_absent_by_id
        ],
        "absent": [m.display_name for m in members if m.id not in attended],
        "marked_absent": [name(a.user_id) for a in attended.values() if a.marked_absent_by_id],
        "quorum_at_opening": {
            "present": meeting.opened_present,
            "members": meeting.opened_members,
            "needed": meeting.opened_quorum_needed,
        },
        "items": items,
        "points_of_order": [_point(p, name) for p in meeting.points_of_order],
        "adjourned": any(
            m.kind == MotionKind.ADJOURN and m.status == MotionStatus.PASSED for i in meeting.items for m in i.motions
        ),
        # Every turn that went past its time (under the "record" rule), in the order spoken.
        "overruns": [
            {
                "name": s["name"],
                "item_position": it["position"],
                "item_title": it["title"],
                "seconds": s["overrun_seconds"],
            }
            for it in items
            for s in it["speakers"]
            if s["overrun_seconds"]
        ],
        "decided": sum(1 for i in meeting.items if i.status == ItemStatus.DECIDED),
        **{key: build(meeting) for key, build in _sections.items()},
    }


# Parts of the record a feature above adds (app.proxies: "proxies"): key -> build(meeting).
_sections: dict = {}


def add_section(key, build):
    _sections[key] = build


def _point(point, name):
    """A point of order and the chair's ruling, for the minutes."""
    return {
        "text": point.text,
        "raised_by": name(point.raised_by_id),
        "by_chair": point.entered_by_id is not None,
        "raised_at": iso(point.raised_at),
        "item_position": point.item.position if point.item else None,
        "upheld": point.upheld,
        "ruling_reason": point.ruling_reason,
        "ruled_by": name(point.ruled_by_id),
        "ruled_at": iso(point.ruled_at),
    }


def hydrate(content):
    """ISO strings back to datetimes for the date filters (keys ending in _at)."""
    if isinstance(content, dict):
        return {
            k: (datetime.fromisoformat(v) if k.endswith("_at") and isinstance(v, str) else hydrate(v))
            for k, v in content.items()
        }
    if isinstance(content, list):
        return [hydrate(v) for v in content]
    return content
