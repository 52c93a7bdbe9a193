"""Pages for people logged in from a shared body (app/core/shared_body.py): the list and a counted
round's results are put together from a body kept per data version and audience and a header kept
per person; people in different states never see each other's parts, each session's form token is
its own and works, and the tests notice when a part of the key is switched off."""

import re

import pytest
from sqlalchemy import select

from app.auth.models import User
from app.communities.models import Community, MembershipStatus, Role
from app.core import shared_body, version_cache
from app.extensions import db
from app.matters import services
from app.matters.models import MicroMatter
from app.notifications.services import notify
from tests.helpers import login
from tests.matters.helpers import fields

HIT = shared_body.HIT
TOKEN = re.compile(r'name="csrf_token" value="([^"]*)"')
PROPOSE = "Propose a micro-matter"
LIST = "/c/xinglin/matters/"
NAMES = {"drafter": "起草人", "reader": "读者", "committee": "委员", "pending": "待审"}


def _get(client, url):
    db.session.remove()  # each request with an empty session, as in production
    response = client.get(url, headers={"Accept-Language": "en"})
    assert response.status_code == 200, response.status_code
    return response


def _text(response):
    return TOKEN.sub("", response.get_data(as_text=True))


def _unread(html):
    found = re.search(r'class="inbox-now".*?<span class="badge">(\d+)<', html)
    return int(found.group(1)) if found else 0


@pytest.fixture
def people(app, make):
    """Two residents (one with a draft and a submitted matter), a committee member and a person
    whose request to join is pending; each logged in on their own client, the login's message seen."""
    community = make.community(slug="xinglin")
    users = {
        "drafter": make.member(community, username="drafter", display_name=NAMES["drafter"]),
        "reader": make.member(community, username="reader", display_name=NAMES["reader"]),
        "committee": make.member(community, role=Role.COMMITTEE, username="committee", display_name=NAMES["committee"]),
        "pending": make.member(
            community, username="pending", display_name=NAMES["pending"], status=MembershipStatus.PENDING
        ),
    }
    services.create_matter(users["drafter"], community, submit=True, **fields(title="修好北门的路灯"))
    services.create_matter(users["drafter"], community, submit=False, **fields(title="草稿里的长椅"))
    notify([users["reader"]], "Hello %(n)s", "/", n="1")
    db.session.commit()
    clients = {}
    for name in users:
        clients[name] = app.test_client()
        login(clients[name], User(username=name))
        _get(clients[name], "/")  # the login's message shown
    return clients


def _isolation_problems(people, urls=(LIST,)):
    """What someone's page shows of another's, over two rounds (the second from what is kept)."""
    problems, hits = [], 0
    for _ in range(2):
        for url in urls:
            for name, client in people.items():
                response = _get(client, url)
                hits += response.headers.get(HIT) == "hit"
                html = response.get_data(as_text=True)
                header = html[html.index('<header class="site">') : html.index("</header>")]
                if NAMES[name] not in header or any(NAMES[o] in header for o in people if o != name):
                    problems.append(f"{url}: {name}'s header names someone else")
                if ("草稿里的长椅" in html) != (name == "drafter" and url == LIST):
                    problems.append(f"{url}: {name} sees the draft wrongly")
                if url == LIST and (PROPOSE in html) != (name != "pending"):
                    problems.append(f"{url}: {name} has the wrong link to propose")
                if url == LIST and ("waiting for the committee's check" in html) != (name == "pending"):
                    problems.append(f"{url}: {name} has the wrong joining hint")
                if _unread(html) != (1 if name == "reader" else 0):
                    problems.append(f"{url}: {name}'s unread count is wrong")
    return problems, hits


def test_people_in_different_states_never_see_each_others_parts(people):
    problems, hits = _isolation_problems(people)
    assert not problems, problems
    assert hits >= 4, "the second round was not put together from kept parts"


def test_without_the_audience_in_the_key_a_person_sees_anothers_body(people, monkeypatch):
    """The test above has teeth: with the audience switched off, it finds the leak."""
    from app.matters import list_routes

    monkeypatch.setattr(list_routes, "_audience", lambda community, mine: ())
    problems, _hits = _isolation_problems(people)
    assert any("draft" in p or "propose" in p or "hint" in p for p in problems), problems


