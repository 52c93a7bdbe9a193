"""Demo step (after the conventions): an item the street office assigned (上级交办), waiting on the
agenda list, and a parking question the committee raised. Uses context["community"], ["committee"]."""

from datetime import timedelta

from app.core import clock

from . import services
from .models import ItemKind


def load(context):
    community, committee = context["community"], context["committee"]
    with clock.shifted(-timedelta(days=12)):
        services.raise_item(
            committee,
            community,
            kind=ItemKind.ASSIGNED,
            title="电动自行车集中充电点选址",
            description="街道要求年底前在各小区设置电动自行车集中充电点，消除楼道充电的火灾隐患。\n"
            "请议事会在3号楼北侧空地与15号楼车棚两处中确定选址，并商定收费办法。",
            assigning_office="双塔街道办事处",
            due_on=clock.local_today() + timedelta(days=40),
        )
    with clock.shifted(-timedelta(days=5)):
        services.raise_item(
            committee,
            community,
            kind=ItemKind.QUESTION,
            title="小区东门夜间临时停车规则",
            description="不少居民反映东门夜间车辆乱停，影响消防通道。请议事会讨论是否划定夜间临时停车位及时段。",
        )
