"""A counted round's results page for visitors not logged in (app/core/shared_body.page with
visitors=True): its "my share" form carries a form token, so the page cache before Flask never
keeps it; it is kept whole inside Flask instead, each visitor's own token put in its slot."""

import re

import pytest

from app.communities.models import Community
from app.core import shared_body
from app.extensions import db
from app.voting import result_routes
from app.voting.models import VotingRound
from tests.voting.conftest import committee, community, matters, residents  # noqa: F401  (fixtures)
from tests.voting.test_results import counted  # noqa: F401  (fixture)

TOKEN = re.compile(r'name="csrf_token" (?:type="hidden" )?value="([^"]*)"')


@pytest.fixture
def url(app, counted):  # noqa: F811
    app.config["WTF_CSRF_ENABLED"] = True
    return f"/c/xinglin/rounds/{counted.id}/results"


@pytest.fixture
def renderings(monkeypatch):
    """How many times the results page was rendered."""
    calls = []
    render = result_routes._results_page

    def counting(*args, **kwargs):
        calls.append(1)
        return render(*args, **kwargs)

    monkeypatch.setattr(result_routes, "_results_page", counting)
    return calls


def _view(client, url):
    db.session.remove()  # each request with an empty session, as in production
    response = client.get(url, headers={"Accept-Language": "en"})
    assert response.status_code == 200, response.status_code
    html = response.get_data(as_text=True)
    tokens = set(TOKEN.findall(html))
    assert len(tokens) == 1, tokens
    return html, tokens.pop()


def _share(client, url, token, option_id):
    db.session.remove()
    return client.post(url, data={"csrf_token": token, "option": str(option_id)}, headers={"Accept-Language": "en"})


def test_visitors_share_one_rendering_each_with_their_own_working_token(app, url, counted, renderings):  # noqa: F811
    visitors = [app.test_client() for _ in range(3)]
    pages = [_view(client, url) for client in visitors]
    again = _view(visitors[0], url)
    assert len(renderings) == 1  # the first visitor's rendering, kept for all
    assert TOKEN.sub("", again[0]) == TOKEN.sub("", pages[0][0])
    tokens = [token for _html, token in pages]
    assert len(set(tokens)) == len(visitors)  # each their own
    assert len({TOKEN.sub("", html) for html, _token in pages}) == 1
    assert shared_body.CSRF_SLOT not in pages[1][0]
    option = db.session.get(VotingRound, counted.id).options[0].id
    for client, token in zip(visitors, tokens, strict=True):
        shared = _share(client, url, token, option)
        assert shared.status_code == 200 and "no-store" in shared.headers["Cache-Control"]
    assert _share(visitors[1], url, tokens[0], option).status_code == 400  # another's token is refused


def test_a_kept_visitor_page_equals_a_fresh_rendering(app, url):
    kept, _token = _view(app.test_client(), url)
    _view(app.test_client(), url)
    shared_body.clear()
    fresh, _token = _view(app.test_client(), url)
    assert TOKEN.sub("", kept) == TOKEN.sub("", fresh)


def test_after_a_recount_or_a_write_to_the_community_visitors_see_it(app, url, counted, community, renderings):  # noqa: F811
    round_id, community_id = counted.id, community.id
    visitor = app.test_client()
    html, _token = _view(visitor, url)
    assert "6 ballots from 7 eligible residents" in html
    _view(visitor, url)
    assert len(renderings) == 1
    db.session.get(VotingRound, round_id).result.electorate = 8  # the count stored again
    db.session.commit()
    html, _token = _view(visitor, url)
    assert "6 ballots from 8 eligible residents" in html
    db.session.get(Community, community_id).name = "杏林社区新名"
    db.session.commit()
    html, _token = _view(app.test_client(), url)
    assert "杏林社区新名" in html
    assert len(renderings) == 3


def test_a_visitor_with_a_message_to_show_gets_the_page_rendered(app, url, renderings):
    _view(app.test_client(), url)
    visitor = app.test_client()
    with visitor.session_transaction() as session:
        session["_flashes"] = [("success", "消息")]
    html, _token = _view(visitor, url)
    assert "消息" in html and len(renderings) == 2
