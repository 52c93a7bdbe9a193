"""The resources of the open data API. Only what the public pages show: no resident is named,
no phone number, user name, e-mail or address leaves through here."""

from flask import g
from flask_babel import force_locale
from sqlalchemy import select
from sqlalchemy.orm import joinedload, selectinload

from app.communities.models import CommunityKind
from app.core.urls import absolute_url, path_for
from app.core.vocabulary import EntryChannel
from app.councils import minutes as minutes_services
from app.councils.models import (
    AgendaItem,
    ItemStatus,
    Meeting,
    MeetingItem,
    MeetingStatus,
    Minutes,
    Motion,
    MotionKind,
    MotionStatus,
    MotionVote,
    VoteMode,
    VoteResult,
)
from app.extensions import db
from app.fund import services as fund_services
from app.matters.lifecycle import OUT_OF_TOTALS, Status
from app.matters.models import Category, Clarification, MicroMatter, ProjectType
from app.publishing import permissions as publishing_permissions
from app.publishing import services as publishing
from app.publishing import sources
from app.publishing.models import Notice, NoticeKind, NoticePeriod
from app.rules.majority import Base, MajorityRule, TieRule
from app.tracker.models import DecidedBy, Evaluation, EvaluationWindow, ImplementationRecord, RecordState
from app.tracker.records import is_overdue, record_url
from app.tracker.rules import satisfaction
from app.voting import results as voting_results
from app.voting import tally
from app.voting.models import Allocation, Method, RoundOption, RoundState, VotingRound

from .registry import request_head
from .schema import Field, Resource

PUBLIC_STATUSES = tuple(s.value for s in Status if s not in OUT_OF_TOTALS)


def ids_field(name, description, source, example):
    """A list of row numbers (ids, or option numbers) read by `source(obj)`."""
    return Field(name, "array", description, items="integer", source=source, example=example)


def url_field(path_of, description="Address of the public page."):
    return Field(
        "url",
        "string",
        description,
        source=lambda obj: absolute_url(path_of(obj)),
        format="uri",
        example="https://weiyi.example/c/xinglin/",
    )


def on_behalf_fields(what):
    """代录: whether a committee member or grid worker entered `what` for the resident (app.onbehalf)
    and how they heard it, as the public pages show it; never who entered it."""
    return [
        Field(
            "entered_on_behalf",
            "boolean",
            f"The {what} was entered for the resident by a committee member or grid worker (代录), "
            "with the resident's agreement; false for the resident's own.",
            source=lambda obj: obj.on_behalf,
            example=False,
        ),
        Field(
            "channel",
            "string",
            f"How the {what} entered on behalf was received: paper form, phone call, home visit or "
            "suggestion box; null for the resident's own.",
            enum=tuple(c.value for c in EntryChannel),
            nullable=True,
            example=None,
        ),
    ]


EXAMPLE_HASH = "3f1b9c0e7d2a" + "0" * 52
AUDIT_HEAD = Resource(
    "AuditHead",
    "The audit log's head when this response was made: keep a copy, and "
    "`flask --app wsgi audit verify --head COUNT:HASH` later shows whether the log still "
    "contains it (a rewritten or rolled-back log does not).",
    [
        Field("entries", "integer", "Entries in the log.", minimum=0, example=1234),
        Field(
            "hash",
            "string",
            "SHA-256 of the last entry (64 hex digits).",
            schema={"type": "string", "pattern": "^[0-9a-f]{64}$"},
            example=EXAMPLE_HASH,
        ),
        Field(
            "short",
            "string",
            "The hash's first 12 hex digits, as the pages print it.",
            schema={"type": "string", "pattern": "^[0-9a-f]{12}$"},
            example=EXAMPLE_HASH[:12],
        ),
        Field(
            "token",
            "string",
            "COUNT:HASH, as `audit verify --head` takes it.",
            schema={"type": "string", "pattern": "^[0-9]+:[0-9a-f]{64}$"},
            example=f"1234:{EXAMPLE_HASH}",
        ),
    ],
)
# Published records (index, rounds with their results, locked minutes, notices) carry it in the body;
# every API response also has it in the Audit-Head header (routes.py).
AUDIT_HEAD_FIELD = Field("audit_head", "object", resource=AUDIT_HEAD, source=lambda _obj: request_head(), csv=False)


