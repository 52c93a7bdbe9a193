"""五社联动 open data: partners' public profiles and the delivery tasks of decided matters (with
their CSV twins). No personal data: a partner's contact stays with the committee, volunteers are
counted, never named."""

from flask import g
from sqlalchemy.orm import joinedload, selectinload

from app.core.i18n import N_
from app.core.urls import path_for
from app.partners import who_delivered
from app.partners.models import DeliveryTask, Partner, PartnerKind
from app.tracker.models import ImplementationRecord

from .registry import SLUG, Param, collection, id_filter
from .routes import in_community
from .schema import Field, Resource, community_field, url_field

PARTNER = Resource(
    "Partner",
    "A partner delivering micro-matters with the community (五社联动). Its contact is not published.",
    [
        Field("id", "integer", minimum=1, example=1),
        community_field(),
        Field("kind", "string", enum=tuple(PartnerKind), example="social_organisation"),
        Field("name", "string", example="姑苏区阳光社工服务社"),
        Field("description", "string", "What they do.", example="为老服务、邻里互助"),
        url_field(lambda p: path_for("partners.partner", slug=p.community.slug, partner_id=p.id)),
    ],
)


def _prepare_tasks(tasks):
    g.api_delivered = who_delivered.delivered_per_task(tasks)


def _delivered(task):
    return g.api_delivered[task.id]


TASK = Resource(
    "DeliveryTask",
    "A delivery task of a decided micro-matter: who signed up and the volunteer hours confirmed. "
    "Volunteers are counted, never named.",
    [
        Field("id", "integer", minimum=1, example=1),
        Field("matter_id", "integer", minimum=1, source=lambda t: t.record.matter_id, example=7),
        Field("record_id", "integer", "The implementation record.", minimum=1, example=3),
        Field("title", "string", example="搬运座椅"),
        Field("task_date", "string", format="date", example="2026-11-08"),
        Field("hours", "number", "The task's length.", source=lambda t: t.length_minutes / 60, example=2.5),
        Field("people_needed", "integer", minimum=1, example=4),
        Field("places_taken", "integer", "People signed up and not declined.", minimum=0, example=3),
        Field(
            "partners",
            "array",
            "Partners confirmed on the task, by name.",
            items="string",
            source=lambda t: [p.name for p in _delivered(t).partners],
            example=["杏林社区志愿者服务队"],
        ),
        Field(
            "volunteers",
            "integer",
            "Volunteers confirmed on the task.",
            minimum=0,
            source=lambda t: _delivered(t).volunteers,
            example=2,
        ),
        Field(
            "volunteer_hours",
            "number",
            "Volunteer service time confirmed by the committee (志愿服务时长).",
            source=lambda t: _delivered(t).minutes / 60,
            example=3.5,
        ),
        url_field(lambda t: path_for("partners.task", slug=t.community.slug, task_id=t.id)),
    ],
    load=[joinedload(DeliveryTask.record), selectinload(DeliveryTask.signups)],
    prepare=_prepare_tasks,
)

KIND_FILTER = Param("kind", description="Only partners of this kind.", enum=tuple(PartnerKind))
MATTER_FILTER = id_filter("matter_id", "Only tasks of this micro-matter.")


@collection(
    "/communities/{slug}/partners",
    PARTNER,
    tag="partners",
    params=[SLUG, KIND_FILTER],
    summary=N_(
        "Partners of the community (五社联动): social organisations, social workers, volunteer teams, charity funds."
    ),
)
def partners(slug, kind):
    return in_community(Partner, slug, kind=kind).order_by(Partner.id)


@collection(
    "/communities/{slug}/tasks",
    TASK,
    tag="partners",
    params=[SLUG, MATTER_FILTER],
    summary=N_("Delivery tasks of decided micro-matters, with the partners, volunteers and hours confirmed."),
)
def tasks(slug, matter_id):
    query = in_community(DeliveryTask, slug)
    if matter_id is not None:
        query = query.join(ImplementationRecord, ImplementationRecord.id == DeliveryTask.record_id).where(
            ImplementationRecord.matter_id == matter_id
        )
    return query.order_by(DeliveryTask.task_date, DeliveryTask.id)
