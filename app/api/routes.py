"""Every operation of the API. A collection is a function returning a Select; the registry
paginates it, streams its CSV twin and documents both."""

from flask import jsonify, render_template, url_for
from flask_babel import gettext as _
from sqlalchemy import select

from app.communities.models import Community
from app.core.errors import refuse
from app.core.i18n import N_
from app.core.urls import absolute_url
from app.councils import minutes as minutes_services
from app.councils.models import AgendaItem, Meeting, MeetingStatus, VoteResult
from app.extensions import db
from app.matters.lifecycle import OUT_OF_TOTALS
from app.matters.models import Category, MicroMatter
from app.publishing.models import Notice, NoticeKind
from app.tracker.models import Evaluation, ImplementationRecord, RecordState
from app.voting.counting import counted_ballots_query
from app.voting.models import RoundBallot, VotingRound

from . import bp, openapi
from .registry import MAX_ID, OPERATIONS, SLUG, Param, collection, id_param, item
from .resources import (
    AGENDA_ITEM,
    AUDIT_HEAD_FIELD,
    BALLOT,
    COMMUNITY,
    COUNCIL_DECISION,
    IMPLEMENTATION,
    MATTER,
    MEETING,
    MINUTES,
    NOTICE,
    PUBLIC_STATUSES,
    RATING,
    ROUND,
    ballot_cells,
)
from .schema import Field, Resource

INDEX = Resource(
    "Index",
    "Where to start.",
    [
        Field(
            "communities",
            "string",
            "The list of communities.",
            format="uri",
            example="https://weiyi.example/api/v1/communities",
        ),
        Field(
            "openapi",
            "string",
            "This API's OpenAPI 3.1 document.",
            format="uri",
            example="https://weiyi.example/api/v1/openapi.json",
        ),
        Field("docs", "string", "Documentation for people.", format="uri", example="https://weiyi.example/api/v1/docs"),
        AUDIT_HEAD_FIELD,
    ],
)


def community_or_404(slug):
    community = db.session.scalar(select(Community).where(Community.slug == slug))
    if community is None:
        refuse(404, _("There is no community at this address."))
    return community


def where_given(query, model, **filters):
    """`query` narrowed to the rows whose columns equal the filters given (None or "": not given)."""
    for column, value in filters.items():
        if value is not None and value != "":
            query = query.where(getattr(model, column) == value)
    return query


def in_community(model, slug, via=None, **filters):
    """A select of the rows of `model` in the community at `slug` (404 when there is none), narrowed
    by `filters` as `where_given` does. `via`: (parent model, `model`'s key to it) for rows that
    belong to the community through a parent, e.g. (Meeting, VoteResult.meeting_id)."""
    community_id = community_or_404(slug).id
    if via is None:
        query = select(model).where(model.community_id == community_id)
    else:
        parent, key = via
        query = select(model).join(parent, parent.id == key).where(parent.community_id == community_id)
    return where_given(query, model, **filters)


def one_in(model, slug, row_id):
    """The row of `model` with this id in the community at `slug`, or None."""
    return db.session.scalar(in_community(model, slug).where(model.id == row_id))


@item("/", INDEX, summary=N_("Links to the lists, the OpenAPI document and the documentation."), tag="index")
def index():
    return {
        "communities": absolute_url(url_for("api.communities")),
        "openapi": absolute_url(url_for("api.openapi_document")),
        "docs": absolute_url(url_for("api.docs")),
    }


# --- Communities ---------------------------------------------------------------------------------


@collection("/communities", COMMUNITY, summary=N_("Communities, with their headline figures."), tag="communities")
def communities():
    return select(Community).order_by(Community.id)


@item(
    "/communities/{slug}",
    COMMUNITY,
    summary=N_("One community, with its headline figures."),
    tag="communities",
    params=[SLUG],
)
def community(slug):
    return community_or_404(slug)


# --- Micro-matters --------------------------------------------------------------------------------