FIGURES = Resource(
    "Figures",
    "Headline figures of a community.",
    [
        Field("proposed", "integer", "Micro-matters submitted by residents (drafts excluded).", minimum=0, example=25),
        Field(
            "decided", "integer", "Micro-matters approved or rejected (and those further on).", minimum=0, example=12
        ),
        Field("completed", "integer", "Micro-matters completed and accepted (验收).", minimum=0, example=4),
        Field(
            "satisfaction_percent",
            "number",
            "Share of residents' ratings with 4 or 5 stars, in percent "
            "(each project's latest rating round); null before the first rating.",
            nullable=True,
            minimum=0,
            maximum=100,
            example=86.4,
        ),
        Field("ratings", "integer", "Number of residents' ratings.", minimum=0, example=57),
    ],
)


def _prepare_communities(communities):
    g.api_budgets = fund_services.annual_budgets(communities)
    g.api_figures = publishing.headline_figures(communities)


COMMUNITY = Resource(
    "Community",
    "A community (社区) or village (村) using Weiyi.",
    [
        Field("slug", "string", "Web address of the community, used in every path.", example="xinglin"),
        Field("name", "string", example="杏林社区"),
        Field(
            "kind", "string", "Urban community or village.", enum=tuple(k.value for k in CommunityKind), example="urban"
        ),
        Field("district", "string", example="苏州市姑苏区 双塔街道"),
        Field("register_size", "integer", "People on the resident register.", minimum=0, example=3200),
        Field(
            "annual_budget",
            "integer",
            "Micro-matter budget of the year, in yuan: the fund's allocation entries once there are any.",
            source=lambda c: g.api_budgets[c.id],
            minimum=0,
            example=300000,
        ),
        Field("figures", "object", resource=FIGURES, source=lambda c: g.api_figures[c.id]),
        url_field(lambda c: path_for("communities.home", slug=c.slug)),
    ],
    prepare=_prepare_communities,
)

CLARIFICATION = Resource(
    "Clarification",
    "A dated clarification added under the text (the text itself stays as residents supported it).",
    [
        Field("added_at", "string", format="date-time", source="created_at", example="2026-09-03T02:00:00Z"),
        Field(
            "by",
            "string",
            "Who added it: the proposer or the committee.",
            enum=("proposer", "committee"),
            source=lambda c: "proposer" if c.author_id == c.matter.proposer_id else "committee",
            example="proposer",
        ),
        Field("body", "string", example="扶手两侧都装，不锈钢材质。"),
    ],
)

MATTER = Resource(
    "Matter",
    "A livelihood micro-matter (民生微实事) proposed by a resident. The proposer is not named.",
    [
        Field("id", "integer", minimum=1, example=7),
        Field("community", "string", "Slug of the community.", source=lambda m: m.community.slug, example="xinglin"),
        Field("title", "string", example="3号楼单元门口加装扶手"),
        Field("description", "string", "Markdown, as written by the proposer.", example="老人进出单元门不便……"),
        Field("category", "string", enum=tuple(c.value for c in Category), example="elderly"),
        Field(
            "project_type",
            "string",
            "Service (服务), goods (货物) or works (工程).",
            enum=tuple(t.value for t in ProjectType),
            example="works",
        ),
        Field("location", "string", example="3号楼"),
        Field("estimated_cost", "integer", "Estimated cost in yuan.", minimum=0, example=8000),
        Field("status", "string", "Stage in the micro-matter's life.", enum=PUBLIC_STATUSES, example="approved"),
        Field("support_count", "integer", "Supports (附议) by verified residents.", minimum=0, example=23),
        Field(
            "submitted_at",
            "string",
            "When it started collecting supports (UTC).",
            format="date-time",
            nullable=True,
            example="2026-09-01T08:00:00Z",
        ),
        Field(
            "status_changed_at",
            "string",
            "Last change of stage (UTC).",
            format="date-time",
            example="2026-10-12T02:30:00Z",
        ),
        Field(
            "substance_frozen_at",
            "string",
            "The first support (UTC): from then on title, description, cost, location and type stay as supported.",
            format="date-time",
            nullable=True,
            example="2026-09-02T01:00:00Z",
        ),
        *on_behalf_fields("proposal"),
        Field("clarifications", "array", items=CLARIFICATION, csv=False),
        url_field(lambda m: path_for("matters.detail", slug=m.community.slug, matter_id=m.id)),
    ],
    load=[selectinload(MicroMatter.clarifications).joinedload(Clarification.matter)],
)

