"""The councils in the open data: the agenda list (议事清单), meetings with their order of business,
their locked minutes (the resources are in minutes.py) and the results of their votes on motions.
Council members, movers and seconders are not named."""

from flask import g
from flask_babel import gettext as _
from sqlalchemy.orm import joinedload, selectinload

from app.core.errors import refuse
from app.core.i18n import N_
from app.core.urls import absolute_url, path_for
from app.councils import minutes as minutes_services
from app.councils.models import (
    AgendaItem,
    ItemStatus,
    Meeting,
    MeetingItem,
    MeetingStatus,
    Motion,
    MotionKind,
    MotionVote,
    VoteResult,
)

from .matters import PUBLIC_STATUSES
from .minutes import MINUTES, QUORUM, VOTE_RESULT_FIELDS, minutes_path
from .registry import SLUG, One, Param, collection, id_param, item
from .routes import in_community, one_in
from .schema import Field, Resource, community_field, ids_field, url_field

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


def _matter_id_field(item_of):
    """The micro-matter the meeting item `item_of(obj)` takes up."""
    return Field(
        "matter_id",
        "integer",
        "Null for an amendment of the residents' convention.",
        nullable=True,
        minimum=1,
        source=lambda obj: item_of(obj).agenda_item.matter_id,
        example=7,
    )


MEETING_ITEM = Resource(
    "MeetingItem",
    "An item on a meeting's order of business.",
    [
        Field("position", "integer", minimum=0, example=1),
        _matter_id_field(lambda i: i),
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


MEETING = Resource(
    "Meeting",
    "A council meeting. Members are not named.",
    [
        Field("id", "integer", minimum=1, example=2),
        community_field(),
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
            source=lambda m: absolute_url(minutes_path(m.community, m.id)) if _locked_minutes(m) else None,
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


COUNCIL_DECISION = Resource(
    "CouncilDecision",
    "The result of a vote on a council motion. Members are not named.",
    [
        Field("motion_id", "integer", minimum=1, example=3),
        Field("meeting_id", "integer", minimum=1, example=2),
        _matter_id_field(lambda r: r.vote.motion.item),
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
            source=lambda r: absolute_url(minutes_path(r.vote.motion.item.meeting.community, r.meeting_id)),
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


@collection(
    "/communities/{slug}/agenda",
    AGENDA_ITEM,
    tag="councils",
    params=[SLUG],
    summary=N_("The agenda list (议事清单): micro-matters admitted for deliberation, in list order."),
)
def agenda(slug):
    # Micro-matters only: the convention's amendments are in the conventions' own operations.
    return (
        in_community(AgendaItem, slug)
        .where(AgendaItem.matter_id.is_not(None))
        .order_by(AgendaItem.position, AgendaItem.id)
    )


MEETING_STATUS_FILTER = Param("status", description="Only meetings in this state.", enum=tuple(MeetingStatus))
MEETING_ID = id_param("meeting_id", "Number of the meeting.")


@collection(
    "/communities/{slug}/meetings",
    MEETING,
    tag="councils",
    params=[SLUG, MEETING_STATUS_FILTER],
    summary=N_("Council meetings, newest first, with their items and whether locked minutes exist."),
    one=One("meeting", MEETING_ID, N_("One council meeting.")),
)
def meetings(slug, status):
    return in_community(Meeting, slug, status=status).order_by(Meeting.starts_at.desc(), Meeting.id.desc())


@item(
    "/communities/{slug}/meetings/{meeting_id}/minutes",
    MINUTES,
    tag="councils",
    params=[SLUG, MEETING_ID],
    summary=N_("The meeting's approved, locked minutes (404 until they are locked)."),
)
def minutes(slug, meeting_id):
    found = one_in(Meeting, slug, meeting_id)
    minutes_ = minutes_services.locked_original(found) if found else None
    if found is not None and minutes_ is None:
        refuse(404, _("The minutes of this meeting have not been approved and locked yet."))
    return minutes_


@collection(
    "/communities/{slug}/decisions",
    COUNCIL_DECISION,
    tag="councils",
    params=[SLUG],
    summary=N_("Results of the council's votes on motions, with the rules applied, newest first."),
)
def decisions(slug):
    return in_community(VoteResult, slug, via=(Meeting, VoteResult.meeting_id)).order_by(
        VoteResult.decided_at.desc(), VoteResult.id.desc()
    )
