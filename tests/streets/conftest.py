"""Fixtures for the street office: a street with two communities, its staff, a site admin."""

import pytest

from app.communities.models import Role
from app.core import clock
from app.extensions import db
from app.streets.models import Street, StreetStaff


@pytest.fixture
def community(app, make):
    return make.community(slug="xinglin")


@pytest.fixture
def other(app, make):
    return make.community(slug="lianhua")


@pytest.fixture
def street(community, other):
    street = Street(slug="shuangta", name="双塔街道", district="姑苏区")
    db.session.add(street)
    db.session.flush()
    community.street_id = other.street_id = street.id
    db.session.commit()
    return street


@pytest.fixture
def staff(make, street):
    user = make.user(username="street", display_name="街道 李科长")
    db.session.add(StreetStaff(street_id=street.id, user_id=user.id, granted_at=clock.now()))
    db.session.commit()
    return user


@pytest.fixture
def admin(make):
    return make.user(username="admin", admin=True)


@pytest.fixture
def committee(make, community):
    return make.member(community, role=Role.COMMITTEE, username="committee", display_name="居委会 周主任")


@pytest.fixture
def resident(make, community):
    return make.member(community, username="resident", display_name="王阿姨")
