"""Communities in the open data: who uses Weiyi, with each community's headline figures (the
figures the front and community pages show; nothing about any resident)."""

from flask import g
from sqlalchemy import select

from app.communities.models import Community, CommunityKind
from app.core.i18n import N_
from app.core.urls import path_for
from app.fund import services as fund_services
from app.publishing import public_figures

from .registry import SLUG, collection, item
from .routes import community_or_404
from .schema import Field, Resource, url_field

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
    g.api_figures = public_figures.headline_figures(communities)


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
