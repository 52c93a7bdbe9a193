"""Fixtures for the fund tests: a community with its committee and residents, and a factory for
micro-matters approved the way a decision approves them (lifecycle.apply)."""

import pytest

from app.communities.models import Role
from app.extensions import db
from app.matters import lifecycle
from app.matters.models import MicroMatter
from app.tracker import records as record_services


@pytest.fixture
def community(app, make):
    return make.community(slug="xinglin")


@pytest.fixture
def committee(make, community):
    return make.member(community, role=Role.COMMITTEE, username="committee", display_name="居委会 周主任")


@pytest.fixture
def resident(make, community):
    return make.member(community, username="resident", display_name="王阿姨")


@pytest.fixture
def on_agenda(community, resident):
    """on_agenda(title, estimated_cost) -> a micro-matter on the agenda list."""

    def factory(title="5栋门口加装无障碍坡道", estimated_cost=12_000):
        matter = MicroMatter(
            community_id=community.id,
            proposer_id=resident.id,
            title=title,
            description="坡道",
            description_html="<p>坡道</p>",
            category="accessibility",
            location="5栋",
            estimated_cost=estimated_cost,
            project_type="works",
            status="on_agenda",
        )
        db.session.add(matter)
        db.session.commit()
        return matter

    return factory


@pytest.fixture
def approve(on_agenda, committee):
    """approve(estimated_cost, budget=...) -> the implementation record the approval created."""

    def factory(estimated_cost=12_000, title="5栋门口加装无障碍坡道", **data):
        matter = on_agenda(title, estimated_cost)
        lifecycle.apply(matter, "approve", committee, system=True, **data)
        db.session.commit()
        return record_services.record_for_matter(matter)

    return factory