OBJECTION = Resource(
    "Objection",
    "An objection lodged during a notice period and the committee's answer. Who lodged it is not published.",
    [
        Field("id", "integer", minimum=1, example=1),
        Field("body", "string", "The objection as written.", example="预算是否包含后期维护？"),
        Field("lodged_at", "string", format="date-time", source="created_at", example="2026-11-20T03:00:00Z"),
        Field(
            "answer",
            "string",
            "The committee's public answer; null until the first answer. After a reopening "
            "it is the earlier answer until a new one is given.",
            nullable=True,
            example="包含两年维护，已写入合同。",
        ),
        Field(
            "answered_at",
            "string",
            "When the answer was given; null while the objection awaits an answer "
            "(it then holds the notice's micro-matters).",
            format="date-time",
            nullable=True,
            example="2026-11-21T06:00:00Z",
        ),
        Field(
            "reopened_at",
            "string",
            "When the committee last reopened the objection.",
            format="date-time",
            nullable=True,
            example=None,
        ),
        Field(
            "reopen_reason", "string", "The committee's public reason for reopening it.", nullable=True, example=None
        ),
    ],
)

FACT = Resource(
    "NoticeFact",
    "One fact of a notice, in the language of the request.",
    [
        Field("label", "string", example="预算"),
        Field("value", "string", example="¥8,000"),
    ],
)

TABLE_SCHEMA = {
    "type": "object",
    "properties": {
        "columns": {"type": "array", "items": {"type": "string"}},
        "rows": {"type": "array", "items": {"type": "array", "items": {"type": "string"}}},
    },
    "required": ["columns", "rows"],
    "additionalProperties": False,
}


def _facts_table(notice):
    table = sources.rendered(notice.facts)["table"]
    if table is None:
        return None
    return {"columns": [str(c) for c in table["columns"]], "rows": [[str(c) for c in r] for r in table["rows"]]}


NOTICE = Resource(
    "Notice",
    "A public notice (公示) of a decision, a round's results or an acceptance, with its objection period.",
    [
        Field("id", "integer", minimum=1, example=1),
        Field("community", "string", source=lambda n: n.community.slug, example="xinglin"),
        Field("kind", "string", enum=tuple(k.value for k in NoticeKind), example="round"),
        Field(
            "kind_label",
            "string",
            "The kind, in the language of the request.",
            source=lambda n: NoticeKind.label_of(n.kind),
            example="投票结果",
        ),
        Field("title", "string", example="2026年度微实事居民投票结果公示"),
        Field("preface", "string", "The committee's introduction (Markdown).", example=""),
        Field(
            "summary",
            "string",
            "What was decided, in the language of the request.",
            source=lambda n: sources.rendered(n.facts)["summary"],
            example="居民投票选出 3 个项目。",
        ),
        Field(
            "facts",
            "array",
            "The facts generated from the record when the notice was published.",
            items=FACT,
            csv=False,
            source=lambda n: [
                {"label": str(label), "value": str(value)} for label, value in sources.rendered(n.facts)["rows"]
            ],
        ),
        Field(
            "table",
            "object",
            "Per-option or per-item figures, when the record has them.",
            nullable=True,
            schema=TABLE_SCHEMA,
            csv=False,
            source=_facts_table,
        ),
        Field(
            "text",
            "string",
            "The facts as plain text.",
            source=lambda n: sources.as_text(n.facts),
            example="居民投票选出 3 个项目。",
        ),
        Field("period_start", "string", "First day for objections.", format="date", example="2026-11-20"),
        Field("period_end", "string", "Last day for objections.", format="date", example="2026-11-27"),
        Field(
            "period_state",
            "string",
            "upcoming, open (objections accepted) or ended.",
            enum=tuple(NoticePeriod),
            source=lambda n: publishing_permissions.period_state(n),
            example="open",
        ),
        Field("published_at", "string", format="date-time", example="2026-11-19T09:00:00Z"),
        ids_field("matter_ids", "Micro-matters the notice concerns.", lambda n: n.matter_ids, [7, 9]),
        Field("objections", "array", items=OBJECTION, csv=False),
        Field(
            "unanswered_objections",
            "integer",
            minimum=0,
            source=lambda n: sum(1 for o in n.objections if not o.is_answered),
            example=0,
        ),
        Field(
            "record_url",
            "string",
            "The online record the notice publishes.",
            format="uri",
            source=lambda n: absolute_url(n.record_path),
            example="https://weiyi.example/c/xinglin/rounds/1/results",
        ),
        url_field(lambda n: path_for("publishing.notice", slug=n.community.slug, notice_id=n.id)),
        Field(
            "print_url",
            "string",
            "Printable A4 page with a QR code.",
            format="uri",
            source=lambda n: absolute_url(path_for("publishing.print_notice", slug=n.community.slug, notice_id=n.id)),
            example="https://weiyi.example/c/xinglin/notices/1/print",
        ),
        AUDIT_HEAD_FIELD,
    ],
    load=[selectinload(Notice.matter_links), selectinload(Notice.objections)],
)


