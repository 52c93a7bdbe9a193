"""The `seeded` fixture: a community with public data in every collection the API serves
(see helpers.seed)."""

import pytest

from .helpers import seed


@pytest.fixture
def seeded(app, make):
    return seed(make)
