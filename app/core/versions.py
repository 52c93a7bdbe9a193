"""The data version: a token per community (and one for the whole site) that changes in the same
transaction as every write, so that a page rendered under one set of tokens may be served again
for as long as they have not changed (app/ops/pagecache.py).

No feature has to remember it. The ORM's flushes tell which communities a write concerns: a row
with a `community_id`, a community itself, or a row whose foreign keys lead to one of those
(a support → its matter → the matter's community, up to three steps); anything else, and any
INSERT/UPDATE/DELETE written outside a flush (Core statements, raw SQL, bulk updates), changes the
site's token. The new tokens are written just before COMMIT, on the same connection: a rollback
takes them back with the data, and on PostgreSQL the rows stay locked only for that moment (one row
per community, so writers of different communities never wait for each other).

A community's own row (the `community` table: its name, register size, street) has a token of its
own too, scope community_row_scope(id), changed with the community's by every write to the row: the
row, read on every page under /c/<slug>/, is kept under it and the site's (version_cache.
kept_community_row) through the writes in its community that leave it as it was (a ballot).

A logged-in person's own values on every page (their memberships, unread count, street grants:
PERSONAL_TABLES) have a token of their own, scope -user_id, that no page's key includes; a write
to such a row changes it as well (app/core/version_cache.personal keeps those values under it);
an UPDATE of nothing but their account's UNSEEN_COLUMNS (a logout's new session token), it alone.

A token is a new random number, not a counter: a database restored from a backup, or emptied and
filled again (the tests), cannot meet a token a page was rendered under before. Pages read the
tokens through version_reads.py.
"""

import functools
import re
import secrets

from sqlalchemy import Integer, bindparam, event, inspect, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Mapped, Session, mapped_column

from app.extensions import db

SITE = 0  # the scope of writes that concern no single community (accounts, streets, the site's pages)
COMMUNITY_TABLE = "community"
MAX_HOPS = 3
# Rows no page served from the cache shows (the e-mail and SMS queue, delivery bookkeeping,
# password-reset codes, people's inboxes: pages for people logged in are never cached) change no
# token. Nor does the audit head, moved by every audited write in any community: a cached page
# shows the head as of its community's last write, an earlier head of the same chain (the entry
# itself, with its community, does change that community's token).
UNSEEN_TABLES = frozenset(
    {"outbox", "sent_reminder", "digest_item", "password_reset", "notification", "audit_head", "data_version"}
)
# Rows behind the parts of a page personal to the logged-in person (the header's unread count and
# street links, their membership of the community): a change to one also changes the token of the
# person it belongs to (scope -user_id), read by app/core/version_cache.personal. A write whose
# persons are not known (raw SQL) changes PEOPLE, the token every person's values are kept under.
PERSONAL_TABLES = frozenset({"notification", "membership", "street_staff"})
PEOPLE = -(2**31 - 1)
# Columns of a person's account no page shows, written all day (every logout, new password, hash
# upgraded at login): an UPDATE of these alone changes the person's token, not the site's. Their
# kept row, whose session token the login is checked against, is kept under it (version_cache.personal).
UNSEEN_COLUMNS = {"user": frozenset({"session_token", "password_hash"})}  # (the accounts' table: key = user id)
# The scopes of the communities' own rows: COMMUNITY_ROWS + the community's id (ids stay below 2**30).
# Raw SQL writing the table changes the site's token, which the row is kept under as well.
COMMUNITY_ROWS = 2**30
# The table an INSERT, UPDATE, DELETE or REPLACE written outside a flush goes to.
DML = re.compile(r'\s*(?:INSERT(?:\s+OR\s+\w+)?\s+INTO|REPLACE\s+INTO|UPDATE|DELETE\s+FROM)\s+"?(\w+)', re.IGNORECASE)
_SCOPES = "weiyi.version_scopes"  # connection.info: scopes to bump at commit
_FLUSHING = "weiyi.flushing"  # connection.info: the ORM is flushing (its statements are counted by row)
_OWN_TOKENS = "weiyi.own_tokens"  # connection.info: this transaction wrote data_version itself
# connection.info: writes here change no token. The migrations set it: the table may not exist yet,
# and a page cached across an upgrade lives at most the cache's period (PAGE_CACHE_SECONDS).
PAUSED = "weiyi.versions_paused"


