"""A community whose micro-matter went the whole way to acceptance through the real services
(lifecycle, tracker), ready to be published as a notice."""
from datetime import timedelta
from types import SimpleNamespace

import pytest

from app.communities.models import MembershipStatus, Role
from app.extensions import db
from app.matters import lifecycle
from app.matters.models import MicroMatter
from app.models_base import utcnow
from app.publishing import services
from app.publishing.permissions import local_today
from app.tracker import services as tracker


def new_matter(community, proposer, title="5栋门口加装无障碍坡道", status="on_agenda", cost=12000):
    matter = MicroMatter(
        community_id=community.id, proposer_id=proposer.id, title=title, description="坡道", description_html="",
        category="accessibility", location="5栋", estimated_cost=cost, project_type="works", status=status,
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
    record = tracker.record_for_matter(matter)
    tracker.update_details(committee, record, responsible_unit="杏林物业工程部", contact="13700001111",
                           planned_start=None, planned_end=None)
    tracker.add_milestone(committee, record, title="施工", planned_date=local_today())
    tracker.start(committee, record)
    tracker.complete_milestone(committee, record, record.milestones[0].id, done_on=local_today(), note="完工")
    tracker.accept(committee, record, accepted_on=local_today(), note="居委会与居民代表共同验收")
    return record


@pytest.fixture
def world(app, make):
    community = make.community(slug="xinglin")
    committee = make.member(community, role=Role.COMMITTEE, username="committee", display_name="居委会 周主任")
    proposer = make.member(community, username="proposer", display_name="王阿姨")
    resident = make.member(community, username="resident", display_name="李师傅")
    council = make.member(community, role=Role.COUNCIL_MEMBER, username="council", display_name="议事员 张")
    pending = make.member(community, status=MembershipStatus.PENDING, username="pending", display_name="待审")
    other = make.community(slug="other")
    outsider = make.member(other, username="outsider", display_name="外人")
    other_committee = make.member(other, role=Role.COMMITTEE, username="othercommittee", display_name="别的居委会")
    admin = make.user(username="admin", admin=True)
    record = accepted_record(community, committee, proposer)
    return SimpleNamespace(community=community, committee=committee, proposer=proposer, resident=resident,
                           council=council, pending=pending, outsider=outsider, other_committee=other_committee,
                           admin=admin, record=record, matter=record.matter)


def publish(world, start=None, end=None, **kw):
    start = start or local_today()
    return services.publish_notice(world.committee, world.community, "acceptance", world.record.id,
                                   period_start=start, period_end=end or start + timedelta(days=7), **kw)
