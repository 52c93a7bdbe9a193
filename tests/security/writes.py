"""Did a request write to the database? The route walks (the authorisation matrix, the freshness
walks) ask after every request; reading every row of every table each time cost them most of
their time on PostgreSQL.

`WriteWatch.marker()` moves with every write to the test database of this process, and only with
those: on SQLite the connection's count of changed rows (`total_changes`; the in-memory database
has one connection), on PostgreSQL a sequence that a statement-level trigger on every table
advances (a sequence, unlike a counter row, takes no lock and counts rolled-back writes too). The
cluster-wide transaction counter it replaces also moved with the other xdist workers' databases.
When the marker moved, `digest()` of every row decides whether the data differs.

It also knows which tables were written since `settle()` (a superset: a write rolled back may
count): PostgreSQL has a sequence per table beside the marker's, SQLite a temporary trigger per
table and kind of write that stamps the table with the connection's count of changes. The walks
then compare and put back only those tables (`Walker.differs`, `Walker.rebuild`): a few
milliseconds instead of a quarter second each.
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
    PERFORM nextval('{_SCHEMA}.statements'), nextval(TG_ARGV[0]::regclass);
    RETURN NULL;
END
$$;
DO $$
DECLARE
    name text;
BEGIN
    FOR name IN SELECT tablename FROM pg_tables WHERE schemaname = 'public' LOOP
        -- the table's own sequence, of the same name in this schema
        EXECUTE 'CREATE SEQUENCE {_SCHEMA}.' || quote_ident(name);
        EXECUTE 'CREATE TRIGGER count_writes AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON public.'
            || quote_ident(name) || ' FOR EACH STATEMENT EXECUTE FUNCTION {_SCHEMA}.count_statement('
            || quote_literal('{_SCHEMA}.' || quote_ident(name)) || ')';
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
            db.session.remove()  # no transaction open: the temporary table and triggers stay
            self._connection = db.engine.raw_connection()
            sqlite = self._connection.driver_connection
            _drop_stamps(sqlite)  # left by a run that stopped halfway
            sqlite.execute(f"CREATE TEMP TABLE {_STAMPS} (name TEXT PRIMARY KEY, changes INTEGER)")
            for table in db.metadata.sorted_tables:
                sqlite.execute(f"INSERT INTO {_STAMPS} VALUES (?, -1)", (table.name,))  # noqa: S608  # nosec B608
                for kind in ("INSERT", "UPDATE", "DELETE"):
                    # An UPDATE of its own row: an INSERT could meet the conflict clause of the
                    # statement that fired it (an upsert's), which would then apply to it too.
                    sqlite.execute(
                        f'CREATE TEMP TRIGGER "{_STAMPS}_{table.name}_{kind}" AFTER {kind} ON main."{table.name}" '
                        f"BEGIN UPDATE {_STAMPS} SET changes = total_changes() WHERE name = '{table.name}'; END"
                    )
        self.settle()

    def marker(self):
        """Moves whenever anything was written to this process's test database (then `digest` decides)."""
        if ON_POSTGRES:
            return tuple(self._connection.exec_driver_sql(_READ).one())
        return self._connection.driver_connection.total_changes

    def settle(self):
        """From now on `written()` names only the tables written after this moment."""
        self._since = self._stamps() if ON_POSTGRES else self.marker()

    def written(self):
        """The tables written since `settle()`: every one of them, maybe a few more."""
        if ON_POSTGRES:
            return {name for name, value in self._stamps().items() if value != self._since.get(name)}
        # A write after `settle` ran while the count was at least `_since` (a write just before it
        # may be stamped with it too: a table too many, never one too few).
        query = f"SELECT name FROM {_STAMPS} WHERE changes >= ?"  # noqa: S608  # nosec B608
        return {name for (name,) in self._connection.driver_connection.execute(query, (self._since,))}

    def _stamps(self):
        return dict(self._connection.exec_driver_sql(_READ_TABLES).all())

    def close(self):
        """The triggers go with their function: the database is as the other tests expect it."""
        if not ON_POSTGRES:
            db.session.remove()  # outside any transaction the test left open, which would take the drops back
            _drop_stamps(self._connection.driver_connection)
        self._connection.close()
        if ON_POSTGRES:
            _run(f"DROP SCHEMA IF EXISTS {_SCHEMA} CASCADE")


_READ = f"SELECT last_value, is_called FROM {_SCHEMA}.statements"
_READ_TABLES = (
    f"SELECT sequencename, last_value FROM pg_sequences WHERE schemaname = '{_SCHEMA}' AND sequencename <> 'statements'"
)
_STAMPS = "weiyi_test_written"  # SQLite: a temporary table of this connection


def _drop_stamps(sqlite):
    for table in db.metadata.sorted_tables:
        for kind in ("INSERT", "UPDATE", "DELETE"):
            sqlite.execute(f'DROP TRIGGER IF EXISTS temp."{_STAMPS}_{table.name}_{kind}"')
    sqlite.execute(f"DROP TABLE IF EXISTS temp.{_STAMPS}")


def _run(sql):
    db.session.remove()  # no transaction of the test's session holds a lock the DDL waits for
    with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        connection.exec_driver_sql(sql)


def digest():
    """A digest of every row of every table: proves a refused request wrote nothing."""
    sha = hashlib.sha256()
    for table in db.metadata.sorted_tables:
        _add_rows(sha, table)
    db.session.rollback()
    return sha.hexdigest()


def table_digests(names=None):
    """{table name: digest of its rows}, of every table or of those named."""
    digests = {}
    for table in db.metadata.sorted_tables:
        if names is None or table.name in names:
            sha = hashlib.sha256()
            _add_rows(sha, table)
            digests[table.name] = sha.hexdigest()
    db.session.rollback()
    return digests


def _add_rows(sha, table):
    order = list(table.primary_key.columns) or list(table.columns)
    for row in db.session.execute(select(table).order_by(*order)):
        sha.update(repr(tuple(row)).encode())
