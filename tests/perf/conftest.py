"""The authorisation matrix's world (tests/security/world.py), walked here for freshness."""

import pytest

from tests.security.test_authz_matrix import walker, world_snapshot  # noqa: F401  (fixtures)


@pytest.fixture(autouse=True)
def one_clock_period(app):
    """These tests look for cache hits: a minute turning between two requests (the cache's clock
    period) would make a miss that is not what they test."""
    cache = app.wsgi_app
    seconds = cache.seconds
    cache.seconds = 10**9
    yield
    cache.seconds = seconds