# --- Councils: the agenda list, meetings, locked minutes, decisions ----------------------------------


def _url(path):
    return absolute_url(path) if path else None


AGENDA_ITEM = Resource(
    "AgendaItem",
    "An entry on the community's agenda list (议事清单).",
    [
        Field("position", "integer", "Place in the list.", minimum=0, example=1),
        Field("matter_id", "integer", minimum=1, example=7),
        Field("title", "string", source=lambda a: a.matter.title, example="3号楼单元门口加装扶手"),
        Field(
            "matter_status",
            "string",
            "Stage of the micro-matter now.",
            enum=PUBLIC_STATUSES,
            source=lambda a: a.matter.status,
            example="on_agenda",
        ),
        Field("estimated_cost", "integer", minimum=0, source=lambda a: a.matter.estimated_cost, example=8000),
        Field("added_at", "string", format="date-time", example="2026-10-01T02:00:00Z"),
        ids_field("meeting_ids", "Meetings that took it up.", lambda a: [mi.meeting_id for mi in a.meeting_items], [2]),
        url_field(lambda a: path_for("matters.detail", slug=a.matter.community.slug, matter_id=a.matter_id)),
    ],
    load=[joinedload(AgendaItem.matter), selectinload(AgendaItem.meeting_items)],
)

QUORUM = Resource(
    "Quorum",
    "Council members present, all members and the number needed.",
    [
        Field("present", "integer", minimum=0, example=7),
        Field("members", "integer", minimum=0, example=9),
        Field("needed", "integer", minimum=0, example=5),
    ],
)

MEETING_ITEM = Resource(
    "MeetingItem",
    "An item on a meeting's order of business.",
    [
        Field("position", "integer", minimum=0, example=1),
        Field(
            "matter_id",
            "integer",
            "Null for an amendment of the residents' convention.",
            nullable=True,
            minimum=1,
            source=lambda i: i.agenda_item.matter_id,
            example=7,
        ),
        Field("title", "string", source=lambda i: i.subject.title, example="3号楼单元门口加装扶手"),
        Field("status", "string", enum=tuple(ItemStatus), example="decided"),
        Field(
            "outcome",
            "string",
            "The decision a passed motion applied (approve, reject, refer_to_vote).",
            nullable=True,
            example="approve",
        ),
    ],
)


def locked_corrections(minutes):
    return db.session.scalars(
        select(Minutes).where(Minutes.corrects_id == minutes.id, Minutes.locked_at.is_not(None)).order_by(Minutes.id)
    ).all()


def _quorum_at_opening(meeting):
    if meeting.opened_present is None:
        return None
    return {
        "present": meeting.opened_present,
        "members": meeting.opened_members,
        "needed": meeting.opened_quorum_needed,
    }


def _prepare_meetings(meetings):
    """The locked original minutes of a page of meetings, in one statement."""
    g.api_locked_minutes = minutes_services.locked_originals(meetings)


def _locked_minutes(meeting):
    return g.api_locked_minutes.get(meeting.id)


def _minutes_path(community, meeting_id):
    return path_for("councils.minutes", slug=community.slug, meeting_id=meeting_id)


