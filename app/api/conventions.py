"""The residents' convention in the open data: the versions with their articles (the last is in
force), and the amendments with their path. No personal data: proposers and supporters are
not named."""

from sqlalchemy.orm import joinedload, selectinload

from app.conventions.models import Amendment, AmendmentKind, AmendmentStatus, Convention, ConventionVersion
from app.core.i18n import N_
from app.core.urls import path_for

from .registry import SLUG, collection
from .routes import in_community
from .schema import Field, Resource, ids_field, url_field

ARTICLE = Resource(
    "ConventionArticle",
    "One numbered article.",
    [
        Field("number", "integer", minimum=1, example=8),
        Field("text", "string", example="晚十点至早六点不在室内外制造噪声。"),
    ],
)

CONVENTION_VERSION = Resource(
    "ConventionVersion",
    "A version of the residents' convention (居民公约 / 村规民约); the highest number is in force.",
    [
        Field("number", "integer", minimum=1, example=2),
        Field("title", "string", source=lambda v: v.convention.title, example="居民公约"),
        Field("adopted_on", "string", format="date", example="2026-11-27"),
        Field("in_force", "boolean", source=lambda v: v.id == v.convention.current.id, example=True),
        ids_field("amendment_ids", "The amendments that made it.", lambda v: [a.id for a in v.amendments], [1]),
        Field(
            "assembly",
            "object",
            "The residents' assembly that approved it (null for version 1).",
            nullable=True,
            schema={"type": "object"},
            source=lambda v: _assembly(v.assembly),
            example={"held_on": "2026-11-27", "present": 186, "yes": 161, "no": 14, "abstain": 11, "needed": 88},
        ),
        Field("articles", "array", items=ARTICLE, csv=False),
        url_field(lambda v: path_for("conventions.version", slug=v.convention.community.slug, number=v.number)),
    ],
    load=[
        joinedload(ConventionVersion.convention).selectinload(Convention.versions),
        joinedload(ConventionVersion.assembly),
        selectinload(ConventionVersion.articles),
        selectinload(ConventionVersion.amendments),
    ],
)

AMENDMENT = Resource(
    "ConventionAmendment",
    "A proposed amendment and where it stands. The proposer is not named.",
    [
        Field("id", "integer", minimum=1, example=1),
        Field("version", "integer", "The version it amends.", source=lambda a: a.version.number, example=1),
        Field("article_number", "integer", "Insert: the article it follows (0: first).", minimum=0, example=8),
        Field("kind", "string", enum=tuple(AmendmentKind), example="change"),
        Field("text", "string", example="每日晚十点至次日早七点不在室内外制造噪声。"),
        Field("reasons", "string", example="不少居民午间需要休息。"),
        Field("status", "string", enum=tuple(AmendmentStatus), example="incorporated"),
        Field("support_count", "integer", minimum=0, example=20),
        Field("motion_id", "integer", "The council's deciding motion.", nullable=True, minimum=1, example=5),
        Field(
            "incorporated_in",
            "integer",
            "The version it made.",
            nullable=True,
            source=lambda a: a.incorporated_in.number if a.incorporated_in else None,
            example=2,
        ),
        url_field(lambda a: path_for("conventions.amendment", slug=a.convention.community.slug, amendment_id=a.id)),
    ],
    load=[
        joinedload(Amendment.version),
        joinedload(Amendment.incorporated_in),
        joinedload(Amendment.convention).joinedload(Convention.community),
    ],
)


def _assembly(assembly):
    if assembly is None:
        return None
    fields = ("place", "present", "yes", "no", "abstain", "needed", "approved", "ruleset_version")
    return {"held_on": assembly.held_on.isoformat(), **{name: getattr(assembly, name) for name in fields}}


def _of_community(model, slug):
    """Rows of the community's convention (none while it is not written down)."""
    return in_community(model, slug, via=(Convention, model.convention_id))


@collection(
    "/communities/{slug}/convention/versions",
    CONVENTION_VERSION,
    tag="conventions",
    params=[SLUG],
    summary=N_("The residents' convention, every version with its articles; the last one is in force."),
)
def convention_versions(slug):
    return _of_community(ConventionVersion, slug).order_by(ConventionVersion.number)


@collection(
    "/communities/{slug}/convention/amendments",
    AMENDMENT,
    tag="conventions",
    params=[SLUG],
    summary=N_("Amendments to the residents' convention, oldest first."),
)
def convention_amendments(slug):
    return _of_community(Amendment, slug).order_by(Amendment.id)
