"""Issue 12 §3: the community row every page under /c/<slug>/ reads is kept through the writes in
its community that leave it as it was (a storm of ballots: the ballot page reads it no more after
each ballot), and never shown stale after any kind of write to it (app/core/versions.py: the scope
of a community's own row; app/core/version_cache.kept_community_row)."""

import re

import pytest
from sqlalchemy import event, select, text, update

from app.communities.models import Community, Role
from app.core import versions
from app.extensions import db
from tests.helpers import login
from tests.voting.helpers import make_matters, open_round

COMMUNITY_ROW = re.compile(r"\bFROM community\s+WHERE community\.slug\b")


@pytest.fixture
def statements(app):
    seen = []

    def note(_connection, _cursor, statement, *_args):
        seen.append(statement)

    event.listen(db.engine, "before_cursor_execute", note)
    yield seen
    event.remove(db.engine, "before_cursor_execute", note)


@pytest.fixture
def community(make):
    return make.community(slug="xinglin")


def _page(client, url):
    db.session.remove()  # the test's rows are not the request's (it would find the session's own copy)
    response = client.get(url)
    assert response.status_code == 200, url
    return response.get_data(as_text=True)


def test_after_a_ballot_the_next_ballot_page_does_not_read_the_community_again(app, make, community, statements):
    committee = make.member(community, role=Role.COMMITTEE)
    voter, next_voter = make.member(community), make.member(community)
    voting_round = open_round(committee, community, make_matters(community, committee))
    option, name = str(voting_round.options[0].id), community.name
    community_id = community.id
    path = f"/c/xinglin/rounds/{voting_round.id}"
    voter_client, next_client = app.test_client(), app.test_client()
    login(voter_client, voter)
    login(next_client, next_voter)
    _page(next_client, path)  # the community row read once, as on the storm's first page
    _page(voter_client, path)
    tokens = dict(db.session.execute(select(versions.DataVersion.scope, versions.DataVersion.token)).all())

    statements.clear()
    db.session.remove()
    assert voter_client.post(path, data={"option": [option]}).status_code == 303
    assert any(COMMUNITY_ROW.search(s) for s in statements)  # a request that may write reads it fresh
    after = dict(db.session.execute(select(versions.DataVersion.scope, versions.DataVersion.token)).all())
    assert after[community_id] != tokens[community_id]  # the ballot did change the community's pages' token

    statements.clear()
    page = _page(next_client, path)
    assert not [s for s in statements if COMMUNITY_ROW.search(s)]
    assert name in page and f'value="{option}"' in page
    assert "社区" in _page(voter_client, f"{path}/receipt")


def _rename_by_flush(community_id, name):
    db.session.get(Community, community_id).name = name
    db.session.commit()


def _rename_by_bulk_update(community_id, name):
    db.session.execute(update(Community).where(Community.id == community_id).values(name=name))
    db.session.commit()


def _rename_by_bulk_update_of_many(_community_id, name):
    db.session.execute(update(Community).where(Community.slug.in_(["xinglin", "other"])).values(name=name))
    db.session.commit()


def _rename_by_raw_sql(community_id, name):
    db.session.execute(text("UPDATE community SET name = :name WHERE id = :id"), {"name": name, "id": community_id})
    db.session.commit()


def _rename_by_core_write(community_id, name):
    statement = Community.__table__.update().where(Community.__table__.c.id == community_id)
    versions.write_in(db.session.connection(), statement.values(name=name), {}, community_id)
    db.session.commit()


RENAMES = [
    _rename_by_flush,
    _rename_by_bulk_update,
    _rename_by_bulk_update_of_many,
    _rename_by_raw_sql,
    _rename_by_core_write,
]


@pytest.mark.parametrize("rename", RENAMES, ids=[r.__name__.removeprefix("_rename_by_") for r in RENAMES])
def test_every_write_to_the_community_row_shows_on_the_next_page(app, make, community, rename):
    make.community(slug="other")
    member = make.member(community)
    community_id = community.id
    member_client, visitor = app.test_client(), app.test_client()
    login(member_client, member)
    for client in (member_client, visitor):
        for url in ("/c/xinglin/", "/c/xinglin/matters/"):
            _page(client, url)
            assert "社区" in _page(client, url)  # now kept: the row and, for the visitor, the page

    rename(community_id, "杏林新村")

    for client in (member_client, visitor):
        for url in ("/c/xinglin/", "/c/xinglin/matters/"):
            assert "杏林新村" in _page(client, url), url


def test_the_committees_register_size_shows_at_once(app, make, community, statements):
    committee = make.member(community, role=Role.COMMITTEE)
    client = app.test_client()
    login(client, committee)
    _page(client, "/c/xinglin/settings")
    statements.clear()
    assert 'value="1000"' in _page(client, "/c/xinglin/settings")
    assert not [s for s in statements if COMMUNITY_ROW.search(s)]  # kept

    response = client.post("/c/xinglin/settings/register-size", data={"register_size": "2345"})
    assert response.status_code in (302, 303)
    assert 'value="2345"' in _page(client, "/c/xinglin/settings")


def test_a_write_in_the_community_that_leaves_its_row_alone_keeps_it(app, make, community, statements):
    member = make.member(community)
    client = app.test_client()
    login(client, member)
    name = community.name
    statements.clear()
    _page(client, "/c/xinglin/")
    assert any(COMMUNITY_ROW.search(s) for s in statements)  # the first view reads it
    make_matters(community, member)  # rows of the community: its pages' token, not its row's
    statements.clear()
    assert name in _page(client, "/c/xinglin/")
    assert not [s for s in statements if COMMUNITY_ROW.search(s)]
