"""Property-based run of schemathesis over the served OpenAPI document, against the app
in process: no server error, every response fits the documented schema, malformed
parameters are refused with 4xx. Few examples per operation keep it well under a minute.

Schemathesis reads the document when this module is imported, so the app is made here
(the document needs no database); the fixture below gives it a seeded database."""

import pytest
import schemathesis
from hypothesis import HealthCheck, settings

from app import create_app
from tests.database import empty_database, fresh_schema
from tests.helpers import Builder

from .helpers import seed

APP = create_app("test")
schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", APP)


@pytest.fixture(scope="module", autouse=True)
def seeded_app():
    with APP.app_context():
        fresh_schema()
        seed(Builder())
        yield APP
        empty_database()


@schema.parametrize()
@settings(max_examples=15, deadline=None, derandomize=True, suppress_health_check=list(HealthCheck))
def test_api_conforms_to_its_document(case):
    case.call_and_validate()
