"""Reading the data version's tokens (versions.py writes them): the tokens a page's key depends on,
read on the request's connection (`tokens`), or on a connection of this thread kept for the
purpose, outside any transaction (`read_tokens`: no snapshot, no wait for a writer)."""

import functools
import os
import threading

from sqlalchemy import bindparam, func, null, select

from app.extensions import db

from .versions import COMMUNITY_TABLE, PEOPLE, SITE, DataVersion, community_row_scope, person_scope

PAGE_TOKENS = 3  # the page's tokens lead the values read, the person's (if any) follow


@functools.cache  # built once: building it cost ten times what running it does, on every page view
def tokens_query(for_community, for_person=False):
    """The read of the tokens: (site token, community token, token of the community's own row or 0)
    for a page under /c/<slug>/ (the bound parameter `slug`), or (sum of the site's and all
    communities' tokens, None, None) for any other page; for_person adds (site token, sum of the
    person's and PEOPLE's tokens) for the person's scope (the bound parameter `person`,
    person_scope(user id)), the key of their own values."""
    table = DataVersion.__table__
    site = select(table.c.token).where(table.c.scope == SITE).scalar_subquery()
    if not for_community:
        columns = [
            select(func.coalesce(func.sum(table.c.token), 0)).where(table.c.scope >= 0).scalar_subquery(),
            null(),
            null(),
        ]
    else:
        community = db.Model.metadata.tables[COMMUNITY_TABLE]

        def token_of(scope):
            return (
                select(table.c.token)
                .join(community, scope == table.c.scope)
                .where(community.c.slug == bindparam("slug"))
            )

        # (a row written before its scope existed has no token yet: 0 until it is written again)
        row = func.coalesce(token_of(community_row_scope(community.c.id)).scalar_subquery(), 0)
        columns = [site, token_of(community.c.id).scalar_subquery(), row]
    if for_person:
        person = select(func.coalesce(func.sum(table.c.token), 0)).where(
            table.c.scope.in_([PEOPLE, bindparam("person")])
        )
        columns += [site, person.scalar_subquery()]
    return select(*columns)


def tokens(connection, slug=None, user_id=None):
    """The tokens a page's rendering depends on (tokens_query), read before it is rendered; with
    user_id, those of the person's own values too (five values instead of three)."""
    query = tokens_query(slug is not None, user_id is not None)
    parameters = {"slug": slug} if slug is not None else {}
    if user_id is not None:
        parameters["person"] = person_scope(user_id)
    return tuple(connection.execute(query, parameters).one())


# ---- the tokens read outside the ORM ----------------------------------------------------------


class _Reader:
    """A connection of one thread kept for reading the tokens, each read a transaction of its own
    (autocommit): it takes no snapshot that outlives it, never waits for a writer and costs one
    round trip, none of the ORM's (a pooled connection checked out, BEGIN, ROLLBACK)."""

    def __init__(self, engine):
        self.engine, self.pid = engine, os.getpid()
        self.pooled = engine.raw_connection()  # kept by this thread, never given back
        self.connection = self.pooled.driver_connection
        if engine.dialect.name == "postgresql":
            self.connection.autocommit = True
        self.queries: dict = {}  # (for_community, for_person) -> (SQL, parameter names, parameters)

    def read(self, slug, user_id):
        shape = (slug is not None, user_id is not None)
        query = self.queries.get(shape)
        if query is None:
            compiled = tokens_query(*shape).compile(dialect=self.engine.dialect)
            names = tuple(compiled.positiontup or ()) if compiled.positional else None
            query = self.queries[shape] = (str(compiled), names, compiled.params)
        sql, names, constants = query
        given = {"slug": slug, "person": None if user_id is None else person_scope(user_id)}
        values = {name: given.get(name, value) for name, value in constants.items()}
        cursor = self.connection.cursor()
        try:
            cursor.execute(sql, tuple(values[n] for n in names) if names is not None else values)
            return tuple(cursor.fetchone())
        finally:
            cursor.close()


_readers = threading.local()


def in_memory(engine):
    """Whether `engine`'s database lives in memory: there another connection would see another
    database, or share the session's own connection (SQLite's single connection per thread)."""
    database = engine.url.database
    return engine.dialect.name == "sqlite" and (
        not database
        or database == ":memory:"
        or database.startswith("file::memory:")
        or engine.url.query.get("mode") == "memory"
    )


def read_tokens(engine, slug=None, user_id=None):
    """tokens(), read on this thread's own connection outside any transaction (_Reader), or None for
    a database in memory (the caller reads on its session's connection). Read before a session's
    first statement, they are no newer than anything that session reads afterwards (a SQLite
    snapshot starts at its first read; PostgreSQL's READ COMMITTED reads at least as new): a value
    computed from what it reads may be kept under them."""
    reader = getattr(_readers, "reader", None)
    if reader is None or reader.engine is not engine or reader.pid != os.getpid():
        if in_memory(engine):
            return None
        forget_reader()
        reader = _readers.reader = _Reader(engine)
    try:
        return reader.read(slug, user_id)
    except Exception:
        forget_reader()  # a connection the database broke off (restarted, restored): a new one next time
        raise


def forget_reader():
    reader = getattr(_readers, "reader", None)
    _readers.reader = None
    if reader is not None and reader.pid == os.getpid():  # (a forked worker leaves its parent's alone)
        reader.pooled.invalidate()