STATUS_FILTER = Param("status", description="Only micro-matters at this stage.", enum=PUBLIC_STATUSES)
CATEGORY_FILTER = Param(
    "category", description="Only micro-matters of this category.", enum=tuple(c.value for c in Category)
)


def public_matters(community):
    return select(MicroMatter).where(MicroMatter.community_id == community.id, MicroMatter.status.not_in(OUT_OF_TOTALS))


@collection(
    "/communities/{slug}/matters",
    MATTER,
    tag="matters",
    summary=N_("Micro-matters of a community (drafts are private), oldest first."),
    params=[SLUG, STATUS_FILTER, CATEGORY_FILTER],
)
def matters(slug, status, category):
    query = public_matters(community_or_404(slug))
    return where_given(query, MicroMatter, status=status, category=category).order_by(MicroMatter.id)


@item(
    "/communities/{slug}/matters/{matter_id}",
    MATTER,
    summary=N_("One micro-matter."),
    tag="matters",
    params=[SLUG, id_param("matter_id", "Number of the micro-matter.")],
)
def matter(slug, matter_id):
    return db.session.scalar(public_matters(community_or_404(slug)).where(MicroMatter.id == matter_id))


# --- Notices ---------------------------------------------------------------------------------------

KIND_FILTER = Param("kind", description="Only notices of this kind.", enum=tuple(k.value for k in NoticeKind))


@collection(
    "/communities/{slug}/notices",
    NOTICE,
    tag="notices",
    summary=N_("Notices (公示) with their objection periods, objections and answers, newest first."),
    params=[SLUG, KIND_FILTER],
)
def notices(slug, kind):
    return in_community(Notice, slug, kind=kind).order_by(Notice.id.desc())


@item(
    "/communities/{slug}/notices/{notice_id}",
    NOTICE,
    summary=N_("One notice."),
    tag="notices",
    params=[SLUG, id_param("notice_id", "Number of the notice.")],
)
def notice(slug, notice_id):
    return one_in(Notice, slug, notice_id)


# --- Councils: agenda list, meetings, locked minutes, decisions -------------------------------------


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


@collection(
    "/communities/{slug}/meetings",
    MEETING,
    tag="councils",
    params=[SLUG, MEETING_STATUS_FILTER],
    summary=N_("Council meetings, newest first, with their items and whether locked minutes exist."),
)
def meetings(slug, status):
    return in_community(Meeting, slug, status=status).order_by(Meeting.starts_at.desc(), Meeting.id.desc())


MEETING_ID = id_param("meeting_id", "Number of the meeting.")


@item(
    "/communities/{slug}/meetings/{meeting_id}",
    MEETING,
    summary=N_("One council meeting."),
    tag="councils",
    params=[SLUG, MEETING_ID],
)
def meeting(slug, meeting_id):
    return one_in(Meeting, slug, meeting_id)


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


# --- Voting rounds, results, anonymised ballots ------------------------------------------------------

ROUND_ID = id_param("round_id", "Number of the voting round.")


@collection(
    "/communities/{slug}/rounds",
    ROUND,
    tag="voting",
    params=[SLUG],
    summary=N_("Residents' voting rounds, newest first, with options and (once counted) results."),
)
def rounds(slug):
    return in_community(VotingRound, slug).order_by(VotingRound.id.desc())


@item(
    "/communities/{slug}/rounds/{round_id}",
    ROUND,
    summary=N_("One voting round and its results."),
    tag="voting",
    params=[SLUG, ROUND_ID],
)
def voting_round(slug, round_id):
    return one_in(VotingRound, slug, round_id)


def ballot_rows(statement):
    """Ballot id and choices straight from the rows (no ORM objects): flat memory for a million."""
    methods = {}
    rows = db.session.execute(
        statement.with_only_columns(RoundBallot.round_id, RoundBallot.id, RoundBallot.choices).execution_options(
            yield_per=2000
        )
    )
    for round_id, ballot_id, choices in rows:
        method = methods.get(round_id) or methods.setdefault(
            round_id, db.session.scalar(select(VotingRound.method).where(VotingRound.id == round_id))
        )
        text, selected = ballot_cells(method, choices)
        yield [ballot_id, text, ";".join(map(str, selected))]  # BALLOT.csv_columns() order