def test_on_a_matters_page_each_person_sees_their_own_support(app, people):
    matter_id = db.session.scalar(select(MicroMatter.id).where(MicroMatter.title == "修好北门的路灯"))
    url = f"/c/xinglin/matters/{matter_id}"
    assert people["reader"].post(f"{url}/support").status_code == 302
    _get(people["reader"], url)  # the message shown
    for _ in range(2):  # the second round from what is kept
        pages = {name: _get(people[name], url) for name in ("reader", "committee")}
        reader, committee = (pages[name].get_data(as_text=True) for name in ("reader", "committee"))
        assert "You support this." in reader and "Support (附议)" not in reader
        assert "You support this." not in committee and "Support (附议)" in committee
    assert all(page.headers.get(HIT) == "hit" for page in pages.values())


def test_each_session_gets_its_own_form_token_and_it_works(app, people):
    app.config["WTF_CSRF_ENABLED"] = True
    matter_id = db.session.scalar(select(MicroMatter.id).where(MicroMatter.title == "修好北门的路灯"))
    tokens = {}
    for name in ("reader", "committee"):
        _get(people[name], LIST)
        response = _get(people[name], LIST)
        assert response.headers.get(HIT) == "hit"
        found = set(TOKEN.findall(response.get_data(as_text=True)))
        assert len(found) == 1, found  # the log-out form's, filled in for this session
        tokens[name] = found.pop()
    assert tokens["reader"] != tokens["committee"]
    url = f"/c/xinglin/matters/{matter_id}/follow"
    # another session's token is refused; one's own works
    assert people["reader"].post(url, data={"csrf_token": tokens["committee"]}).status_code == 400
    assert people["reader"].post(url, data={"csrf_token": tokens["reader"]}).status_code == 302
    assert people["committee"].post(url, data={"csrf_token": tokens["committee"]}).status_code == 302


def test_a_page_served_from_kept_parts_equals_a_fresh_rendering(app, people):
    served = {}
    for name, client in people.items():
        _get(client, LIST)
        response = _get(client, LIST)
        assert response.headers.get(HIT) == "hit"
        served[name] = _text(response)
    for name, client in people.items():
        shared_body.clear()
        version_cache.clear()
        response = _get(client, LIST)
        assert HIT not in response.headers
        assert _text(response) == served[name]


def _user(username):
    return db.session.scalar(select(User).where(User.username == username))


def _reader_sees_fresh_values(people):
    """After a write each part shows it: a new matter (the body), a notice (the header)."""
    problems = []
    reader = people["reader"]
    _get(reader, LIST)
    community = db.session.scalar(select(Community).where(Community.slug == "xinglin"))
    services.create_matter(_user("drafter"), community, submit=True, **fields(title="新来的提议"))
    if "新来的提议" not in _get(reader, LIST).get_data(as_text=True):
        problems.append("the body is stale after a new matter")
    notify([_user("reader")], "Again %(n)s", "/", n="2")
    db.session.commit()
    if _unread(_get(reader, LIST).get_data(as_text=True)) != 2:
        problems.append("the header is stale after a notice")
    return problems


def test_the_next_page_after_a_write_shows_it(app, people):
    assert not _reader_sees_fresh_values(people)


@pytest.mark.parametrize(
    ("part", "found"),
    [
        ("request_tokens", "the body is stale after a new matter"),
        ("person_tokens", "the header is stale after a notice"),
    ],
)
def test_without_the_data_version_in_the_key_pages_go_stale(app, people, monkeypatch, part, found):
    """The test above has teeth: with the page's or the person's tokens switched off, it finds
    the stale part."""
    monkeypatch.setattr(shared_body, part, lambda *_args: (1, 1))
    assert _reader_sees_fresh_values(people) == [found]


def test_a_message_to_show_gets_the_page_rendered_in_full(app, people):
    reader = people["reader"]
    _get(reader, LIST)
    assert _get(reader, LIST).headers.get(HIT) == "hit"
    with reader.session_transaction() as session:
        session["_flashes"] = [("success", "这是一条消息")]
    response = _get(reader, LIST)
    assert HIT not in response.headers and "这是一条消息" in response.get_data(as_text=True)
    assert _get(reader, LIST).headers.get(HIT) == "hit"  # shown once


def test_an_ended_login_gets_no_kept_page(app, people):
    reader = people["reader"]
    _get(reader, LIST)
    assert _get(reader, LIST).headers.get(HIT) == "hit"
    user = _user("reader")
    user.rotate_session_token()  # a logout elsewhere, an account deleted or locked
    db.session.commit()
    html = _get(reader, LIST).get_data(as_text=True)
    assert "读者" not in html and "Log in" in html
