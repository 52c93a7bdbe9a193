"""Runs before any conftest or test module, so before config.py reads TEST_DATABASE_URL.

Under pytest-xdist (`make test` runs `-n auto`) every worker needs a PostgreSQL database of its
own: the tests empty theirs after each test. Worker gw1 gets `<database>_gw1`, created on the
same server when it does not exist yet; the environment is changed, so the apps the tests build
and the processes they start (flask, gunicorn, benchmarks) use it too. SQLite needs nothing: each
worker's in-memory database is its own."""

import os


def _use_the_workers_own_database():
    worker = os.environ.get("PYTEST_XDIST_WORKER")
    url = os.environ.get("TEST_DATABASE_URL", "")
    if not worker or not url.startswith("postgresql"):
        return
    from sqlalchemy import create_engine, make_url, text

    shared = make_url(url)
    if shared.database.endswith(f"_{worker}"):  # a process started by a test of this worker
        return
    name = f"{shared.database}_{worker}"
    admin = create_engine(shared.set(database="postgres"), isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as connection:
            if not connection.scalar(text("SELECT 1 FROM pg_database WHERE datname = :name"), {"name": name}):
                connection.execute(text(f'CREATE DATABASE "{name}"'))
    finally:
        admin.dispose()
    os.environ["TEST_DATABASE_URL"] = shared.set(database=name).render_as_string(hide_password=False)


_use_the_workers_own_database()
