"""The cold path kept cheap without changing what it gives (issue 12 §2): the list's cards read as
SQL text compiled once (the same rows as SQLAlchemy's execution of the statement, seen by the
engine's cursor events, errors raised as SQLAlchemy's), the locale made once per language and
Accept-Language header, and Flask-Limiter's hook after each request left out where no limit was
checked (its headers still on an answer whose limit was), a membership looked up once in a request
that may write until its session changes."""

import pytest
from sqlalchemy import exc, update

from app.communities import permissions
from app.communities.models import Membership, MembershipStatus, Role
from app.core.i18n import select_locale
from app.extensions import db
from app.matters import services
from app.matters.services import listing
from tests.matters.helpers import fields
from tests.once_per_module import once_per_module
from tests.perf.test_statement_budgets import counted_statements
from tests.security.conftest import app_with  # noqa: F401  (fixture)

FILTERS = [
    {},
    {"status": "collecting"},
    {"category": "accessibility"},
    {"sort": "supported"},
    {"mine": True},
    {"status": "draft", "mine": True},
]


@pytest.fixture
def world(request, app, make):
    """A community with 14 matters, built once for this module's tests (they only read it)."""
    return once_per_module(request, lambda: matters_listed(make))


def matters_listed(make):
    community = make.community(slug="xinglin")
    proposer = make.member(community, username="proposer")
    other = make.member(community, username="other")
    for number in range(13):
        services.create_matter(proposer, community, submit=number % 4 != 0, **fields(title=f"路灯 {number}"))
    services.create_matter(other, community, submit=True, **fields(title="别人的提议"))
    db.session.commit()
    return community, proposer


@pytest.mark.parametrize("filters", FILTERS)
@pytest.mark.parametrize("page", [1, 2, 5])
def test_the_cards_read_as_compiled_text_are_those_sqlalchemy_reads(app, world, filters, page):
    community, proposer = world
    found = listing.list_matters(community, proposer, page=page, per_page=5, **filters)
    shape = found._query_args["shape"]
    assert shape is not None  # kept for reuse: read as text
    statement, params = found._query_args["statement"], found._query_args["params"]
    rows = {"limit": 5, "offset": (page - 1) * 5}
    expected = db.session.connection().execute(statement, {**params, **rows}).all()
    assert [tuple(row) for row in expected] == listing.plain_rows(statement, {**params, **rows}, shape)
    assert found.items == [listing._card(row) for row in expected]
    total = expected[0].total if expected else found.total
    assert found.total == total and (total > 0 or filters.get("status") == "draft")


def test_the_cards_statement_is_seen_by_the_engine_and_its_errors_are_sqlalchemys(app, world, monkeypatch):
    community, proposer = world
    with counted_statements() as seen:
        page = listing.list_matters(community, None)
        assert len(page.items) == 10 and page.total == 10  # the visitor's: no drafts
    assert [s for s in seen if "micro_matter" in s] == [
        listing._PREPARED[(page._query_args["shape"], db.engine.dialect.name)].sql
    ]
    key = (page._query_args["shape"], db.engine.dialect.name)
    monkeypatch.setitem(listing._PREPARED, key, listing._PREPARED[key]._replace(sql="SELECT * FROM no_such_table"))
    with pytest.raises(exc.DBAPIError):
        listing.list_matters(community, None).items


def test_a_search_is_read_by_sqlalchemy_as_before(app, world):
    community, proposer = world
    page = listing.list_matters(community, proposer, q="路灯")
    assert page._query_args["shape"] is None
    assert page.total == 13 and {card.title for card in page.items} <= {f"路灯 {n}" for n in range(13)}


def test_the_locale_is_made_once_per_language_and_asked_as_before(app):
    chosen = {}
    for header in ["zh-CN,zh;q=0.9", "en-US,en;q=0.9", "fr, en;q=0.5", "", "de"]:
        with app.test_request_context("/", headers={"Accept-Language": header} if header else {}):
            chosen[header] = select_locale()
    assert {header: str(locale) for header, locale in chosen.items()} == {
        "zh-CN,zh;q=0.9": "zh_Hans",
        "en-US,en;q=0.9": "en",
        "fr, en;q=0.5": "en",
        "": "zh_Hans",
        "de": "zh_Hans",
    }
    assert chosen["zh-CN,zh;q=0.9"] is chosen[""]  # one Locale per language
    with app.test_request_context("/", headers={"Accept-Language": "zh-CN"}) as context:
        context.session["lang"] = "en"
        assert str(select_locale()) == "en"


def test_the_page_in_the_chosen_language(client, world):
    page = client.get("/c/xinglin/matters/", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert "Micro-matters" in page
    page = client.get("/c/xinglin/matters/", headers={"Accept-Language": "zh-CN"}).get_data(as_text=True)
    assert "微实事" in page and "Micro-matters" not in page


def test_rate_limit_headers_only_where_a_limit_was_checked(app_with):  # noqa: F811  (the fixture imported)
    limited = app_with(RATELIMIT_ENABLED=True, RATELIMIT_HEADERS_ENABLED=True, RATELIMIT_STORAGE_URI="memory://")
    client = limited.test_client()
    front = client.get("/")
    assert front.status_code == 200
    assert not [name for name in front.headers.keys() if name.startswith("X-RateLimit")]
    login = client.post("/auth/login", data={"username": "nobody", "password": "wrong-password"})
    assert login.status_code == 400 and login.headers["X-RateLimit-Limit"] == "10"


def test_a_request_that_may_write_looks_a_membership_up_once_until_its_session_changes(app, make):
    community = make.community(slug="xinglin")
    person = make.user(username="joiner")
    db.session.commit()

    def lookups():
        return len([statement for statement in seen if "FROM membership" in statement])

    with counted_statements() as seen, app.test_request_context("/c/xinglin/join", method="POST"):
        assert permissions.membership_of(person, community) is None
        assert permissions.membership_of(person, community) is None
        assert lookups() == 1  # looked up once
        joined = Membership(user_id=person.id, community_id=community.id, status=MembershipStatus.PENDING)
        db.session.add(joined)  # not written yet: the next lookup writes it and finds it
        assert permissions.membership_of(person, community) is joined
        assert not permissions.is_verified_resident(person, community)
        db.session.commit()
        db.session.execute(  # raw SQL through the session: seen at the next lookup
            update(Membership)
            .where(Membership.id == joined.id)
            .values(status=MembershipStatus.VERIFIED, role=Role.COMMITTEE)
        )
        assert permissions.is_committee(person, community)
        looked = lookups()
        assert permissions.can_manage_members(person, community) and lookups() == looked
        db.session.commit()
        permissions.membership_of(person, community).role = Role.RESIDENT  # changed, not written
        assert not permissions.is_committee(person, community)
        db.session.rollback()
        assert permissions.is_committee(person, community)  # the change undone: the row as stored