MEETING = Resource(
    "Meeting",
    "A council meeting. Members are not named.",
    [
        Field("id", "integer", minimum=1, example=2),
        Field("community", "string", source=lambda m: m.community.slug, example="xinglin"),
        Field("title", "string", example="2026年第三次居民议事会"),
        Field("starts_at", "string", format="date-time", example="2026-10-15T06:30:00Z"),
        Field("place", "string", example="社区活动中心二楼"),
        Field("status", "string", enum=tuple(MeetingStatus), example="closed"),
        Field("urgent", "boolean", "Scheduled inside the notice period, for a stated reason.", example=False),
        Field("urgent_reason", "string", example=""),
        Field(
            "ruleset_version",
            "integer",
            "Version of the consultation rules the meeting applies.",
            source=lambda m: m.ruleset.version,
            example=1,
        ),
        Field("opened_at", "string", format="date-time", nullable=True, example="2026-10-15T06:35:00Z"),
        Field("closed_at", "string", format="date-time", nullable=True, example="2026-10-15T08:10:00Z"),
        Field("quorum_at_opening", "object", resource=QUORUM, nullable=True, source=_quorum_at_opening),
        Field("items", "array", items=MEETING_ITEM, csv=False),
        Field(
            "minutes_locked",
            "boolean",
            "Whether approved, locked minutes are published.",
            source=lambda m: _locked_minutes(m) is not None,
            example=True,
        ),
        Field(
            "minutes_url",
            "string",
            format="uri",
            nullable=True,
            source=lambda m: _url(_minutes_path(m.community, m.id)) if _locked_minutes(m) else None,
            example="https://weiyi.example/c/xinglin/meetings/2/minutes",
        ),
        url_field(lambda m: path_for("councils.meeting", slug=m.community.slug, meeting_id=m.id)),
    ],
    prepare=_prepare_meetings,
    load=[
        joinedload(Meeting.ruleset),
        selectinload(Meeting.items).joinedload(MeetingItem.agenda_item).joinedload(AgendaItem.matter),
    ],
)

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
        url_field(lambda m: _minutes_path(m.meeting.community, m.meeting_id)),
        AUDIT_HEAD_FIELD,
    ],
)

COUNCIL_DECISION = Resource(
    "CouncilDecision",
    "The result of a vote on a council motion. Members are not named.",
    [
        Field("motion_id", "integer", minimum=1, example=3),
        Field("meeting_id", "integer", minimum=1, example=2),
        Field(
            "matter_id",
            "integer",
            "Null for an amendment of the residents' convention.",
            nullable=True,
            minimum=1,
            source=lambda r: r.vote.motion.item.agenda_item.matter_id,
            example=7,
        ),
        Field(
            "matter_title",
            "string",
            source=lambda r: r.vote.motion.item.subject.title,
            example="3号楼单元门口加装扶手",
        ),
        Field(
            "kind",
            "string",
            enum=tuple(MotionKind),
            source=lambda r: r.vote.motion.kind,
            example="approve",
        ),
        Field("budget", "integer", nullable=True, minimum=0, source=lambda r: r.vote.motion.budget, example=8000),
        *VOTE_RESULT_FIELDS,
        Field(
            "minutes_url",
            "string",
            "The meeting's minutes (public once locked).",
            format="uri",
            source=lambda r: _url(_minutes_path(r.vote.motion.item.meeting.community, r.meeting_id)),
            example="https://weiyi.example/c/xinglin/meetings/2/minutes",
        ),
    ],
    load=[
        joinedload(VoteResult.vote)
        .joinedload(MotionVote.motion)
        .joinedload(Motion.item)
        .options(
            joinedload(MeetingItem.agenda_item).joinedload(AgendaItem.matter),
            joinedload(MeetingItem.meeting),
        )
    ],
)


# --- Voting rounds, results and anonymised ballots ----------------------------------------------------


def _result_value(mapping_name):
    def read(option):
        result = option.round.result
        if result is None:
            return None
        mapping = getattr(result, mapping_name) or {}
        if mapping_name != "votes" and option.round.method != "yes_no":
            return None
        return mapping.get(str(option.number), 0)

    return read


