"""Apps configured the way an attacker meets them: CSRF on, rate limits on, or the
production configuration. Each runs on the test database (see tests/database.py)."""

import contextlib

import pytest

from app import create_app
from config import TestConfig
from tests.database import empty_database, fresh_schema
from tests.helpers import FreshRequestClient

PRODUCTION_SECRET = "a-production-secret-of-enough-length-0123456789"


@pytest.fixture
def app_with(tmp_path):
    """app_with(config="test", **overrides) -> an app with an empty database and its context pushed."""
    stack = contextlib.ExitStack()

    def factory(config="test", **overrides):
        overrides.setdefault("UPLOAD_FOLDER", str(tmp_path / "uploads"))
        overrides.setdefault("SQLALCHEMY_DATABASE_URI", TestConfig.SQLALCHEMY_DATABASE_URI)
        if config == "production":
            overrides.setdefault("SECRET_KEY", PRODUCTION_SECRET)
            overrides.setdefault("PUBLIC_BASE_URL", "https://localhost")
            overrides.setdefault("TRUSTED_HOSTS", ["localhost"])
            overrides.setdefault("PASSWORD_HASH_METHOD", TestConfig.PASSWORD_HASH_METHOD)
            overrides.setdefault("RATELIMIT_ENABLED", False)
        app = create_app(config, **overrides)
        app.test_client_class = FreshRequestClient  # each request starts with an empty `g`
        stack.enter_context(app.app_context())
        fresh_schema()
        stack.callback(empty_database)
        return app

    with stack:
        yield factory