class DataVersion(db.Model):  # type: ignore[name-defined]  # (as every model: mypy-baseline.txt)
    __tablename__ = "data_version"

    # SITE (0), a community's id, a community's own row (community_row_scope) or a person
    # (person_scope, PEOPLE); no foreign key: row 0 is no community.
    scope: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    token: Mapped[int] = mapped_column(Integer)


def new_token():
    # 31 bits: sums of many tokens stay within a 64-bit integer on both databases.
    return secrets.randbelow(2**31 - 1) + 1


def _upsert(dialect_name):
    return pg_insert if dialect_name == "postgresql" else sqlite_insert


def person_scope(user_id):
    return -user_id


def community_row_scope(community_id):
    return COMMUNITY_ROWS + community_id


def _with_rows(table_name, communities):
    """The scopes of a write of `table_name`'s rows in `communities`: those of the communities'
    own rows as well when the rows are communities."""
    if table_name != COMMUNITY_TABLE:
        return communities
    return communities | {community_row_scope(c) for c in communities if c != SITE}


def bump(connection, scopes):
    """New tokens for `scopes` in `connection`'s transaction, in a fixed order (no deadlocks)."""
    rows = [{"scope": scope, "token": new_token()} for scope in sorted(scopes)]
    if rows:
        connection.execute(_bump_statement(connection.dialect.name), rows)


@functools.cache
def _bump_statement(dialect_name):
    """Built once per dialect: building and keying the upsert cost twice running it, on every write."""
    table = DataVersion.__table__
    statement = _upsert(dialect_name)(table).values(scope=bindparam("scope"), token=bindparam("token"))
    return statement.on_conflict_do_update(index_elements=[table.c.scope], set_={"token": statement.excluded.token})


# ---- which communities a row concerns ------------------------------------------------------


_paths: dict = {}  # table name -> ("self" | "column" | ("fk", column key, parent table) list | None)


_mappers: dict = {}


def _mappers_by_table():
    if not _mappers:
        _mappers.update({m.local_table.name: m for m in db.Model.registry.mappers})
    return _mappers


def _path(table_name, depth=0):
    """How to find a row's community from its table, computed once per table."""
    if table_name in _paths:
        return _paths[table_name]
    mapper = _mappers_by_table().get(table_name)
    result = None
    if mapper is not None:
        table = mapper.local_table
        if table_name == COMMUNITY_TABLE:
            result = "self"
        elif "community_id" in table.c:
            result = "column"
        elif depth < MAX_HOPS:
            hops = []
            for column in sorted(table.c, key=lambda c: c.name):
                for fk in column.foreign_keys:
                    parent = fk.column.table.name
                    if parent != table_name and _path(parent, depth + 1) is not None:
                        hops.append((column.name, parent))
            result = hops or None
    if depth == 0 or result is not None:
        _paths[table_name] = result
    return result


def _parent_community(session, connection, table_name, key, flushed=None):
    """The community of the row `key` of `table_name` (from the identity map or the rows of the
    flush being counted, `flushed`: identity key -> row, else one SELECT)."""
    if key is None:
        return None
    path = _path(table_name)
    if path == "self":
        return key
    mapper = _mappers_by_table()[table_name]
    identity = mapper.identity_key_from_primary_key((key,))
    instance = session.identity_map.get(identity)
    if instance is None and flushed:
        instance = flushed.get(identity)  # a row of this flush: in the identity map only after it
    if instance is not None:
        return _row_community(session, connection, instance, flushed)
    table = mapper.local_table
    (pk,) = table.primary_key.columns
    if path == "column":
        return connection.execute(select(table.c.community_id).where(pk == key)).scalar()
    for column, parent in path or ():
        value = connection.execute(select(table.c[column]).where(pk == key)).scalar()
        if (found := _parent_community(session, connection, parent, value, flushed)) is not None:
            return found
    return None


