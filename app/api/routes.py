"""The API's index, its OpenAPI document and documentation pages, and the queries every family's
operations share: a community by its slug, the rows in it, one row by id. The operations
themselves are declared with their resources, one module per family (communities.py, matters.py,
notices.py, councils.py, voting.py, tracker.py, ...); a collection is a function returning a
Select, which the registry paginates, streams as CSV and documents."""

from flask import jsonify, render_template, url_for
from flask_babel import gettext as _
from sqlalchemy import select

from app.communities.models import Community
from app.core.errors import refuse
from app.core.i18n import N_
from app.core.urls import absolute_url
from app.extensions import db

from . import bp, openapi
from .registry import AUDIT_HEAD_FIELD, OPERATIONS, item
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
