"""Columns no page shows (app/core/versions.UNSEEN_COLUMNS: a person's session token and password
hash): an UPDATE of nothing else of their row changes only that person's token, so that a logout
leaves every visitor's cached page cached, while the session it ends is refused on the very next
page, in this worker and in any other that kept the person's row before."""

import re

import pytest
from sqlalchemy import select, update
from werkzeug.security import generate_password_hash

from app.auth.models import User
from app.communities.models import Community, Membership, Role
from app.core import shared_body, version_cache
from app.core.versions import SITE, DataVersion, person_scope
from app.extensions import db
from app.matters import services
from tests.helpers import login
from tests.matters.helpers import fields
from tests.perf.conftest import one_clock_period  # noqa: F401  (autouse: no cache miss from the clock)
from tests.perf.kept_state import KeptState
from tests.perf.test_personal_freshness import KEPT_STORES

PAGE_CACHE_HIT = "X-Page-Cache"
LOGOUT_FORM = "/auth/logout"
NEW_PASSWORD = "lantern-river-quiet"


@pytest.fixture
def place(make):
    community = make.community(slug="xinglin")
    resident = make.member(community, username="resident", display_name="王阿姨")
    matter = services.create_matter(resident, community, submit=True, **fields())
    return community.id, resident.id, matter.id


def _tokens():
    return dict(db.session.execute(select(DataVersion.scope, DataVersion.token)).all())


def _get(client, url):
    db.session.remove()  # each request with an empty session, as in production
    return client.get(url, headers={"Accept-Language": "en"})


def _logged_in_page(client, url="/c/xinglin/matters/"):
    page = _get(client, url)
    assert page.status_code == 200
    return LOGOUT_FORM in page.get_data(as_text=True)


def _copied_session(app, client):
    """A second browser holding a copy of `client`'s session cookie (as a thief would)."""
    thief = app.test_client()
    thief.set_cookie("session", client.get_cookie("session").value, domain="localhost")
    return thief


def _kept_logged_in(client, user_id):
    """`client`'s list page, shown until it is put together from kept parts (a shared body, the
    person's row kept; the first shows the login's message, and is not kept), and the kept state
    then, as another worker would hold it."""
    assert _logged_in_page(client) and _logged_in_page(client)
    page = _get(client, "/c/xinglin/matters/")
    assert page.headers.get(shared_body.HIT) and LOGOUT_FORM in page.get_data(as_text=True)
    assert ("user", user_id) in dict(version_cache._people.entries())
    return KeptState(*KEPT_STORES)


def _refused(copy, kept):
    """The copied session, on the next page of a worker that kept everything before the write
    (its kept state put back), and on a page that needs a login."""
    kept.put_back()
    assert not _logged_in_page(copy)
    kept.put_back()
    answer = _get(copy, "/auth/profile")
    return answer.status_code == 302 and "/auth/login" in answer.headers["Location"]


def test_a_logout_leaves_visitors_pages_cached_and_moves_only_the_persons_token(app, client, place):
    community_id, resident_id, matter_id = place
    visitor = app.test_client()
    urls = ("/", "/c/xinglin/", "/c/xinglin/matters/", f"/c/xinglin/matters/{matter_id}")
    for url in urls:
        _get(visitor, url)
        assert _get(visitor, url).headers.get(PAGE_CACHE_HIT) == "hit", url
    login(client, User(username="resident"))
    before = _tokens()
    assert _get(client, "/c/xinglin/matters/").status_code == 200
    assert client.post("/auth/logout").status_code == 302
    after = _tokens()
    assert after[SITE] == before[SITE] and after[community_id] == before[community_id]
    assert after[person_scope(resident_id)] != before.get(person_scope(resident_id))
    for url in urls:
        assert _get(visitor, url).headers.get(PAGE_CACHE_HIT) == "hit", url


def test_an_old_session_is_refused_on_the_next_page_after_a_logout(app, client, place):
    _community_id, resident_id, _matter_id = place
    login(client, User(username="resident"))
    kept = _kept_logged_in(client, resident_id)
    copy = _copied_session(app, client)
    assert client.post("/auth/logout").status_code == 302
    assert _refused(copy, kept)


