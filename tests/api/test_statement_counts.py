"""No per-row queries in the API's lists: on the demo, every collection's page of many rows and
its CSV download run no more SQL statements than a page of one row (the rows' relationships are
loaded by a fixed number of statements, app/api/schema.py `Resource.load`)."""

import re
from contextlib import contextmanager

import pytest
from sqlalchemy import event

from app.api.registry import OPERATIONS
from app.extensions import db
from tests.database import load_demo, the_shared_app

TRANSACTION = re.compile(r"\s*(BEGIN|COMMIT|ROLLBACK|SAVEPOINT|RELEASE)\b", re.IGNORECASE)
SEVERAL = 10
PAGES = [op for op in OPERATIONS if op.kind == "page"]
CSVS = {op.endpoint.removesuffix("_csv"): op for op in OPERATIONS if op.kind == "csv"}


@contextmanager
def counted():
    statements = []

    def note(_connection, _cursor, statement, *_args):
        if not TRANSACTION.match(statement):
            statements.append(statement)

    event.listen(db.engine, "before_cursor_execute", note)
    try:
        yield statements
    finally:
        event.remove(db.engine, "before_cursor_execute", note)


def statements_of(client, url):
    client.get(url)  # warm: the values kept per data version are there, as after the first view
    db.session.remove()
    with counted() as statements:
        response = client.get(url)
        body = response.get_data()
    assert response.status_code == 200, url
    return len(statements), response, body


@pytest.fixture(scope="module")
def demo(session_app, tmp_path_factory):
    """The demo, loaded once for the module: its tests only read (a GET writes nothing, as the
    authorisation matrix checks), so each finds it as loaded, as it did when each loaded it anew."""
    with the_shared_app(session_app, tmp_path_factory.mktemp("demo") / "uploads") as app:
        load_demo()
        yield app.test_client()


@pytest.mark.parametrize("op", PAGES, ids=[op.endpoint for op in PAGES])
def test_statements_do_not_grow_with_the_rows(demo, op):
    """A page of up to ten rows (and the whole CSV) runs no more statements than the costliest page
    of one of those rows alone: the rows differ in which relationships they have, not in number."""
    url = op.example_url().replace("{slug}", "xinglin")
    many, response, _ = statements_of(demo, url + f"?per_page={SEVERAL}")
    rows = len(response.get_json()["items"])
    assert rows >= 2, f"{url}: the demo has {rows} row(s); the test needs several"
    one = max(statements_of(demo, url + f"?per_page=1&page={page}")[0] for page in range(1, rows + 1))
    assert many <= one, f"{url}: at most {one} statements for 1 row, {many} for {rows}"
    if op.endpoint in CSVS:
        download, _, body = statements_of(demo, CSVS[op.endpoint].example_url().replace("{slug}", "xinglin"))
        assert body.count(b"\r\n") - 1 >= rows
        assert download <= one, f"{url}.csv: at most {one} statements for a page of 1 row, {download} for the CSV"
