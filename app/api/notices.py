"""Notices (公示) in the open data: the facts each published, its objection period, the objections
and the committee's answers. Who lodged an objection is not published."""

from sqlalchemy.orm import selectinload

from app.core.i18n import N_
from app.core.urls import absolute_url, path_for
from app.publishing import permissions as publishing_permissions
from app.publishing import sources
from app.publishing.models import Notice, NoticeKind, NoticePeriod

from .registry import AUDIT_HEAD_FIELD, SLUG, One, Param, collection, id_param
from .routes import in_community
from .schema import Field, Resource, community_field, ids_field, url_field

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
        community_field(),
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


KIND_FILTER = Param("kind", description="Only notices of this kind.", enum=tuple(k.value for k in NoticeKind))


@collection(
    "/communities/{slug}/notices",
    NOTICE,
    tag="notices",
    summary=N_("Notices (公示) with their objection periods, objections and answers, newest first."),
    params=[SLUG, KIND_FILTER],
    one=One("notice", id_param("notice_id", "Number of the notice."), N_("One notice.")),
)
def notices(slug, kind):
    return in_community(Notice, slug, kind=kind).order_by(Notice.id.desc())
