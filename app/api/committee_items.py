"""Items the committee raised onto the agenda list (its own, assigned from above, questions without a
budget). Who raised them is said by role ("the committee"), not by name."""

from app.committee_items.models import CommitteeItem, ItemKind, ItemStatus
from app.core.i18n import N_
from app.core.urls import path_for
from app.councils.models import AgendaItem

from .registry import SLUG, collection
from .routes import in_community
from .schema import Field, PageLookup, Resource, url_field

_position = PageLookup(AgendaItem.position, key=lambda item: item.agenda_item_id)


COMMITTEE_ITEM = Resource(
    "CommitteeItem",
    "An item on the agenda list raised by the committee rather than proposed by residents.",
    [
        Field("id", "integer", minimum=1, example=3),
        Field(
            "kind",
            "string",
            "Who raised it: own, assigned (上级交办) or question (其他事项).",
            enum=tuple(ItemKind),
            example="assigned",
        ),
        Field("title", "string", example="落实街道关于电动自行车集中充电的要求"),
        Field("description", "string", example="街道要求年底前各小区设置集中充电点，请议事会确定选址。"),
        Field(
            "assigning_office", "string", "The office above that assigned it.", nullable=True, example="双塔街道办事处"
        ),
        Field("due_on", "string", "When the assigned item is due.", format="date", nullable=True, example="2026-12-31"),
        Field("status", "string", enum=tuple(ItemStatus), example="on_agenda"),
        Field("agenda_position", "integer", "Place in the agenda list.", minimum=0, source=_position, example=4),
        Field("motion_id", "integer", "The council's deciding motion.", nullable=True, minimum=1, example=5),
        Field("created_at", "string", format="date-time", example="2026-11-20T02:00:00Z"),
        url_field(lambda i: path_for("committee_items.detail", slug=i.community.slug, item_id=i.id)),
    ],
    prepare=_position.prepare,
)


@collection(
    "/communities/{slug}/agenda/committee-items",
    COMMITTEE_ITEM,
    tag="councils",
    params=[SLUG],
    summary=N_("Items the committee put on the agenda list (its own, assigned from above, questions), oldest first."),
)
def committee_items(slug):
    return in_community(CommitteeItem, slug).order_by(CommitteeItem.id)
