"""The fund on a phone: a committee member records a charity co-funding, and a resident round
starts from the fund's balance as its budget and allocates within it. Real chromium, axe checks."""

from datetime import timedelta

from sqlalchemy import select

from app.core import clock
from app.extensions import db
from app.fund import services as fund
from app.fund.models import FundEntry
from app.voting import casting, counting
from app.voting.models import VotingRound

from .helpers import COMMITTEE, assert_accessible, screenshot, seed_community, seed_matter, sign_in

COSTS = [("3栋入口无障碍坡道", 30_000), ("中心花园遮阳座椅", 18_000), ("儿童阅读角", 15_000)]


def seed(app):
    """The community with its committee and residents, this year's allocation, three matters on the agenda."""
    with app.app_context():
        residents = [(f"resident{i}", f"居民{i}", "resident") for i in range(1, 4)]
        community, users = seed_community([COMMITTEE, *residents], min_turnout_percent=0)
        for title, cost in COSTS:
            seed_matter(community, users["resident1"], title, cost, category="facilities", project_type="goods")
        db.session.commit()
        fund.record_source(
            users["committee"],
            community,
            fund.current_year(),
            source_kind="allocation",
            amount=40_000,
            entry_date=clock.local_today(),
        )


def test_charity_source_then_a_round_allocates_from_the_balance(live_app, live_server, phone):
    seed(live_app)
    with live_app.app_context():
        year = clock.local_today().year
    sign_in(phone, live_server, "committee")
    phone.goto(f"{live_server.url}/c/xinglin/fund")
    assert "40,000" in phone.locator("#fund-balance").inner_text()
    assert_accessible(phone, "fund page (committee)")
    phone.locator("input[name=source_kind][value=charity]").check()
    phone.locator("#amount").fill("20,000")
    phone.locator("#donor").fill("杏林社区基金")
    phone.locator("#matching_percent").fill("30")
    phone.locator("#record-source button[type=submit], #record-source input[type=submit]").first.click()
    phone.wait_for_url(f"**/c/xinglin/fund/{year}")
    assert "60,000" in phone.locator("#fund-balance").inner_text()
    assert "杏林社区基金" in phone.locator("#entries").inner_text()
    screenshot(phone, "fund-charity-source-phone")
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390  # nothing wider than the phone

    # A new round starts from the fund's balance as its budget.
    phone.goto(f"{live_server.url}/c/xinglin/rounds/new")
    assert phone.locator("#budget").input_value() == "60000"
    phone.locator("#title").fill(f"{year}年微实事预算投票")
    phone.locator("form button[type=submit], form input[type=submit]").last.click()
    phone.wait_for_url("**/c/xinglin/rounds/*")

    with live_app.app_context():
        voting_round = db.session.scalar(select(VotingRound))
        assert voting_round.budget == 60_000
        from app.auth.models import User

        for name, choices in (("resident1", [1, 2]), ("resident2", [1, 3]), ("resident3", [1, 2])):
            casting.cast_ballot(db.session.scalar(select(User).where(User.username == name)), voting_round, choices)
        voting_round.opens_at = clock.utcnow() - timedelta(days=8)
        voting_round.closes_at = clock.utcnow() - timedelta(minutes=1)
        db.session.commit()
        committee = db.session.scalar(select(User).where(User.username == "committee"))
        counting.count_round(committee, voting_round)
        commitments = db.session.scalars(select(FundEntry).where(FundEntry.kind == "commitment")).all()
        assert commitments and sum(c.amount for c in commitments) <= 60_000

    phone.goto(f"{live_server.url}/c/xinglin/fund/{year}")
    balance = phone.locator("#fund-balance").inner_text()
    assert "3栋入口无障碍坡道" in phone.locator("#entries").inner_text()
    assert "-" not in balance and "−" not in balance  # allocated within the balance
    screenshot(phone, "fund-after-round-phone")
    assert_accessible(phone, "fund page after the round")
