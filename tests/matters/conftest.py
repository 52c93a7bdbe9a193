"""Fixtures for the micro-matter tests: a community with a committee member, a proposer
and a few residents, a low support threshold, and small real images made with Pillow."""
import io

import pytest
from PIL import Image

from app.communities.models import MembershipStatus, Role
from app.matters import services

THRESHOLD = 3


@pytest.fixture
def community(app, make):
    return make.community(slug="xinglin", support_threshold_count=THRESHOLD)


@pytest.fixture
def committee(make, community):
    return make.member(community, role=Role.COMMITTEE, username="committee", display_name="居委会 周主任")


@pytest.fixture
def proposer(make, community):
    return make.member(community, username="proposer", display_name="王阿姨")


@pytest.fixture
def residents(make, community):
    return [make.member(community, username=f"resident{i}", display_name=f"居民{i}") for i in range(1, 5)]


@pytest.fixture
def outsider(make):
    """Verified in another community only."""
    other = make.community(slug="other")
    return make.member(other, username="outsider", display_name="外人")


@pytest.fixture
def pending(make, community):
    return make.member(community, status=MembershipStatus.PENDING, username="pending", display_name="待审")


FIELDS = {
    "title": "5栋门口加装无障碍坡道",
    "description": "5栋入口有三级台阶，**坐轮椅**的住户和推婴儿车的家长出入很不方便。\n\n- 加装坡道\n- 加装扶手",
    "category": "accessibility",
    "location": "5栋单元门口",
    "estimated_cost": "12000",
    "project_type": "works",
}


def fields(**changes):
    return {**FIELDS, **changes}


@pytest.fixture
def new_matter(proposer, community):
    def factory(submit=True, user=None, **changes):
        return services.create_matter(user or proposer, community, submit=submit, **fields(**changes))
    return factory


@pytest.fixture
def matter(new_matter):
    return new_matter()


def image_bytes(fmt="PNG", size=(8, 6), color=(200, 30, 30)):
    buffer = io.BytesIO()
    Image.new("RGB", size, color).save(buffer, fmt)
    return buffer.getvalue()


def upload(data, name="photo.png", content_type="image/png"):
    from werkzeug.datastructures import FileStorage

    return FileStorage(stream=io.BytesIO(data), filename=name, content_type=content_type)
