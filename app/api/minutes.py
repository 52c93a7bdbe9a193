"""Locked minutes in the open data, and the two records meetings and decisions share with them: the
quorum, and a vote's result with exactly which rules produced it. People are not named: attendance,
speeches and votes are published as counts. The operation that serves them is in councils.py."""

from sqlalchemy import select

from app.core.urls import path_for
from app.councils.models import ItemStatus, Minutes, MotionKind, MotionStatus, VoteMode
from app.extensions import db
from app.rules.majority import Base, MajorityRule, TieRule

from .registry import AUDIT_HEAD_FIELD
from .schema import Field, Resource, url_field

QUORUM = Resource(
    "Quorum",
    "Council members present, all members and the number needed.",
    [
        Field("present", "integer", minimum=0, example=7),
        Field("members", "integer", minimum=0, example=9),
        Field("needed", "integer", minimum=0, example=5),
    ],
)


def locked_corrections(minutes):
    return db.session.scalars(
        select(Minutes).where(Minutes.corrects_id == minutes.id, Minutes.locked_at.is_not(None)).order_by(Minutes.id)
    ).all()


def minutes_path(community, meeting_id):
    return path_for("councils.minutes", slug=community.slug, meeting_id=meeting_id)


VOTE_RESULT_FIELDS = [
    Field(
        "mode",
        "string",
        "named (roll call), secret, or analog (counted in the room).",
        enum=tuple(VoteMode),
        example="named",
    ),
    Field("yes", "integer", minimum=0, example=6),
    Field("no", "integer", minimum=0, example=1),
    Field("abstain", "integer", minimum=0, example=0),
    Field("not_voted", "integer", minimum=0, example=0),
    Field("present", "integer", "Members entitled to vote (present when the vote opened).", minimum=0, example=7),
    Field("members", "integer", "All council members when the vote opened.", minimum=0, example=9),
    Field("majority_rule", "string", enum=tuple(MajorityRule), example="simple"),
    Field(
        "base_kind",
        "string",
        "What the majority is counted against.",
        enum=tuple(Base),
        example="present",
    ),
    Field("base", "integer", minimum=0, example=7),
    Field("needed", "integer", "Yes votes needed to pass.", minimum=0, example=4),
    Field("tie_rule", "string", enum=tuple(TieRule), example="fails"),
    Field("tie", "boolean", example=False),
    Field("casting_vote", "boolean", "The chair's casting vote on a tie (true = yes).", nullable=True, example=None),
    Field("passed", "boolean", example=True),
    Field("quorum_needed", "integer", minimum=0, example=5),
    Field("ruleset_version", "integer", minimum=1, example=1),
    Field("decided_at", "string", format="date-time", example="2026-10-15T07:20:00Z"),
]
MINUTES_VOTE = Resource(
    "MinutesVote",
    "A vote's result and exactly which rules produced it. Named votes are published as counts only.",
    VOTE_RESULT_FIELDS,
)

MINUTES_MOTION = Resource(
    "MinutesMotion",
    "A motion as the minutes record it. Movers and seconders are not named.",
    [
        Field("id", "integer", minimum=1, example=3),
        Field("kind", "string", enum=tuple(MotionKind), example="approve"),
        Field("budget", "integer", "Yuan, for an approval.", nullable=True, minimum=0, example=8000),
        Field("text", "string", example="同意实施，预算8000元。"),
        Field("status", "string", enum=tuple(MotionStatus), example="passed"),
        Field(
            "seconders",
            "integer",
            "How many members seconded it.",
            minimum=0,
            source=lambda m: len(m.get("seconders") or []),
            example=1,
        ),
        Field("seconders_needed", "integer", minimum=0, example=1),
        Field("vote", "object", resource=MINUTES_VOTE, nullable=True, csv=False),
    ],
)