ROUND_OPTION = Resource(
    "RoundOption",
    "A micro-matter on the ballot (or, in a round of another kind, what it puts to the residents).",
    [
        Field("number", "integer", "Its number on the ballot (used in the published ballots).", minimum=1, example=1),
        Field("matter_id", "integer", "Null in a round of another kind.", nullable=True, minimum=1, example=7),
        Field("title", "string", "As it stood on the ballot.", example="3号楼单元门口加装扶手"),
        Field("cost", "integer", minimum=0, example=8000),
        Field(
            "votes",
            "integer",
            "Approvals, or yes votes; null until the count.",
            nullable=True,
            minimum=0,
            source=_result_value("votes"),
            example=123,
        ),
        Field(
            "no_votes",
            "integer",
            "No votes (yes/no rounds); null otherwise or until the count.",
            nullable=True,
            minimum=0,
            source=_result_value("no_votes"),
            example=None,
        ),
        Field(
            "abstentions",
            "integer",
            "Abstentions (yes/no rounds); null otherwise or until the count.",
            nullable=True,
            minimum=0,
            source=_result_value("abstentions"),
            example=None,
        ),
        Field(
            "funded",
            "boolean",
            "Chosen by the count; null until the count.",
            nullable=True,
            source=lambda o: None if o.round.result is None else o.number in o.round.result.winners,
            example=True,
        ),
        Field(
            "reason",
            "string",
            "Why it was funded or not, in English, from the allocation rule's own run; null until the "
            "count, for yes/no rounds and for rounds counted before reasons were kept.",
            nullable=True,
            source=lambda o: _option_reason(o),
            example="Its 8 supporters' shares covered ¥12,000.",
        ),
    ],
)


def _option_reason(option):
    if option.round.result is None:
        return None
    with force_locale("en"):
        return voting_results.reasons(option.round).get(option.number)


ROUND_RESULT = Resource(
    "RoundResult",
    "The count, stored once, with the rules version it applied.",
    [
        Field("counted_at", "string", format="date-time", example="2026-11-10T12:00:00Z"),
        Field("electorate", "integer", "Eligible voters (people, or households).", minimum=0, example=310),
        Field("ballots_counted", "integer", minimum=0, example=187),
        Field("online_ballots", "integer", minimum=0, example=170),
        Field("paper_ballots", "integer", minimum=0, example=17),
        Field("turnout_percent", "number", minimum=0, example=60.3),
        Field("winners", "array", "Option numbers, in the order they were funded.", items="integer", example=[2, 1]),
        Field("total_cost", "integer", minimum=0, example=180000),
        Field("ruleset_version", "integer", minimum=1, example=1),
        Field(
            "published_sha256",
            "string",
            "SHA-256 of the published pabulib file (.pb) of the ballots, or of the "
            "ballots CSV for a round without one (yes/no rounds, rounds that are not valid).",
            example="9f2c…",
        ),
        Field(
            "valid", "boolean", "False when the turnout was below the minimum: the round decided nothing.", example=True
        ),
        Field(
            "validity", "string", 'In words, e.g. "not valid: turnout 3.9 % below the required 10 %".', example="valid"
        ),
        Field(
            "min_turnout_percent",
            "integer",
            "The minimum turnout the rules required (every method).",
            minimum=0,
            maximum=100,
            example=10,
        ),
        Field(
            "rule",
            "string",
            "The rule applied: pabulib's label (greedy, equalshares/add1), or majority for yes/no rounds.",
            example="equalshares/add1",
        ),
        Field(
            "majority_rule", "string", "Yes/no rounds: the residents' majority applied.", nullable=True, example=None
        ),
        Field(
            "majority_base",
            "string",
            "Yes/no rounds: what the majority was counted against.",
            nullable=True,
            example=None,
        ),
    ],
)

