"""Fixtures shared by every test: the app on an empty database, a client, a builder for
accounts, communities and memberships, and the demo (loaded once per run, restored from rows).
Plain helpers (login, csrf_token, ...) are in tests/helpers.py.

One app serves the whole run (per worker): building an app and its schema for every test cost
more than most tests themselves. Each test gets that app with its own app context, upload folder
and a copy of its configuration, and leaves it with every row deleted. A test that changes the
app itself (adds a route) is marked `own_app` and gets a new one, as every test did before."""

import os
from pathlib import Path

import freezegun
import hypothesis
import pytest

from app import create_app
from tests import database
from tests.database import (
    empty_database,
    fresh_schema,
    skip_browser_tests_on_postgres,
    the_shared_app,
)
from tests.helpers import Builder, FreshRequestClient

# pytest's own clock stays real under freeze_time, so --durations reports real times.
freezegun.configure(extend_ignore_list=["_pytest"])

# Property tests judge the code, not the machine: on two shared, busy cores an example may take
# longer than hypothesis's 200 ms deadline, or its inputs longer to generate than its health check
# allows, without anything being wrong.
hypothesis.settings.register_profile(
    "shared-cores", deadline=None, suppress_health_check=[hypothesis.HealthCheck.too_slow]
)
hypothesis.settings.load_profile("shared-cores")


def pytest_collection_modifyitems(config, items):
    skip_browser_tests_on_postgres(items)
    if os.environ.get("PYTEST_XDIST_WORKER"):
        longest_files_first(items)


def longest_files_first(items):
    """With pytest-xdist (`make test`): the browser tests, then the files with a test marked slow,
    then the rest, each file's tests kept together and in order. The run then does not end with
    one worker busy on a two-minute browser test while the other has nothing left, and a file's
    module fixtures (a demo loaded once, the authorisation world) are mostly built by one worker."""
    browser = Path(__file__).resolve().parent / "browser"
    slow_files = {item.path for item in items if item.get_closest_marker("slow")}

    def rank(item):
        return 0 if browser in item.path.parents else 1 if item.path in slow_files else 2

    items.sort(key=rank)  # stable: the order within each rank stays as collected


@pytest.fixture(scope="session", autouse=True)
def builds_shared_by_the_workers(tmp_path_factory):
    """With pytest-xdist: the demo, the authorisation world and the demo's file are built by the
    first worker that needs them and read by the others, through the folder they all share (the
    parent of each worker's own temporary folder): see `tests.database.once_per_run`."""
    if os.environ.get("PYTEST_XDIST_WORKER"):
        database.share_builds_in(tmp_path_factory.getbasetemp().parent)


@pytest.fixture(scope="session")
def session_app(tmp_path_factory):
    """The app of the whole run (of each worker, with pytest-xdist); tests get it through `app`."""
    app = create_app("test", UPLOAD_FOLDER=str(tmp_path_factory.mktemp("uploads")))
    app.test_client_class = FreshRequestClient
    with app.app_context():
        fresh_schema()
    yield app
    with app.app_context():
        empty_database()


@pytest.fixture
def load_demo(app):
    """load_demo(until=None) -> the context the loading filled. The database then holds the demo
    (app.demo.STEPS up to and including the step `until`, every step by default) and nothing
    else: its steps run once per run (by one worker) and are restored in a second or two for
    every later test, the matrix world and `demo_file` (tests/database.py)."""
    return database.load_demo


@pytest.fixture(scope="session")
def demo_file():
    """A SQLite file holding the demo, written once per run (by one worker) from the demo's rows:
    modules that serve the demo unchanged copy it (`copy_sqlite_file`) instead of loading it
    again; nothing writes to it."""
    return database.demo_file()


@pytest.fixture
def app(request, tmp_path):
    """TestConfig on an empty database: in-memory SQLite, or TEST_DATABASE_URL (see tests/database.py)."""
    uploads = str(tmp_path / "uploads")
    if request.node.get_closest_marker("own_app"):
        app = create_app("test", UPLOAD_FOLDER=uploads)
        app.test_client_class = FreshRequestClient
        with app.app_context():
            fresh_schema()
            yield app
            empty_database()
        return
    with the_shared_app(request.getfixturevalue("session_app"), uploads) as app:
        yield app


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def make():
    return Builder()