@collection(
    "/communities/{slug}/rounds/{round_id}/ballots",
    BALLOT,
    tag="voting",
    params=[SLUG, ROUND_ID],
    csv_rows=ballot_rows,
    summary=N_(
        "The counted ballots of a round from the ballot box (random id and choices, no voter), "
        "sorted by id; published once the round is counted."
    ),
)
def ballots(slug, round_id):
    found = one_in(VotingRound, slug, round_id)
    if found is None:
        refuse(404, _("Not found."))
    if found.result is None:
        refuse(404, _("The ballots are published once the round has been counted."))
    return counted_ballots_query(found)


# --- Implementation records, ratings ------------------------------------------------------------------

STATE_FILTER = Param(
    "state",
    description="Only records in this state.",
    enum=tuple(RecordState),
)


@collection(
    "/communities/{slug}/implementations",
    IMPLEMENTATION,
    tag="tracker",
    params=[SLUG, STATE_FILTER],
    summary=N_(
        "Implementation records of approved micro-matters: milestones, spending, progress and "
        "the residents' satisfaction."
    ),
)
def implementations(slug, state):
    return in_community(ImplementationRecord, slug, state=state).order_by(ImplementationRecord.id)


@item(
    "/communities/{slug}/implementations/{record_id}",
    IMPLEMENTATION,
    tag="tracker",
    summary=N_("One implementation record."),
    params=[SLUG, id_param("record_id", "Number of the implementation record.")],
)
def implementation(slug, record_id):
    return one_in(ImplementationRecord, slug, record_id)


RECORD_FILTER = Param(
    "record_id", type="integer", description="Only ratings of this implementation record.", minimum=1, maximum=MAX_ID
)


@collection(
    "/communities/{slug}/ratings",
    RATING,
    tag="tracker",
    params=[SLUG, RECORD_FILTER],
    summary=N_("Residents' ratings of completed projects: stars and comments, without names."),
)
def ratings(slug, record_id):
    via = (ImplementationRecord, Evaluation.record_id)
    return in_community(Evaluation, slug, via=via, record_id=record_id).order_by(Evaluation.id)


# --- The document and its page -------------------------------------------------------------------------


@bp.get("/openapi.json")
def openapi_document():
    response = jsonify(openapi.build_document())
    response.headers["Access-Control-Allow-Origin"] = "*"
    return response


TAGS = {
    "index": N_("Start"),
    "communities": N_("Communities"),
    "matters": N_("Micro-matters"),
    "notices": N_("Notices"),
    "councils": N_("Council: agenda list, meetings, minutes, decisions"),
    "voting": N_("Resident votes: rounds, results, ballots"),
    "tracker": N_("Implementation and satisfaction"),
    "fund": N_("The micro-matters fund: sources, commitments, payments"),
    "partners": N_("Partners and volunteers: delivery tasks and volunteer hours (五社联动)"),
    "conventions": N_("The residents' convention: versions, articles, amendments"),
}


@bp.get("/docs")
def docs():
    """The overview: how the API works and every endpoint, grouped (details on one page per group)."""
    return render_template("api/docs.html", operations=OPERATIONS, tags=TAGS)


@bp.get("/docs/<tag>")
def docs_group(tag):
    """One group's endpoints with their parameters and example responses (keeps each page small)."""
    if tag not in TAGS:
        refuse(404, _("Not found."))
    operations = [op for op in OPERATIONS if op.tag == tag]
    return render_template(
        "api/docs_group.html", operations=operations, tag=tag, tags=TAGS, example_response=openapi.example_response
    )


@bp.after_request
def open_to_everyone(response):
    """Open data: readable from any web page (GET only, no cookies needed), the Audit-Head header too."""
    response.headers.setdefault("Access-Control-Allow-Origin", "*")
    response.headers["Access-Control-Expose-Headers"] = "Audit-Head"
    return response