ROUND = Resource(
    "Round",
    "A residents' voting round on micro-matters and the budget.",
    [
        Field("id", "integer", minimum=1, example=1),
        Field("community", "string", source=lambda r: r.community.slug, example="xinglin"),
        Field("title", "string", example="2026年度微实事居民投票"),
        Field("description", "string", example=""),
        Field("method", "string", enum=tuple(Method), example="knapsack"),
        Field(
            "option_kind", "string", "What the options are: matter, or amendment (to the convention).", example="matter"
        ),
        Field(
            "allocation",
            "string",
            "How winners are chosen (approval and budget ballots).",
            enum=tuple(Allocation),
            example="greedy",
        ),
        Field(
            "max_choices",
            "integer",
            "Approval rounds: at most this many projects per ballot.",
            nullable=True,
            minimum=1,
            example=None,
        ),
        Field("budget", "integer", minimum=0, example=300000),
        Field("opens_at", "string", format="date-time", example="2026-11-01T00:00:00Z"),
        Field("closes_at", "string", format="date-time", example="2026-11-10T10:00:00Z"),
        Field("per_household", "boolean", "One ballot per household.", example=False),
        Field(
            "allow_changes", "boolean", "A ballot may be changed before the close (the last one counts).", example=True
        ),
        Field(
            "state",
            "string",
            enum=tuple(RoundState),
            source=lambda r: r.state(),
            example="counted",
        ),
        Field("ruleset_version", "integer", minimum=1, source=lambda r: r.ruleset.version, example=1),
        Field("options", "array", items=ROUND_OPTION, csv=False),
        Field("result", "object", resource=ROUND_RESULT, nullable=True, source=lambda r: _round_result(r)),
        url_field(lambda r: path_for("voting.ballot", slug=r.community.slug, round_id=r.id)),
        Field(
            "results_url",
            "string",
            format="uri",
            nullable=True,
            source=lambda r: (
                _url(path_for("voting.results", slug=r.community.slug, round_id=r.id)) if r.result else None
            ),
            example="https://weiyi.example/c/xinglin/rounds/1/results",
        ),
        AUDIT_HEAD_FIELD,
    ],
    load=[
        joinedload(VotingRound.ruleset),
        joinedload(VotingRound.result),
        selectinload(VotingRound.options).joinedload(RoundOption.round),
    ],
)


def _round_result(voting_round):
    result = voting_round.result
    if result is None:
        return None
    return {
        "counted_at": result.counted_at,
        "electorate": result.electorate,
        "ballots_counted": result.ballots_counted,
        "online_ballots": result.online_ballots,
        "paper_ballots": result.paper_ballots,
        "turnout_percent": result.turnout_percent,
        "winners": list(result.winners),
        "total_cost": result.total_cost,
        "ruleset_version": result.ruleset_version,
        "published_sha256": result.published_sha256,
        "valid": result.valid,
        "validity": validity(result),
        "min_turnout_percent": result.min_turnout_percent,
        "rule": result.rule,
        "majority_rule": result.majority_rule,
        "majority_base": result.majority_base,
    }


def validity(result):
    """The result's validity as the API states it (English, like the rest of the data)."""
    if result.valid:
        return "valid"
    return f"not valid: turnout {result.turnout_percent} % below the required {result.min_turnout_percent} %"


def ballot_cells(method, choices):
    """(canonical text, options selected) of a stored ballot, read once: the published files' form
    ("1,3" or "1:yes,2:no", as app.voting.tally.canonical writes it) and the approved / yes options."""
    normal = tally.normalise(method, choices)
    if method == "yes_no":
        return ",".join(f"{n}:{a}" for n, a in normal), [n for n, a in normal if a == "yes"]
    return ",".join(map(str, normal)), list(normal)


BALLOT = Resource(
    "Ballot",
    "One counted ballot from the box: its random id and its choices, nothing about who cast it.",
    [
        Field(
            "id",
            "integer",
            "A random number given to the ballot in the box (the list is sorted by it); "
            "it is not the voter's receipt code.",
            minimum=1,
            example=4503599627370497,
        ),
        Field(
            "choices",
            "string",
            'As in the published files: "1,3" (option numbers) or "1:yes,2:no".',
            source=lambda b: ballot_cells(b.round.method, b.choices)[0],
            example="1,3",
        ),
        ids_field(
            "selected", "Options approved (or voted yes).", lambda b: ballot_cells(b.round.method, b.choices)[1], [1, 3]
        ),
    ],
)


# --- Implementation records, milestones, spending and ratings -----------------------------------------

MILESTONE = Resource(
    "Milestone",
    "A planned step of the work.",
    [
        Field("id", "integer", minimum=1, example=5),
        Field("title", "string", example="材料进场"),
        Field("planned_date", "string", format="date", example="2026-11-20"),
        Field("done_on", "string", format="date", nullable=True, example=None),
        Field("note", "string", example=""),
        Field(
            "rectification",
            "boolean",
            "Part of a rectification (整改).",
            source=lambda m: m.rectification_id is not None,
            example=False,
        ),
    ],
)

