"""The list of micro-matters: its query (filters, search, order), its cards as plain rows, and
pages whose total comes in the same statement as their rows (CountedPage, used by comments too)."""

from operator import itemgetter
from typing import NamedTuple

from flask_sqlalchemy.pagination import Pagination
from sqlalchemy import Integer, bindparam, exc, func, or_, select

from app.auth.models import User
from app.extensions import db

from .. import search
from ..lifecycle import OUT_OF_TOTALS, Status
from ..models import Category, MatterPhoto, MicroMatter

PER_PAGE = 10


def list_query(community, user=None, *, status=None, category=None, q="", sort="newest", mine=False):
    # The community and the person are named parameters: list_matters reuses the statement for others.
    user_id = bindparam("user_id", user.id if getattr(user, "is_authenticated", False) else None)
    in_community = MicroMatter.community_id == bindparam("community_id", community.id)
    if q.strip():  # the search tells the database where to start (search.py)
        in_community = search.matching(q, in_community, MicroMatter.id, MicroMatter.search_text)
    query = select(MicroMatter).where(in_community)
    if mine:
        query = query.where(MicroMatter.proposer_id == user_id)
    else:
        # Drafts are private and hidden matters left out: each person sees their own, nobody else's.
        query = query.where(or_(MicroMatter.status.not_in(OUT_OF_TOTALS), MicroMatter.proposer_id == user_id))
    if status in set(Status):
        query = query.where(MicroMatter.status == status)
    if category in set(Category):
        query = query.where(MicroMatter.category == category)
    if sort == "supported":
        query = query.order_by(MicroMatter.support_count.desc(), MicroMatter.id.desc())
    else:
        query = query.order_by(
            func.coalesce(MicroMatter.submitted_at, MicroMatter.created_at).desc(), MicroMatter.id.desc()
        )
    return query


class Person(NamedTuple):
    """What a card needs of its proposer (templates' `person`: the name and the official badge)."""

    id: int
    display_name: str


class Cover(NamedTuple):
    id: int
    caption: str


class Card(NamedTuple):
    """A matter as the list shows it: plain values, no ORM object to load or track."""

    id: int
    title: str
    status: str
    category: str
    location: str
    estimated_cost: int
    support_count: int
    proposer: Person
    cover: Cover | None  # the first photo, the card's thumbnail


# The cards' columns only, as rows: the proposer's name joined, the first photo by correlated
# subqueries (evaluated for the page's rows only).
def _cards(query):
    first_photo = select(MatterPhoto).where(MatterPhoto.matter_id == MicroMatter.id).order_by(MatterPhoto.id).limit(1)
    return query.with_only_columns(
        MicroMatter.id,
        MicroMatter.title,
        MicroMatter.status,
        MicroMatter.category,
        MicroMatter.location,
        MicroMatter.estimated_cost,
        MicroMatter.support_count,
        MicroMatter.proposer_id,
        User.display_name.label("proposer_name"),
        first_photo.with_only_columns(MatterPhoto.id).scalar_subquery().label("cover_id"),
        first_photo.with_only_columns(MatterPhoto.caption).scalar_subquery().label("cover_caption"),
    ).join_from(MicroMatter, User, User.id == MicroMatter.proposer_id)


def counted(query, key, rows=None):
    """The select of a page of `query`'s rows (or of the select rows(query) makes) with a last
    column `total`: a count of the whole filtered list as an uncorrelated subquery, run once,
    while the rows are read in index order up to the page's end (a window count would read them
    all). The page's `limit` and `offset` are parameters: one statement serves every page.
    `key`: the listed model's primary key."""
    total = select(func.count()).select_from(query.with_only_columns(key).order_by(None).subquery())
    listed = query if rows is None else rows(query)
    return (
        listed.add_columns(total.scalar_subquery().label("total"))
        .limit(bindparam("limit", type_=Integer))
        .offset(bindparam("offset", type_=Integer))
    )


