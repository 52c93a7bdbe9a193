"""The logged-in person's own values on every page (the header's unread count and street links,
their membership of the community) are kept per their data version (app/core/version_cache.personal):
no statement for them while nothing of theirs changed, and the next page after a write that
changes them shows the change."""

import re

from sqlalchemy import select, text, update

from app.auth.models import User
from app.communities.models import Membership, MembershipStatus, Role
from app.core import versions
from app.core.versions import PEOPLE, SITE, DataVersion, person_scope
from app.extensions import db
from app.notifications.models import Notification
from app.notifications.services import notify
from app.streets.models import Street
from tests.helpers import login
from tests.perf.test_statement_budgets import counted_statements

PROPOSE = "Propose a micro-matter"
HEADER_TABLES = re.compile(r"\b(FROM|JOIN) (notification|membership|street_staff|street)\b")


def _page(client, path):
    db.session.remove()  # each request with an empty session, as in production
    response = client.get(path, headers={"Accept-Language": "en"})
    assert response.status_code == 200
    return response.get_data(as_text=True)


def _unread(html):
    """The unread count the header's inbox link shows (0 without a badge)."""
    found = re.search(r'class="inbox-now".*?<span class="badge">(\d+)<', html)
    return int(found.group(1)) if found else 0


def _tokens():
    return dict(db.session.execute(select(DataVersion.scope, DataVersion.token)).all())


def _tell(user_id, n=1):
    user = db.session.get(User, user_id)
    for i in range(n):
        notify([user], "Hello %(n)s", "/", n=str(i))
    db.session.commit()


def _login(client, username):
    login(client, User(username=username))