def _row_community(session, connection, instance, flushed=None):
    state = inspect(instance)
    mapper = state.mapper
    table_name = mapper.local_table.name
    path = _path(table_name)
    if path == "self":
        return state.identity[0] if state.identity else getattr(instance, "id", None)
    if path == "column":
        return instance.community_id
    for column, parent in path or ():
        attribute = mapper.get_property_by_column(mapper.local_table.c[column]).key
        found = _parent_community(session, connection, parent, getattr(instance, attribute), flushed)
        if found is not None:
            return found
    return None


def _new_rows(session):
    """The rows a flush inserted, by identity key (their keys are known in after_flush, where the
    identity map does not hold them yet): a ballot and the register row pointing at it, flushed
    together, need no SELECT to find the ballot's community."""
    rows = {}
    for instance in session.new:
        state = inspect(instance)
        key = state.mapper.identity_key_from_instance(instance)
        if None not in key[1]:
            rows[key] = instance
    return rows


def _unseen_update(instance):
    """The person's scope if the flush UPDATEs only UNSEEN_COLUMNS of `instance`, their account, else None."""
    state = inspect(instance)
    unseen = UNSEEN_COLUMNS.get(state.mapper.local_table.name)
    if unseen is None or not state.key:
        return None
    changed = {key for key in state.committed_state if state.attrs[key].history.has_changes()}
    return person_scope(state.key[1][0]) if changed and changed <= unseen else None


def scopes_of(session, connection, instances, flushed=None, updated=()):
    """The scopes a flush changes: of `instances` (rows it inserts or deletes) and of `updated`
    (existing rows it UPDATEs)."""
    persons = [(row, _unseen_update(row)) for row in updated]
    scopes = {person for _row, person in persons if person is not None}
    for instance in [*instances, *(row for row, person in persons if person is None)]:
        table_name = inspect(instance).mapper.local_table.name
        if table_name in PERSONAL_TABLES:  # the person's, and whose it was should it move
            history = inspect(instance).attrs.user_id.history
            users = {*history.deleted, *history.added, *history.unchanged}
            scopes.update(person_scope(user) for user in users if user is not None)
        if table_name in UNSEEN_TABLES:
            continue
        if _path(table_name) == "column":  # the old community too, should a row move
            history = inspect(instance).attrs.community_id.history
            scopes.update(value for value in history.deleted if value is not None)
        community = _row_community(session, connection, instance, flushed)
        scopes |= _with_rows(table_name, {SITE if community is None else community})
    return scopes


# ---- the listeners -------------------------------------------------------------------------


@event.listens_for(Session, "before_flush")
def _before_flush(session, _context, _instances):
    session.connection().info[_FLUSHING] = True


@event.listens_for(Session, "after_flush")
def _after_flush(session, _context):
    # Still the pre-flush lists here (new, dirty, deleted), with the new rows' ids known.
    connection = session.connection()
    updated = [o for o in session.dirty if session.is_modified(o)]  # (dirty: neither new nor deleted)
    with session.no_autoflush:
        scopes = scopes_of(session, connection, [*session.new, *session.deleted], _new_rows(session), updated)
        connection.info.setdefault(_SCOPES, set()).update(scopes)


@event.listens_for(Session, "after_flush_postexec")
def _after_flush_postexec(session, _context):
    session.connection().info.pop(_FLUSHING, None)


@event.listens_for(Session, "do_orm_execute")
def _orm_bulk_write(state):
    """An ORM UPDATE or DELETE (`session.execute(update(Matter).where(...))`, such as a support
    count's increment): the communities of the rows it matches, read before it runs."""
    mapper = state.bind_mapper
    if not (state.is_update or state.is_delete) or mapper is None:
        return None
    table = mapper.local_table
    session = state.session
    connection = session.connection()
    scopes = _bulk_scopes(session, connection, table, state.statement)
    connection.info[_FLUSHING] = True  # counted here, not as raw SQL
    try:
        result = state.invoke_statement()
    finally:
        connection.info.pop(_FLUSHING, None)
    connection.info.setdefault(_SCOPES, set()).update(scopes)
    return result


