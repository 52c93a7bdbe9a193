"""Values read on almost every page that change rarely (a community, the support threshold of its
rules in force, its officials' badges), kept in this worker's memory for as long as the data
version (app/core/versions.py) of their community and of the site stays the same (the community's
own row: for as long as the site's token and its row's stay the same, kept_community_row).

The tokens are those the page cache read before Flask ran (app/ops/pagecache.py puts them on the
WSGI environ), or read once per request (one statement): before the request's session has run a
statement, on a connection kept for the purpose outside any transaction (version_reads.read_tokens:
no pooled connection, BEGIN or ROLLBACK of the ORM's, and no newer than any snapshot the session
takes afterwards); once it has, on the session's own connection (the same snapshot). Only page
views use the cache: a request that may write reads from the database, so that what it checks is
what it changes. Rows are kept as their column values and put back into the request's session
without a query.
"""

import functools

from flask import g, has_request_context, request, session
from sqlalchemy import bindparam, event, inspect, select
from sqlalchemy.orm import Session, make_transient_to_detached

from app.extensions import db

from .kept import Kept
from .version_reads import PAGE_TOKENS, read_tokens, tokens

ENVIRON_KEY = "weiyi.data_version"  # (slug, tokens) read by the page cache for this request
MAX_ENTRIES = 4096
READS = frozenset({"GET", "HEAD"})

_store = Kept(MAX_ENTRIES)  # (name, slug) -> (tokens, value)
MAX_PEOPLE_ENTRIES = 8192  # the least recently used go first
_people = Kept(MAX_PEOPLE_ENTRIES)  # (name, user id) -> (tokens, value)
_BEGUN = "weiyi.transaction_begun"  # Session.info: its transaction holds a connection (a snapshot)


@event.listens_for(Session, "after_begin")
def _begun(session, _transaction, _connection):
    session.info[_BEGUN] = True


@event.listens_for(Session, "after_transaction_end")
def _ended(session, transaction):
    if transaction.parent is None:
        session.info.pop(_BEGUN, None)


def _session_user_id():
    """The id of the person this request's session is logged in as (Flask-Login's "_user_id",
    "<id>:<session token>"), None for a visitor. Only used to read their tokens with the page's in
    one statement; their values are kept only for the user the request has loaded (personal)."""
    ident = str(session.get("_user_id") or "").partition(":")[0]
    return int(ident) if ident.isdigit() else None


def _read(slug):
    """(slug, page tokens, person tokens or None) for this page view, read in one statement."""
    user_id = _session_user_id()
    values = None
    sessions = db.session.registry  # (has(): whether this request made its session yet, without making it)
    if not sessions.has() or not sessions().info.get(_BEGUN):  # no statement run yet: read outside the session
        engine = db.engine
        try:
            values = read_tokens(engine, slug, user_id)
        except engine.dialect.loaded_dbapi.Error:
            values = None  # the session's own connection reports it, as the app's error pages expect
    if values is None:
        values = tokens(db.session.connection(), slug, user_id)
    person = None if user_id is None else (user_id, values[PAGE_TOKENS:])
    known = g._data_version = (slug, values[:PAGE_TOKENS], person)
    return known


def request_tokens(slug):
    """The tokens of the site, of the community `slug` and of its own row for this page view (the
    key of anything shown under /c/<slug>/), None otherwise."""
    if not has_request_context() or request.method not in READS:
        return None
    known = g.get("_data_version")
    if known is None or known[0] != slug:
        known = request.environ.get(ENVIRON_KEY)
        if known is None or known[0] != slug:
            known = _read(slug)
        else:
            known = g._data_version = (*known, None)
    versions = known[1]
    return None if None in versions else versions  # no token yet: nothing to key on


def person_tokens(user_id):
    """The tokens of the person `user_id`'s own values for this page view (read with the page's
    tokens, or alone on a page that has read none), None for anyone else or a request that may write."""
    if not has_request_context() or request.method not in READS or user_id != _session_user_id():
        return None
    known = g.get("_data_version")
    if known is None or known[2] is None or known[2][0] != user_id:
        known = _read(known[0] if known is not None else None)
    versions = known[2][1]
    return None if None in versions else versions


def kept(name, slug, compute):
    """compute(), or its value kept from an earlier request under the same tokens of `slug`.
    compute() must depend only on rows of that community and of the site."""
    return _made(_store, (name, slug), request_tokens(slug), compute)


def kept_community_row(slug, load):
    """The community `slug`'s row, which load() finds, kept as its columns under the tokens of the
    site and of the community's own row alone (app/core/versions.py: community_row_scope): through
    the writes in the community that leave the row as it was, such as a storm of ballots, and put
    back into this session."""
    versions = request_tokens(slug)
    row_versions = None if versions is None else (versions[0], versions[2])
    values = _made(_store, ("community", slug), row_versions, lambda: _columns(load()))
    return None if values is None else _attached(values)


def personal(name, user_id, compute):
    """compute(), or its value kept from an earlier page view of the same logged-in person under
    the same tokens of theirs (app/core/versions.py: PERSONAL_TABLES) and of the site. compute()
    must depend only on the site's rows and the person's rows of PERSONAL_TABLES; for anyone but
    the request's own logged-in person, and in a request that may write, it runs each time."""
    return _made(_people, (name, user_id), person_tokens(user_id), compute)