MINUTES_ITEM = Resource(
    "MinutesItem",
    "What happened on one item of the meeting.",
    [
        Field("position", "integer", minimum=0, example=1),
        Field("matter_id", "integer", minimum=1, example=7),
        Field("title", "string", example="3号楼单元门口加装扶手"),
        Field("status", "string", enum=tuple(ItemStatus), example="decided"),
        Field("outcome", "string", nullable=True, example="approve"),
        Field(
            "speeches_pro",
            "integer",
            "Speeches in favour, in the order held (speakers are not named).",
            minimum=0,
            source=lambda i: sum(1 for s in i.get("speakers") or [] if s.get("stance") == "pro"),
            example=2,
        ),
        Field(
            "speeches_contra",
            "integer",
            minimum=0,
            source=lambda i: sum(1 for s in i.get("speakers") or [] if s.get("stance") == "contra"),
            example=1,
        ),
        Field("motions", "array", items=MINUTES_MOTION),
    ],
)

RULES_APPLIED = Resource(
    "RulesApplied",
    "The consultation rules (议事规则) version the meeting applied.",
    [
        Field("version", "integer", minimum=1, example=1),
        Field("quorum_numerator", "integer", minimum=1, example=1),
        Field("quorum_denominator", "integer", minimum=1, example=2),
        Field("quorum_strict", "boolean", "true: more than the share; false: at least the share.", example=True),
        Field("majority_rule", "string", enum=tuple(MajorityRule), example="simple"),
        Field("majority_base", "string", enum=tuple(Base), example="present"),
        Field("tie_rule", "string", enum=tuple(TieRule), example="fails"),
        Field("turns_per_item", "integer", minimum=0, example=2),
        Field("minutes_per_turn", "integer", minimum=0, example=2),
        Field("seconders_needed", "integer", minimum=0, example=1),
    ],
)


MINUTES_CORRECTION = Resource(
    "MinutesCorrection",
    "A correction of locked minutes, itself locked.",
    [
        Field("minutes_id", "integer", minimum=1, source="id", example=5),
        Field("locked_at", "string", format="date-time", example="2026-10-20T01:00:00Z"),
        Field("notes", "string", "What is corrected (Markdown).", example="第二项表决的弃权票应为1票。"),
    ],
)


def _content(minutes):
    return minutes.content or {}


MINUTES = Resource(
    "Minutes",
    "Approved, locked minutes of a meeting (a correction is a newer locked version). "
    "People are not named: attendance and votes are published as counts.",
    [
        Field("meeting_id", "integer", minimum=1, example=2),
        Field("minutes_id", "integer", minimum=1, source="id", example=4),
        Field("locked_at", "string", format="date-time", example="2026-10-16T01:00:00Z"),
        Field("notes", "string", "The secretary's notes (Markdown).", example="会议按时召开。"),
        Field(
            "corrections",
            "array",
            "Corrections approved later, oldest first (the record above never changes).",
            items=MINUTES_CORRECTION,
            source=locked_corrections,
            csv=False,
        ),
        Field("council_members", "integer", minimum=0, source=lambda m: _content(m).get("members", 0), example=9),
        Field(
            "attended",
            "integer",
            "Members who checked in.",
            minimum=0,
            source=lambda m: len(_content(m).get("attendance") or []),
            example=7,
        ),
        Field(
            "quorum_at_opening",
            "object",
            resource=QUORUM,
            nullable=True,
            source=lambda m: (
                _content(m).get("quorum_at_opening")
                if (_content(m).get("quorum_at_opening") or {}).get("present") is not None
                else None
            ),
        ),
        Field("rules", "object", resource=RULES_APPLIED, source=lambda m: _content(m).get("ruleset"), csv=False),
        Field("items", "array", items=MINUTES_ITEM, source=lambda m: _content(m).get("items") or []),
        Field(
            "decided", "integer", "Items decided.", minimum=0, source=lambda m: _content(m).get("decided", 0), example=2
        ),
        url_field(lambda m: minutes_path(m.meeting.community, m.meeting_id)),
        AUDIT_HEAD_FIELD,
    ],
)