BULK_ROWS = 50  # more rows than this matched by one statement: the site's token


def _bulk_scopes(session, connection, table, statement):
    name = table.name
    people = _bulk_persons(connection, table, statement) if name in PERSONAL_TABLES else set()
    if name in UNSEEN_TABLES:
        return people
    return people | _with_rows(name, _bulk_communities(session, connection, table, statement))


def _bulk_persons(connection, table, statement):
    where = statement.whereclause
    if where is None or "user_id" in state_values(statement):
        return {PEOPLE}
    users = connection.execute(select(table.c.user_id).where(where).distinct().limit(BULK_ROWS + 1)).scalars().all()
    return {PEOPLE} if len(users) > BULK_ROWS else {person_scope(user) for user in users}


def _bulk_communities(session, connection, table, statement):
    name = table.name
    path, where = _path(name), statement.whereclause
    moves = "community_id" in state_values(statement) or "id" in state_values(statement)
    if where is None or path is None or moves:
        return {SITE}
    (pk,) = table.primary_key.columns
    if path == "self":
        return set(connection.execute(select(pk).where(where).limit(BULK_ROWS + 1)).scalars()) or set()
    if path == "column":
        rows = connection.execute(select(table.c.community_id).where(where).distinct().limit(BULK_ROWS + 1)).all()
        found = {row[0] for row in rows}
    else:
        columns = [table.c[column] for column, _parent in path]
        rows = connection.execute(select(*columns).where(where).distinct().limit(BULK_ROWS + 1)).all()
        found = set()
        with session.no_autoflush:
            for row in rows:
                found.add(
                    next(
                        (
                            c
                            for (_column, parent), value in zip(path, row, strict=True)
                            if (c := _parent_community(session, connection, parent, value)) is not None
                        ),
                        None,
                    )
                )
    if len(rows) > BULK_ROWS or None in found:
        return {SITE}
    return found


def state_values(statement):
    """The column names an UPDATE sets (none for a DELETE)."""
    values = getattr(statement, "_values", None) or {}
    return {getattr(key, "key", key) for key in values}


@event.listens_for(Engine, "before_cursor_execute")
def _raw_write(connection, _cursor, statement, _parameters, _context, _executemany):
    info = connection.info
    if info.get(_FLUSHING) or info.get(PAUSED) or not (write := DML.match(statement)):
        return
    table = write.group(1).lower()
    if table in PERSONAL_TABLES:
        info.setdefault(_SCOPES, set()).add(PEOPLE)
    if table == DataVersion.__tablename__:
        # A transaction that writes the tokens itself (putting back or emptying a whole database,
        # as the tests' world does) leaves them as it wrote them.
        info[_OWN_TOKENS] = True
    elif table not in UNSEEN_TABLES:
        info.setdefault(_SCOPES, set()).add(SITE)


@event.listens_for(Engine, "commit")
def _on_commit(connection):
    info = connection.info
    scopes, own = info.pop(_SCOPES, None), info.pop(_OWN_TOKENS, False)
    info.pop(_FLUSHING, None)
    if scopes and not own:
        bump(connection, scopes)
        info.pop(_OWN_TOKENS, None)  # set by bump()'s own statements


@event.listens_for(Engine, "rollback")
def _on_rollback(connection):
    for key in (_SCOPES, _FLUSHING, _OWN_TOKENS):
        connection.info.pop(key, None)


def write_in(connection, statement, parameters, scope):
    """Run a Core INSERT, UPDATE or DELETE whose community the caller knows (`scope`: SITE or a
    community's id): it changes that token alone, as the same row written by a flush would, and
    costs no flush (the audit chain's entries: one per audited write)."""
    info = connection.info
    flushing = info.get(_FLUSHING)
    info[_FLUSHING] = True  # counted here, not as raw SQL (the site's token)
    try:
        result = connection.execute(statement, parameters)
    finally:
        if not flushing:
            info.pop(_FLUSHING, None)
    if not info.get(PAUSED):
        info.setdefault(_SCOPES, set()).update(_with_rows(statement.table.name, {scope}))
    return result
