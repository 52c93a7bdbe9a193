"""A resident casts a knapsack (budget) ballot on a phone, watching the running total."""

from datetime import timedelta

from playwright.sync_api import expect
from sqlalchemy import select

from app.auth.models import User
from app.core.clock import utcnow
from app.extensions import db
from app.voting import counting, rounds
from app.voting.models import RoundBallot, RoundParticipation

from .helpers import assert_accessible, screenshot, seed_community, seed_matter, sign_in

COSTS = [
    ("3栋入口无障碍坡道", 45_000),
    ("中心花园遮阳座椅", 18_000),
    ("儿童阅读角", 15_000),
    ("河边步道夜间照明", 38_000),
    ("非机动车棚及充电桩", 80_000),
]


def seed(app):
    with app.app_context():
        community, users = seed_community([("committee", "周主任", "committee"), ("wangayi", "王阿姨", "resident")])
        matters = [
            seed_matter(community, users["wangayi"], title, cost, category="facilities", project_type="goods")
            for title, cost in COSTS
        ]
        db.session.commit()
        now = utcnow()
        voting_round = rounds.open_round(
            users["committee"],
            community,
            title="2026年微实事预算投票",
            method="knapsack",
            allocation="mes",
            budget=100_000,
            opens_at=now - timedelta(minutes=5),
            closes_at=now + timedelta(days=7),
            options=[(m.id, m.estimated_cost) for m in matters],
        )
        return voting_round.id


def test_knapsack_ballot_on_a_phone(live_app, live_server, phone):
    round_id = seed(live_app)
    sign_in(phone, live_server, "wangayi")
    phone.goto(f"{live_server.url}/c/xinglin/rounds/{round_id}")
    total = phone.locator("#ballot-total")
    expect(phone.locator("#running-total")).to_be_visible()  # the script revealed the running total
    assert "0" in total.inner_text()
    phone.get_by_label("3栋入口无障碍坡道").check()  # 45,000
    phone.get_by_label("河边步道夜间照明").check()  # 38,000
    assert "83,000" in total.inner_text()
    assert phone.locator("#ballot-over").is_hidden()
    phone.get_by_label("中心花园遮阳座椅").check()  # 101,000 > 100,000
    assert "101,000" in total.inner_text()
    expect(phone.locator("#ballot-over")).to_be_visible()
    screenshot(phone, "voting-knapsack-over-budget-phone")
    # Submitting anyway: the server refuses and keeps the choices.
    phone.locator("form.ballot button[type=submit]").click()
    expect(phone.locator("p.error[role=alert]")).to_be_visible()
    assert phone.get_by_label("中心花园遮阳座椅").is_checked()
    phone.get_by_label("中心花园遮阳座椅").uncheck()
    phone.get_by_label("儿童阅读角").check()  # 98,000
    assert "98,000" in total.inner_text()
    assert phone.locator("#ballot-over").is_hidden()
    assert_accessible(phone, "knapsack ballot")
    phone.locator("form.ballot button[type=submit]").click()
    phone.wait_for_url(f"**/c/xinglin/rounds/{round_id}/receipt")
    code = phone.locator(".receipt-code").first.inner_text()
    with live_app.app_context():
        ballot = db.session.scalar(select(RoundBallot))
        assert ballot.choices == [1, 3, 4]
        assert code.replace("-", "") == db.session.scalar(select(RoundParticipation.receipt_code))
    assert "儿童阅读角" in phone.locator("main").inner_text()  # the choices, shown this once
    screenshot(phone, "voting-receipt-phone")
    assert_accessible(phone, "receipt")
    # The public lookup finds it: in the box, without its choices.
    phone.goto(f"{live_server.url}/c/xinglin/rounds/check?code={code}")
    expect(phone.locator("section[aria-live] p.ok")).to_be_visible()
    assert "儿童阅读角" not in phone.locator("main").inner_text()
    # The page is usable at 360 px without horizontal scrolling.
    phone.set_viewport_size({"width": 360, "height": 740})
    phone.goto(f"{live_server.url}/c/xinglin/rounds/{round_id}")
    assert phone.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    # After the close the committee counts; the results page (chart + table) is accessible too.
    with live_app.app_context():
        from app.voting.models import VotingRound

        voting_round = db.session.get(VotingRound, round_id)
        voting_round.closes_at = utcnow() - timedelta(seconds=1)
        db.session.commit()
        committee = db.session.scalar(select(User).where(User.username == "committee"))
        counting.count_round(committee, voting_round)
    phone.goto(f"{live_server.url}/c/xinglin/rounds/{round_id}/results")
    expect(phone.locator("svg.chart")).to_be_visible()
    expect(phone.locator("table.numbers").first).to_be_visible()
    screenshot(phone, "voting-results-phone")
    assert_accessible(phone, "results")
