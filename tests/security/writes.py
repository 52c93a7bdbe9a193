"""Did a request write to the database? The route walks (the authorisation matrix, the freshness
walks) ask after every request; reading every row of every table each time cost them most of
their time on PostgreSQL.

`WriteWatch.marker()` moves with every write to the test database of this process, and only with
those: on SQLite the connection's count of changed rows (`total_changes`; the in-memory database
has one connection), on PostgreSQL a sequence that a statement-level trigger on every table
advances (a sequence, unlike a counter row, takes no lock and counts rolled-back writes too). The
cluster-wide transaction counter it replaces also moved with the other xdist workers' databases.
When the marker moved, `digest()` of every row decides whether the data differs.
"""

import hashlib

from sqlalchemy import select

from app.extensions import db
from tests.database import ON_POSTGRES

_SCHEMA = "weiyi_test_writes"  # outside public: clearing the tables does not reset its sequence

_WATCH = f"""
DROP SCHEMA IF EXISTS {_SCHEMA} CASCADE;
CREATE SCHEMA {_SCHEMA};
CREATE SEQUENCE {_SCHEMA}.statements;
CREATE FUNCTION {_SCHEMA}.count_statement() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM nextval('{_SCHEMA}.statements');
    RETURN NULL;
END
$$;
DO $$
DECLARE
    name text;
BEGIN
    FOR name IN SELECT tablename FROM pg_tables WHERE schemaname = 'public' LOOP
        EXECUTE 'CREATE TRIGGER count_writes AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON public.'
            || quote_ident(name) || ' FOR EACH STATEMENT EXECUTE FUNCTION {_SCHEMA}.count_statement()';
    END LOOP;
END
$$"""


class WriteWatch:
    """In the app context, once the tables exist: `marker()` from now on moves with every write.
    Its own connection reads it in one round trip (no BEGIN, no ROLLBACK): the walks ask after
    every request."""

    def __init__(self):
        if ON_POSTGRES:
            _run(_WATCH)
            self._connection = db.engine.connect().execution_options(isolation_level="AUTOCOMMIT")
        else:
            # The in-memory database's one connection, the app's too: its count of changed rows.
            self._connection = db.engine.raw_connection()

    def marker(self):
        """Moves whenever anything was written to this process's test database (then `digest` decides)."""
        if ON_POSTGRES:
            return tuple(self._connection.exec_driver_sql(_READ).one())
        return self._connection.driver_connection.total_changes

    def close(self):
        """The triggers go with their function: the database is as the other tests expect it."""
        self._connection.close()
        if ON_POSTGRES:
            _run(f"DROP SCHEMA IF EXISTS {_SCHEMA} CASCADE")


_READ = f"SELECT last_value, is_called FROM {_SCHEMA}.statements"


def _run(sql):
    db.session.remove()  # no transaction of the test's session holds a lock the DDL waits for
    with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        connection.exec_driver_sql(sql)


def digest():
    """A digest of every row of every table: proves a refused request wrote nothing."""
    sha = hashlib.sha256()
    for table in db.metadata.sorted_tables:
        order = list(table.primary_key.columns) or list(table.columns)
        for row in db.session.execute(select(table).order_by(*order)):
            sha.update(repr(tuple(row)).encode())
    db.session.rollback()
    return sha.hexdigest()
