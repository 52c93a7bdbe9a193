"""The list of micro-matters: its query (filters, search, order), its cards as plain rows, and
pages whose total comes in the same statement as their rows (CountedPage, used by comments too)."""

from operator import itemgetter
from typing import NamedTuple

from flask_sqlalchemy.pagination import Pagination
from sqlalchemy import Integer, bindparam, func, or_, select

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
    statement of plain columns then, run on the session's connection without the ORM's loading."""

    def _read(self, limit, offset):
        params = {**self._query_args.get("params", {}), "limit": limit, "offset": offset}
        if "item" in self._query_args:
            return db.session.connection().execute(self._query_args["statement"], params).all()
        return db.session.execute(self._query_args["statement"], params).unique().all()

    def _query_items(self):
        rows = self._read(self.per_page, self._query_offset)
        self._total = rows[0].total if rows else None
        item = self._query_args.get("item", itemgetter(0))
        return [item(row) for row in rows]

    def _query_count(self):
        if self._total is None:  # a page past the end: the total comes with the first row
            first = self._read(1, 0)
            self._total = first[0].total if first else 0
        return self._total


def _card(row):
    cover = None if row.cover_id is None else Cover(row.cover_id, row.cover_caption)
    return Card(*row[:7], Person(row.proposer_id, row.proposer_name), cover)


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
    statement = None if q.strip() else _STATEMENTS.get(shape := tuple(filters.values()))
    if statement is None:
        statement = counted(list_query(community, user, q=q, **filters), MicroMatter.id, rows=_cards)
        if not q.strip():
            _STATEMENTS[shape] = statement
    params = {"community_id": community.id, "user_id": user.id if getattr(user, "is_authenticated", False) else None}
    return CountedPage(statement=statement, params=params, item=_card, page=page, per_page=per_page, error_out=False)