SPENDING = Resource(
    "Spending",
    "Money spent on the work.",
    [
        Field("amount", "integer", minimum=1, example=3000),
        Field("spent_on", "string", format="date", example="2026-11-12"),
        Field("purpose", "string", example="扶手材料"),
        Field(
            "over_budget_reason",
            "string",
            "Published when this entry took the total over the budget.",
            nullable=True,
            example=None,
        ),
    ],
)

SATISFACTION = Resource(
    "Satisfaction",
    "The residents' verdict in the latest rating round.",
    [
        Field(
            "window",
            "integer",
            "Number of the rating round (1, then 2 after a rectification, ...).",
            nullable=True,
            minimum=1,
            example=1,
        ),
        Field("ratings", "integer", minimum=0, example=41),
        Field("satisfied", "integer", "Ratings of 4 or 5 stars.", minimum=0, example=35),
        Field("satisfaction_percent", "number", nullable=True, minimum=0, maximum=100, example=85.4),
        Field("average_stars", "number", nullable=True, minimum=1, maximum=5, example=4.3),
    ],
)


def _satisfaction(record):
    window = record.current_window
    summary = satisfaction(e.stars for e in window.evaluations) if window else satisfaction([])
    return {
        "window": window.number if window else None,
        "ratings": summary.count,
        "satisfied": summary.satisfied,
        "satisfaction_percent": summary.rate,
        "average_stars": summary.average,
    }


def _overdue(record):
    return is_overdue(record)


IMPLEMENTATION = Resource(
    "Implementation",
    "The implementation record of an approved micro-matter: from the "
    "decision to delivery and the residents' verdict (协商成果落实反馈).",
    [
        Field("id", "integer", minimum=1, example=1),
        Field("matter_id", "integer", minimum=1, example=7),
        Field("title", "string", source=lambda r: r.matter.title, example="3号楼单元门口加装扶手"),
        Field(
            "state",
            "string",
            enum=tuple(RecordState),
            example="in_progress",
        ),
        Field("decided_by", "string", enum=tuple(DecidedBy), example="meeting"),
        Field("meeting_id", "integer", nullable=True, minimum=1, example=2),
        Field("motion_id", "integer", nullable=True, minimum=1, example=3),
        Field("round_id", "integer", nullable=True, minimum=1, example=None),
        Field("approved_budget", "integer", minimum=0, example=8000),
        Field("spent", "integer", minimum=0, example=3000),
        Field("progress_percent", "integer", minimum=0, maximum=100, example=40),
        Field("responsible_unit", "string", example="杏林物业工程部"),
        Field("planned_start", "string", format="date", nullable=True, example="2026-11-01"),
        Field("planned_end", "string", format="date", nullable=True, example="2026-12-15"),
        Field("accepted_on", "string", "Acceptance (验收).", format="date", nullable=True, example=None),
        Field("pause_reason", "string", nullable=True, example=None),
        Field(
            "overdue", "boolean", "A milestone is past its planned date and not done.", source=_overdue, example=False
        ),
        Field("milestones", "array", items=MILESTONE, csv=False),
        Field("spending", "array", items=SPENDING, csv=False),
        Field("satisfaction", "object", resource=SATISFACTION, source=_satisfaction),
        url_field(record_url),
    ],
    load=[
        joinedload(ImplementationRecord.matter),
        selectinload(ImplementationRecord.milestones),
        selectinload(ImplementationRecord.spending),
        selectinload(ImplementationRecord.windows).selectinload(EvaluationWindow.evaluations),
    ],
)

RATING = Resource(
    "Rating",
    "A resident's rating of a completed project: stars and comment, and whether it was entered on "
    "the resident's behalf (代录), never by whom.",
    [
        Field("record_id", "integer", minimum=1, example=1),
        Field("matter_id", "integer", minimum=1, source=lambda e: e.window.record.matter_id, example=7),
        Field("window", "integer", "Rating round.", minimum=1, source=lambda e: e.window.number, example=1),
        Field("stars", "integer", minimum=1, maximum=5, example=5),
        Field("comment", "string", example="扶手很结实，老人进出方便多了。"),
        *on_behalf_fields("rating"),
    ],
    load=[joinedload(Evaluation.window).joinedload(EvaluationWindow.record)],
)
