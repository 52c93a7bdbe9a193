"""Plain helpers for the notice tests: micro-matters, an implementation record accepted through
the real services, and a notice published about it."""

from datetime import timedelta

from app.core import clock
from app.core.clock import utcnow
from app.extensions import db
from app.matters import lifecycle
from app.matters.models import MicroMatter
from app.publishing import services
from app.tracker import delivery
from app.tracker import records as record_services


def new_matter(community, proposer, title="5栋门口加装无障碍坡道", status="on_agenda", cost=12000):
    matter = MicroMatter(
        community_id=community.id,
        proposer_id=proposer.id,
        title=title,
        description="坡道",
        description_html="",
        category="accessibility",
        location="5栋",
        estimated_cost=cost,
        project_type="works",
        status=status,
        submitted_at=utcnow() - timedelta(days=20),
    )
    db.session.add(matter)
    db.session.commit()
    return matter


def accepted_record(community, committee, proposer, title="5栋门口加装无障碍坡道"):
    """approve (as a council would) -> record -> start -> accept: the real path."""
    matter = new_matter(community, proposer, title)
    lifecycle.apply(matter, "approve", committee, system=True, budget=11000)
    db.session.commit()
    record = record_services.record_for_matter(matter)
    delivery.update_details(
        committee,
        record,
        responsible_unit="杏林物业工程部",
        contact="13700001111",
        planned_start=None,
        planned_end=None,
    )
    delivery.add_milestone(committee, record, title="施工", planned_date=clock.local_today())
    delivery.start(committee, record)
    delivery.complete_milestone(committee, record, record.milestones[0].id, done_on=clock.local_today(), note="完工")
    delivery.accept(committee, record, accepted_on=clock.local_today(), note="居委会与居民代表共同验收")
    return record


def publish(world, start=None, end=None, **kw):
    start = start or clock.local_today()
    return services.publish_notice(
        world.committee,
        world.community,
        "acceptance",
        world.record.id,
        period_start=start,
        period_end=end or start + timedelta(days=7),
        **kw,
    )