class CountedPage(Pagination):
    """A page whose total comes in the same query as its rows: `statement` from counted(), run
    with `params`. Its items are the rows' first column (the model's objects), or item(row) — a
    statement of plain columns then, run on the session's connection without the ORM's loading
    (with `shape`, the key it is kept under for reuse, as SQL text compiled once: plain_rows)."""

    def _read(self, limit, offset):
        params = {**self._query_args.get("params", {}), "limit": limit, "offset": offset}
        if "item" in self._query_args:
            return plain_rows(self._query_args["statement"], params, self._query_args.get("shape"))
        return db.session.execute(self._query_args["statement"], params).unique().all()

    def _query_items(self):
        rows = self._read(self.per_page, self._query_offset)
        self._total = rows[0][-1] if rows else None  # (the column `total`)
        item = self._query_args.get("item", itemgetter(0))
        return [item(row) for row in rows]

    def _query_count(self):
        if self._total is None:  # a page past the end: the total comes with the first row
            first = self._read(1, 0)
            self._total = first[0][-1] if first else 0
        return self._total


def _card(row):
    *shown, proposer_id, proposer_name, cover_id, cover_caption, _total = row
    return Card(
        *shown, Person(proposer_id, proposer_name), None if cover_id is None else Cover(cover_id, cover_caption)
    )


class _Prepared(NamedTuple):
    """A statement of plain columns compiled once for a dialect: its SQL text, the order of its
    parameters (None: by name), and the values of those the caller does not give."""

    sql: str
    names: tuple | None
    constants: dict


_PREPARED: dict = {}  # (shape, dialect name) -> _Prepared


def plain_rows(statement, params, shape=None):
    """The rows (plain tuples) of `statement` run with `params` on the session's connection. With a
    `shape` (the key of a statement kept for reuse), its SQL text is compiled once and run straight
    on the driver's cursor: SQLAlchemy's execution (the statement's cache key, the IN list expanded,
    result rows) cost about five times running it. Only for columns and parameters of plain types
    (numbers, text: no conversion on either side); the engine's cursor events still see it."""
    connection = db.session.connection()
    if shape is None:
        return connection.execute(statement, params).all()
    dialect = connection.dialect
    prepared = _PREPARED.get((shape, dialect.name))
    if prepared is None:
        # Compiled with every parameter given (their values stand in), the IN lists written out.
        sample = {name: 0 for name in ("limit", "offset")}
        compiled = statement.params(**sample).compile(dialect=dialect, compile_kwargs={"render_postcompile": True})
        names = tuple(compiled.positiontup or ()) if compiled.positional else None
        prepared = _PREPARED[(shape, dialect.name)] = _Prepared(str(compiled), names, dict(compiled.params))
    values = {**prepared.constants, **params}
    parameters = tuple(values[name] for name in prepared.names) if prepared.names is not None else values
    cursor = connection.connection.cursor()
    try:
        connection.dispatch.before_cursor_execute(connection, cursor, prepared.sql, parameters, None, False)
        cursor.execute(prepared.sql, parameters)
        return cursor.fetchall()
    except dialect.loaded_dbapi.Error as error:  # as SQLAlchemy would raise it (the error pages expect it)
        raise exc.DBAPIError.instance(prepared.sql, parameters, error, dialect.loaded_dbapi.Error) from error
    finally:
        cursor.close()


# The list's statements by the filters' values (q aside: any text): each is built, and its cache
# key made, once per process, which costs more than running it; the community, the person and the
# page are its parameters.
_STATEMENTS: dict = {}


def list_matters(
    community, user=None, *, page=1, per_page=PER_PAGE, status=None, category=None, q="", sort="newest", mine=False
):
    """A page of the list; its items are Cards."""
    filters = {
        "status": status if status in set(Status) else None,
        "category": category if category in set(Category) else None,
        "sort": sort if sort == "supported" else "newest",
        "mine": bool(mine),
    }
    shape = None if q.strip() else tuple(filters.values())
    statement = _STATEMENTS.get(shape)
    if statement is None:
        statement = counted(list_query(community, user, q=q, **filters), MicroMatter.id, rows=_cards)
        if shape is not None:
            _STATEMENTS[shape] = statement
    params = {"community_id": community.id, "user_id": user.id if getattr(user, "is_authenticated", False) else None}
    return CountedPage(
        statement=statement, params=params, item=_card, shape=shape, page=page, per_page=per_page, error_out=False
    )
