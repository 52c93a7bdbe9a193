"""The logged-in user is kept per data version (app/auth/models.load_user): a page view kept warm
reads no user row, and every change to the row (a new session token, a new name, a deleted account)
is seen by the next request; a request that may write reads the row afresh."""

import re

from sqlalchemy import text, update

from app.auth.models import User
from app.extensions import db
from tests.helpers import login
from tests.perf.test_statement_budgets import counted_statements

USER_ROW = re.compile(r'\bFROM "?user\b')  # PostgreSQL quotes the name


def _get(client, path="/auth/profile"):
    db.session.remove()  # each request with an empty session, as in production
    return client.get(path, headers={"Accept-Language": "en"})


def test_a_page_view_kept_warm_reads_no_user_row(app, client, make):
    login(client, make.user(username="resident"))
    assert _get(client, "/").status_code == 200
    db.session.remove()
    with counted_statements() as statements:
        assert client.get("/", headers={"Accept-Language": "en"}).status_code == 200
    assert not [s for s in statements if USER_ROW.search(s)], statements


def test_a_changed_user_row_is_seen_on_the_next_page(app, client, make):
    user_id = make.user(username="resident", display_name="Old name").id
    login(client, User(username="resident"))
    assert "Old name" in _get(client).get_data(as_text=True)
    db.session.execute(update(User).where(User.id == user_id).values(display_name="New name"))
    db.session.commit()
    assert "New name" in _get(client).get_data(as_text=True)


def test_a_session_token_changed_by_raw_sql_ends_the_login_on_the_next_page(app, client, make):
    user_id = make.user(username="resident").id
    login(client, User(username="resident"))
    assert _get(client).status_code == 200
    assert _get(client).status_code == 200  # kept
    db.session.execute(text("UPDATE \"user\" SET session_token = 'rotated' WHERE id = :id"), {"id": user_id})
    db.session.commit()
    answer = _get(client)
    assert answer.status_code == 302 and "/auth/login" in answer.headers["Location"]


def test_a_request_that_may_write_reads_the_user_row(app, client, make):
    login(client, make.user(username="resident"))
    assert _get(client, "/").status_code == 200
    db.session.remove()
    with counted_statements() as statements:
        client.post("/auth/logout")
    assert [s for s in statements if USER_ROW.search(s)], statements
