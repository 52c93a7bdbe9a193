"""The authorisation matrix's world (tests/security/world.py), walked here for freshness."""

from tests.security.test_authz_matrix import walker, world_snapshot  # noqa: F401  (fixtures)
