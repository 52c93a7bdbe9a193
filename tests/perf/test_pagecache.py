"""The page cache (app/ops/pagecache.py): visitors not logged in are served a page rendered before
for as long as the data version it was rendered under holds; never anyone's personal page."""

import contextlib
import threading

from sqlalchemy import select, text
from werkzeug.test import Client

from app.core.versions import SITE, DataVersion
from app.extensions import db
from app.matters import services
from tests.database import sqlite_file_app
from tests.helpers import Builder as make_builder
from tests.helpers import login
from tests.matters.helpers import fields


def _tokens():
    return dict(db.session.execute(select(DataVersion.scope, DataVersion.token)).all())


def test_a_write_changes_its_community_token_in_the_same_transaction(app, make):
    community = make.community()
    before = _tokens()
    assert community.id in before
    community.name = "改名"
    db.session.flush()
    assert _tokens() == before  # not yet: written just before COMMIT
    db.session.commit()
    after = _tokens()
    assert after[community.id] != before[community.id]
    assert after.get(SITE) == before.get(SITE)


def test_a_rolled_back_write_changes_no_token(app, make):
    community = make.community()
    before = _tokens()
    community.name = "改名"
    db.session.flush()
    db.session.rollback()
    assert _tokens() == before


def test_raw_sql_writes_change_the_site_token(app, make):
    community = make.community()
    before = _tokens()
    db.session.execute(text("UPDATE community SET name = 'x' WHERE id = :id"), {"id": community.id})
    db.session.commit()
    after = _tokens()
    assert after[SITE] != before.get(SITE)
    assert after[community.id] == before[community.id]


def test_visitors_get_the_cached_page_until_a_write(app, make, client):
    community = make.community()
    url = f"/c/{community.slug}/matters/"
    first = client.get(url)
    assert first.status_code == 200 and "X-Page-Cache" not in first.headers
    again = client.get(url)
    assert again.headers.get("X-Page-Cache") == "hit"
    assert again.data == first.data
    community.name = "新名字社区"
    db.session.commit()
    fresh = client.get(url)
    assert "新名字社区" in fresh.get_data(as_text=True) and "X-Page-Cache" not in fresh.headers


def test_with_csrf_on_a_page_showing_a_form_token_is_never_shared(app, make):
    app.config["WTF_CSRF_ENABLED"] = True
    make.community()
    first, second = app.test_client(), app.test_client()
    page = first.get("/auth/login")
    assert 'name="csrf_token"' in page.get_data(as_text=True)
    again = second.get("/auth/login")
    assert again.headers.get("X-Page-Cache") != "hit"
    assert again.get_data(as_text=True) != page.get_data(as_text=True)  # a token of its own


def test_with_csrf_on_a_page_that_made_a_form_without_showing_it_is_shared_without_the_cookie(app, make):
    app.config["WTF_CSRF_ENABLED"] = True
    community = make.community()
    proposer = make.member(community)
    matter = services.create_matter(proposer, community, submit=True, **fields())
    url = f"/c/{community.slug}/matters/{matter.id}"
    first = app.test_client().get(url)
    assert "csrf_token" not in first.get_data(as_text=True)
    shared = app.test_client().get(url)
    assert shared.headers.get("X-Page-Cache") == "hit" and "Set-Cookie" not in shared.headers
    assert shared.data == first.data


def test_people_logged_in_always_get_their_own_rendering(app, make):
    community = make.community()
    user = make.member(community)
    url = f"/c/{community.slug}/matters/"
    visitor, member = app.test_client(), app.test_client()
    visitor.get(url)
    assert visitor.get(url).headers.get("X-Page-Cache") == "hit"
    login(member, user)
    for _ in range(2):
        response = member.get(url)
        assert response.headers.get("X-Page-Cache") is None
        assert user.display_name in response.get_data(as_text=True)


def test_served_outside_any_app_context_as_under_gunicorn(tmp_path):
    """The tokens read on the thread's own connection (no app context before Flask runs)."""
    with contextlib.ExitStack() as stack:
        app = stack.enter_context(contextlib.contextmanager(sqlite_file_app)(tmp_path / "weiyi.db"))
        community = make_builder().community()
        slug = community.slug

        def get(url):
            box = {}
            thread = threading.Thread(target=lambda: box.update(r=Client(app.wsgi_app).get(url)))
            thread.start()
            thread.join(30)
            return box["r"]

        assert get(f"/c/{slug}/matters/").status_code == 200
        assert get(f"/c/{slug}/matters/").headers.get("X-Page-Cache") == "hit"
        assert get("/").status_code == 200 and get("/").headers.get("X-Page-Cache") == "hit"
        db.session.get(type(community), community.id).name = "改过的名字"
        db.session.commit()
        fresh = get(f"/c/{slug}/matters/")
        assert fresh.headers.get("X-Page-Cache") is None and "改过的名字" in fresh.get_data(as_text=True)
        assert get("/").headers.get("X-Page-Cache") is None