def _made(store, key, versions, compute):
    """compute() kept in `store` under `key` for `versions`; run each time where there are none."""
    return compute() if versions is None else store.made(key, compute, versions)


def personal_row(name, user_id, load):
    """The row load() finds, as personal() keeps it: its columns, put back into this session."""
    values = personal(name, user_id, lambda: _columns(load()))
    return None if values is None else _attached(values)


def personal_row_by_key(name, model, user_id):
    """personal_row() of the row of `model` whose primary key is `user_id` (the person's own row),
    read, when not kept, with one plain SELECT of its columns: the ORM's get() cost about twice
    as much, and every request that may write, and each person's first page, reads it."""
    values = personal(name, user_id, lambda: _columns_by_key(model, user_id))
    return None if values is None else _attached(values)


def _columns_by_key(model, key):
    session = db.session()
    mapper = inspect(model)
    own = session.identity_map.get(mapper.identity_key_from_primary_key([key]))
    if own is not None:  # (as get() would: the session's copy, with what it holds)
        return _columns(own)
    query, names = _select_by_key(mapper)
    row = session.execute(query, {"key": key}).one_or_none()
    return None if row is None else (mapper.class_, dict(zip(names, row, strict=True)))


@functools.cache
def _select_by_key(mapper):
    (key_column,) = mapper.primary_key
    attrs = list(mapper.column_attrs)
    query = select(*(attr.columns[0] for attr in attrs)).where(key_column == bindparam("key"))
    return query, tuple(attr.key for attr in attrs)


def _columns(row):
    if row is None:
        return None
    mapper = inspect(row).mapper
    return mapper.class_, {attr.key: getattr(row, attr.key) for attr in mapper.column_attrs}


def _attached(values):
    """The kept row in this request's session: the session's own copy if it has one, else a new
    instance of the kept columns, made a clean persistent row (no query; cheaper than merge()).
    A row with nothing to lazy-load (no relationship: a user's) waits, detached, until the session
    runs a statement or flushes (_attach_waiting): a page answered from kept parts then never adds
    it (the add, its cascade and the transaction it begins cost more than making the row). What a
    statement returns, or a lazy load or get() finds, is still this row (a get() before any
    statement finds it with one SELECT)."""
    model, columns = values
    session = db.session()
    mapper, key_names, has_relationships = _shape(model)
    key = mapper.identity_key_from_primary_key([columns[name] for name in key_names])
    own = session.identity_map.get(key)
    if own is None:
        own = session.info.get(_WAITING, {}).get(key)
    if own is not None:
        return own
    row = mapper.class_manager.new_instance()
    row.__dict__.update(columns)  # a new instance: nothing loaded or changed yet to keep apart
    make_transient_to_detached(row)
    if has_relationships or session.info.get(_BEGUN):
        session.add(row)
    else:
        session.info.setdefault(_WAITING, {})[key] = row
    return row


_WAITING = "weiyi.kept_rows_waiting"  # Session.info: identity key -> a kept row not added yet


@event.listens_for(Session, "do_orm_execute")
def _attach_before_statement(state):
    _attach_waiting(state.session)


@event.listens_for(Session, "before_flush")
def _attach_waiting(session, *_args):
    """The waiting kept rows, added before the session's first statement or flush, so that what the
    statement returns, or the flush writes, is them (the session's own copy, if it has one, wins)."""
    waiting = session.info.pop(_WAITING, None)
    for key, row in (waiting or {}).items():
        if session.identity_map.get(key) is None:
            session.add(row)


@functools.cache
def _shape(model):
    """(mapper, its primary key's attribute names, whether it has relationships) of a kept row's class."""
    mapper = inspect(model)
    key_names = [mapper.get_property_by_column(column).key for column in mapper.primary_key]
    return mapper, key_names, bool(mapper.relationships)


def clear():
    _store.clear()
    _people.clear()


def per_view(name, key, compute):
    """compute(), read once per request and reused by the rest of it: values several parts of a
    page or an action ask for (a council's members, a meeting's proxies, a membership). A page view
    (GET or HEAD) keeps it to its end; a request that may write keeps it until its session writes,
    ends a transaction or holds changes not written yet, so that what it checks is what it changes."""
    if not has_request_context():
        return compute()
    memo = g.setdefault("_per_view", {})
    if request.method in READS:
        if (name, key) not in memo:
            memo[(name, key)] = (None, compute())
        return memo[(name, key)][1]
    session = db.session()
    if session.new or session.dirty or session.deleted:  # the lookup writes them first
        return compute()
    found = memo.get((name, key))
    if found is None or found[0] != session.info.get(_CHANGES, 0):
        value = compute()
        found = memo[(name, key)] = (session.info.get(_CHANGES, 0), value)
    return found[1]


_CHANGES = "weiyi.session_changes"  # Session.info: how many times it wrote or ended a transaction


def _session_changed(session, *_args):
    session.info[_CHANGES] = session.info.get(_CHANGES, 0) + 1


for _event in ("after_flush", "after_transaction_end"):
    event.listen(Session, _event, _session_changed)


@event.listens_for(Session, "do_orm_execute")
def _statement_run(state):
    if not state.is_select:  # an UPDATE, DELETE or INSERT (of rows or in raw SQL) through the session
        _session_changed(state.session)
