"""Demo step (after the tracker): the grid worker `grid1` (网格员) of the demo community and a few
entries for older residents, through the services: a proposal handed in on a paper form, supports
given by phone, a rating given on a home visit."""

from app.communities.demo import account, verified_member
from app.communities.models import Role
from app.core.vocabulary import EntryChannel
from app.extensions import db
from app.matters import services as matters

from . import services

PROPOSAL = {
    "title": "12栋楼道加装扶手",
    "description": "12栋没有电梯，楼梯没有扶手，老人上下楼要扶着墙。希望在一到六楼的楼道加装不锈钢扶手。",
    "category": "elderly",
    "location": "12栋楼道",
    "estimated_cost": "9000",
    "project_type": "works",
}


def load(context):
    community, admin, residents = context["community"], context["admin"], context["residents"]
    grid = account("grid1", "网格员 小李", admin.password_hash)
    verified_member(grid, community, Role.GRID_WORKER, "杏林社区 第三网格", admin)
    db.session.commit()
    elders = residents[-6:]  # the last demo residents: older people without a smartphone
    services.propose(grid, community, elders[0], channel=EntryChannel.PAPER, agreed=True, **PROPOSAL)
    threshold = matters.support_threshold(community)
    supported = 0
    for matter in services.matters_to_support(community, elders[1]):
        room = threshold - matter.support_count - 1  # stays below the threshold: still collecting
        for elder in elders[1 : 1 + min(3, room)]:
            if matter.proposer_id != elder.id:
                services.support(grid, community, elder, matter_id=matter.id, channel=EntryChannel.PHONE, agreed=True)
                supported += 1
        if supported:
            break
    for record in services.records_to_rate(community, elders[4])[:1]:
        services.rate(grid, community, elders[4], record_id=record.id, stars=4, channel=EntryChannel.VISIT, agreed=True)
