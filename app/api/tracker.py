"""Implementation records in the open data (协商成果落实反馈): from the decision to delivery, with
milestones, spending and the residents' verdict, and the residents' ratings. A rating entered on a
resident's behalf (代录) says so, never by whom; no rating names its resident."""

from sqlalchemy.orm import joinedload, selectinload

from app.core.i18n import N_
from app.tracker.models import DecidedBy, Evaluation, EvaluationWindow, ImplementationRecord, RecordState
from app.tracker.records import is_overdue, record_url
from app.tracker.rules import satisfaction

from .registry import SLUG, One, Param, collection, id_filter, id_param
from .routes import in_community
from .schema import Field, Resource, on_behalf_fields, url_field

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
            "overdue", "boolean", "A milestone is past its planned date and not done.", source=is_overdue, example=False
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
    one=One(
        "implementation",
        id_param("record_id", "Number of the implementation record."),
        N_("One implementation record."),
    ),
)
def implementations(slug, state):
    return in_community(ImplementationRecord, slug, state=state).order_by(ImplementationRecord.id)


RECORD_FILTER = id_filter("record_id", "Only ratings of this implementation record.")


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
