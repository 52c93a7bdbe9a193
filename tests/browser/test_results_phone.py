"""The results of a budget round on a 360 px phone: the table keeps its result column on screen,
and each project's reason is shown."""

from datetime import timedelta

from playwright.sync_api import expect
from sqlalchemy import select

from app.auth.models import User
from app.core.clock import utcnow
from app.extensions import db
from app.voting import casting, counting
from app.voting.models import VotingRound

from .helpers import assert_accessible, screenshot
from .test_knapsack_ballot import COSTS, seed


def counted(app):
    """The knapsack ballot's round (MES, budget 100,000) with two ballots, closed and counted."""
    round_id = seed(app)
    with app.app_context():
        voting_round = db.session.get(VotingRound, round_id)
        users = {u.username: u for u in db.session.scalars(select(User))}
        casting.cast_ballot(users["wangayi"], voting_round, (1, 2))
        casting.cast_ballot(users["committee"], voting_round, (2, 4))
        voting_round.closes_at = utcnow() - timedelta(seconds=1)
        db.session.commit()
        counting.count_round(users["committee"], voting_round)
    return round_id


def test_results_table_fits_a_360_px_phone(live_app, live_server, new_page):
    round_id = counted(live_app)
    phone = new_page("phone")
    phone.set_viewport_size({"width": 360, "height": 740})
    phone.goto(f"{live_server.url}/c/xinglin/rounds/{round_id}/results")
    table = phone.locator("table.results-table")
    expect(table).to_be_visible()
    width = phone.evaluate("window.innerWidth")
    rights = phone.evaluate(
        "[...document.querySelectorAll('table.results-table .outcome')].map(c => c.getBoundingClientRect().right)"
    )
    assert len(rights) == 1 + len(COSTS) and max(rights) <= width
    assert phone.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    assert "本轮未获资金" in table.inner_text()
    assert table.locator(".reason").count() == len(COSTS)
    assert len(phone.content().encode()) < 50_000
    screenshot(phone, "voting-results-reasons-360")
    assert_accessible(phone, "results with reasons")