def test_an_old_session_is_refused_after_a_password_change_and_the_changer_stays_in(app, client, place):
    _community_id, resident_id, _matter_id = place
    login(client, User(username="resident"))
    kept = _kept_logged_in(client, resident_id)
    copy = _copied_session(app, client)
    form = {"display_name": "王阿姨", "email": "", "current_password": "password123", "new_password": NEW_PASSWORD}
    assert client.post("/auth/profile", data=form).status_code == 302
    assert _refused(copy, kept)
    assert _logged_in_page(client)  # the device that changed it was given the new token


def test_an_old_session_is_refused_after_a_password_reset(app, client, make, place):
    community_id, resident_id, _matter_id = place
    make.member(db.session.get(Community, community_id), role=Role.COMMITTEE, username="committee")
    device = app.test_client()
    login(device, User(username="resident"))
    kept = _kept_logged_in(device, resident_id)
    copy = _copied_session(app, device)
    login(client, User(username="committee"))
    membership_id = db.session.scalar(select(Membership.id).where(Membership.user_id == resident_id))
    issued = client.post(f"/c/xinglin/members/{membership_id}/reset-code").get_data(as_text=True)
    code = re.search(r'class="code"[^>]*><strong>([\d ]+)</strong>', issued).group(1)
    form = {"username": "resident", "code": code, "password": NEW_PASSWORD, "confirm": NEW_PASSWORD}
    assert app.test_client().post("/auth/reset-code", data=form).status_code == 302
    assert _refused(copy, kept)
    assert _refused(device, kept)


def test_a_new_display_name_changes_the_sites_token_and_the_cached_pages(app, client, place):
    _community_id, _resident_id, matter_id = place
    visitor = app.test_client()
    url = f"/c/xinglin/matters/{matter_id}"
    _get(visitor, url)
    assert "王阿姨" in _get(visitor, url).get_data(as_text=True)
    login(client, User(username="resident"))
    before = _tokens()
    form = {"display_name": "王老师", "email": "", "current_password": "", "new_password": ""}
    assert client.post("/auth/profile", data=form).status_code == 302
    assert _tokens()[SITE] != before[SITE]
    page = _get(visitor, url)
    assert PAGE_CACHE_HIT not in page.headers and "王老师" in page.get_data(as_text=True)


def test_a_hash_upgraded_at_login_moves_only_the_persons_token(app, client, place):
    _community_id, resident_id, _matter_id = place
    user = db.session.get(User, resident_id)
    user.password_hash = generate_password_hash("password123", method="pbkdf2:sha256:500")
    db.session.commit()
    before = _tokens()
    login(client, User(username="resident"))
    after = _tokens()
    db.session.expire_all()
    assert db.session.get(User, resident_id).password_hash.startswith(app.config["PASSWORD_HASH_METHOD"])
    assert after[SITE] == before[SITE] and after[person_scope(resident_id)] != before.get(person_scope(resident_id))


def test_a_row_written_otherwise_still_changes_the_sites_token(app, make):
    user, gone = make.user(display_name="甲"), make.user()
    steps = (
        lambda: setattr(user, "display_name", "乙"),  # a column pages show
        lambda: (user.rotate_session_token(), setattr(user, "display_name", "丙")),  # and an unseen one
        lambda: db.session.execute(update(User).where(User.id == user.id).values(session_token="x" * 32)),  # bulk
        lambda: db.session.add(User(username="new", display_name="新", password_hash="!")),  # a new row
        lambda: (gone.rotate_session_token(), db.session.delete(gone)),  # a deleted row
    )
    for step in steps:
        before = _tokens().get(SITE)
        step()
        db.session.commit()
        assert _tokens()[SITE] != before
    user.display_name = user.display_name  # the same value again: no change at all
    user.rotate_session_token()
    before = _tokens()
    db.session.commit()
    assert _tokens()[SITE] == before[SITE]
