"""Micro-matters in the open data: every public one with its dated clarifications. The proposer is
not named; drafts are private."""

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from app.core.i18n import N_
from app.core.urls import path_for
from app.matters.lifecycle import OUT_OF_TOTALS, Status
from app.matters.models import Category, Clarification, MicroMatter, ProjectType

from .registry import SLUG, One, Param, collection, id_param
from .routes import community_or_404, where_given
from .schema import Field, Resource, community_field, on_behalf_fields, url_field

PUBLIC_STATUSES = tuple(s.value for s in Status if s not in OUT_OF_TOTALS)

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
        community_field("Slug of the community."),
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
    one=One("matter", id_param("matter_id", "Number of the micro-matter."), N_("One micro-matter.")),
)
def matters(slug, status, category):
    query = public_matters(community_or_404(slug))
    return where_given(query, MicroMatter, status=status, category=category).order_by(MicroMatter.id)
