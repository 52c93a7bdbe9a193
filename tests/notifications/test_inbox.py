"""Opening a notification marks it read; "mark all read" stays."""

from app.extensions import db
from app.notifications.services import notify, unread_count
from tests.helpers import login

from .helpers import inbox


def _tell(user, link="/c/xinglin/"):
    notify([user], "Council meeting “%(title)s” on %(when)s at %(place)s.", link, title="t", when="w", place="p")
    db.session.commit()
    return inbox(user)[-1]


def test_opening_marks_read_and_goes_to_the_page(client, make):
    user = make.user()
    entry = _tell(user)
    login(client, user)
    html = client.get("/inbox/").get_data(as_text=True)
    assert f'href="/inbox/{entry.id}"' in html  # the entry links through the inbox, not straight to the page
    response = client.get(f"/inbox/{entry.id}")
    assert response.status_code == 302 and response.headers["Location"] == "/c/xinglin/"
    db.session.refresh(entry)
    first = entry.read_at
    assert first is not None and unread_count(user) == 0
    client.get(f"/inbox/{entry.id}")  # a second opening changes nothing
    db.session.refresh(entry)
    assert entry.read_at == first


def test_an_entry_without_a_page_opens_the_inbox(client, make):
    user = make.user()
    entry = _tell(user, link="")
    login(client, user)
    response = client.get(f"/inbox/{entry.id}")
    assert response.headers["Location"].endswith("/inbox/")
    db.session.refresh(entry)
    assert entry.read_at is not None


def test_someone_elses_entry_is_not_found(client, make):
    owner, other = make.user(), make.user()
    entry = _tell(owner)
    login(client, other)
    assert client.get(f"/inbox/{entry.id}").status_code == 404
    db.session.refresh(entry)
    assert entry.read_at is None


def test_a_link_to_elsewhere_is_not_followed(client, make):
    user = make.user()
    entry = _tell(user, link="//evil.example/")
    login(client, user)
    assert client.get(f"/inbox/{entry.id}").headers["Location"].endswith("/inbox/")


def test_mark_all_read_stays(client, make):
    user = make.user()
    _tell(user)
    _tell(user)
    login(client, user)
    assert unread_count(user) == 2
    client.post("/inbox/read")
    assert unread_count(user) == 0
