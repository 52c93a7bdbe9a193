"""Keeping secret votes secret in the database files themselves.

SQLite keeps old page images in the write-ahead log (weiyi.db-wal) and, without secure_delete,
leaves deleted rows readable in free space of weiyi.db. Every connection runs with
`PRAGMA secure_delete=ON` (app.extensions), so deleted or rewritten rows are zeroed; after a
service cuts a voter-to-choice link it commits and then calls `forget_history()`, which copies the
WAL into the database and truncates it, so no earlier page image survives.

Rows that must not reveal their order of arrival (ballots in the box, council secret choices)
take a random integer key from `random_row_id()`: SQLite stores a table in key order, so rows sit
in an order that says nothing about who came first.

PostgreSQL keeps dead row versions until VACUUM: the README says what the operator runs.
"""

import secrets

from sqlalchemy import BigInteger, Integer

from app.extensions import db

# 2**53: random ids stay exact in JSON numbers and JavaScript.
RANDOM_ID_LIMIT = 2**53

# The column type of a random key: INTEGER PRIMARY KEY on SQLite (the rowid itself, so the table
# is stored in the order of these random keys); BIGINT elsewhere. Use with autoincrement=False,
# default=random_row_id.
RandomId = BigInteger().with_variant(Integer(), "sqlite")


def random_row_id():
    """A random primary key in [1, 2**53)."""
    return 1 + secrets.randbelow(RANDOM_ID_LIMIT - 1)


def forget_history(engine=None):
    """Checkpoint the SQLite WAL into the database file and truncate it to zero bytes.

    Call it after the commit that removed the link, outside any transaction. Returns True when the
    WAL was fully checkpointed and truncated (or on a database without a WAL, e.g. PostgreSQL or
    in-memory SQLite); False when a reader kept it from completing within the busy timeout.
    """
    engine = engine or db.engine
    if engine.dialect.name != "sqlite":
        return True
    raw = engine.raw_connection()
    try:
        connection = raw.driver_connection
        # isolation_level is None on our connections (app.extensions): no implicit transaction.
        busy, _log_frames, _checkpointed = connection.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()
        return busy == 0
    finally:
        raw.close()