def test_the_header_costs_no_statement_while_nothing_of_the_persons_changed(app, make, client):
    community = make.community(slug="xinglin")
    user_id = make.member(community, username="resident").id
    _tell(user_id, 2)
    _login(client, "resident")
    url = "/c/xinglin/matters/"
    assert _unread(_page(client, url)) == 2
    db.session.remove()
    with counted_statements() as statements:
        html = client.get(url, headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert _unread(html) == 2 and PROPOSE in html
    assert not [s for s in statements if HEADER_TABLES.search(s)], statements


def test_the_unread_count_changes_on_the_next_page_after_a_notification_is_written_or_read(app, make, client):
    community = make.community(slug="xinglin")
    user_id = make.member(community, username="resident").id
    _login(client, "resident")
    url = "/c/xinglin/matters/"
    assert _unread(_page(client, url)) == 0
    assert _unread(_page(client, url)) == 0  # kept
    _tell(user_id)
    assert _unread(_page(client, url)) == 1
    _tell(user_id, 2)
    assert _unread(_page(client, "/")) == 3  # a page outside any community too
    assert _unread(_page(client, url)) == 3
    first = db.session.scalar(select(Notification.id).where(Notification.user_id == user_id).order_by(Notification.id))
    db.session.remove()
    assert client.get(f"/inbox/{first}").status_code == 302  # opening one marks it read
    assert _unread(_page(client, url)) == 2
    db.session.remove()
    assert client.post("/inbox/read").status_code == 302  # all read (one UPDATE)
    assert _unread(_page(client, url)) == 0
    _tell(user_id)
    assert _unread(_page(client, url)) == 1
    # raw SQL, whose persons the version cannot know: every person's values are read again
    db.session.execute(text("UPDATE notification SET read_at = created_at"))
    db.session.commit()
    assert _unread(_page(client, url)) == 0


def test_two_people_never_see_each_others_values(app, make):
    community = make.community(slug="xinglin")
    one = make.member(community, username="one").id
    other = make.user(username="other").id  # not a member: no link to propose
    _tell(one, 2)
    clients = {}
    for username in ("one", "other"):
        clients[username] = app.test_client()
        _login(clients[username], username)
    url = "/c/xinglin/matters/"
    for _ in range(2):  # the second round from what is kept
        first, second = _page(clients["one"], url), _page(clients["other"], url)
        assert _unread(first) == 2 and PROPOSE in first
        assert _unread(second) == 0 and PROPOSE not in second
    _tell(other)
    assert _unread(_page(clients["one"], url)) == 2
    assert _unread(_page(clients["other"], url)) == 1


def test_membership_dependent_links_change_on_the_next_page_after_the_committee_decides(app, make, client):
    community = make.community(slug="xinglin")
    make.member(community, role=Role.COMMITTEE, username="committee")
    user = make.member(community, username="resident", status=MembershipStatus.PENDING)
    membership_id = db.session.scalar(select(Membership.id).where(Membership.user_id == user.id))
    _login(client, "resident")
    url = "/c/xinglin/matters/"
    assert PROPOSE not in _page(client, url)
    assert PROPOSE not in _page(client, url)  # kept
    committee_client = app.test_client()
    _login(committee_client, "committee")
    response = committee_client.post(
        "/c/xinglin/members", data={"action": "verify", "membership_id": str(membership_id)}
    )
    assert response.status_code == 302
    page = _page(client, url)
    assert PROPOSE in page and _unread(page) == 1  # and told so
    response = committee_client.post(
        f"/c/xinglin/members/{membership_id}/remove", data={"reason": "搬走了", "confirm": "y"}
    )
    assert response.status_code == 302, response.get_data(as_text=True)
    assert PROPOSE not in _page(client, url)


def test_street_links_change_on_the_next_page_after_a_grant_or_its_withdrawal(app, make, client):
    make.user(username="admin", admin=True)
    make.user(username="officer")
    street = Street(slug="pingjiang", name="平江街道")
    db.session.add(street)
    db.session.commit()
    street_id = street.id
    _login(client, "officer")
    link = 'href="/street/pingjiang/"'
    assert link not in _page(client, "/")
    admin_client = app.test_client()
    _login(admin_client, "admin")
    assert admin_client.post(f"/admin/streets/{street_id}/grants", data={"username": "officer"}).status_code == 302
    assert link in _page(client, "/") and "平江街道" in _page(client, "/")
    db.session.get(Street, street_id).name = "平江路街道"  # the street's own row: the site's token
    db.session.commit()
    assert "平江路街道" in _page(client, "/")
    grant_id = db.session.scalar(text("SELECT id FROM street_staff"))
    response = admin_client.post(f"/admin/streets/{street_id}/grants/{grant_id}/withdraw")
    assert response.status_code == 302
    assert link not in _page(client, "/")


def test_a_persons_rows_change_their_token_and_no_page_token(app, make):
    community = make.community()
    user, other = make.member(community), make.member(community)
    _tell(other.id)
    before = _tokens()
    _tell(user.id)
    after = _tokens()
    assert after[person_scope(user.id)] != before.get(person_scope(user.id))
    assert after[person_scope(other.id)] == before[person_scope(other.id)]
    assert after[community.id] == before[community.id] and after.get(SITE) == before.get(SITE)
    # an ORM bulk update (marking all read): the persons it matches, read before it runs
    db.session.execute(update(Notification).where(Notification.user_id == user.id).values(read_at=db.func.now()))
    db.session.commit()
    again = _tokens()
    assert again[person_scope(user.id)] != after[person_scope(user.id)]
    assert again[person_scope(other.id)] == after[person_scope(other.id)] and PEOPLE not in again
    # a membership is the person's and the community's
    membership = db.session.scalar(select(Membership).where(Membership.user_id == user.id))
    membership.role = Role.COUNCIL_MEMBER
    db.session.commit()
    last = _tokens()
    assert last[person_scope(user.id)] != again[person_scope(user.id)] and last[community.id] != again[community.id]


def test_many_tokens_are_written_in_a_few_statements(app):
    scopes = range(-1200, 0)
    with db.engine.begin() as connection, counted_statements() as statements:
        versions.bump(connection, scopes)
    assert len(statements) == 1  # one statement run for all the rows (executemany)
    assert len(_tokens()) == 1200
