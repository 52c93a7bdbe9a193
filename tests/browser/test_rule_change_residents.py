"""A rule change that needs the residents, on a phone: the council adopted version 2, the rules
page says it waits for the residents' vote, the committee opens the yes/no round from it, and once
counted the rules page shows version 2 in force with the round that approved it. Real chromium,
axe checks."""

from sqlalchemy import select

from app.auth.models import User
from app.extensions import db
from app.rules import services
from app.rules.models import RuleSet
from app.voting import casting, counting
from app.voting.models import VotingRound
from tests.voting.helpers import close

from .helpers import COMMITTEE, assert_accessible, screenshot, seed_community, sign_in
from .test_rules_adoption_journey import COUNCIL, council_adopts


def propose(app):
    with app.app_context():
        committee = db.session.scalar(select(User).where(User.username == "committee"))
        current = db.session.scalar(select(RuleSet))
        values = {**services.field_values(current), "notice_days": 7}
        services.propose_version(committee, current.community, values, "会议通知期延长为7天")


def residents_approve(app):
    with app.app_context():
        voting_round = db.session.scalar(select(VotingRound))
        for user in db.session.scalars(select(User)):
            casting.cast_ballot(user, voting_round, ((1, "yes"),))
        close(voting_round)
        counting.count_round(db.session.scalar(select(User).where(User.username == "committee")), voting_round)
        return voting_round.id


def test_the_committee_puts_an_adopted_rule_change_to_the_residents(live_app, live_server, new_page):
    with live_app.app_context():
        seed_community([COMMITTEE, *COUNCIL], rule_change_needs_residents=True, min_turnout_percent=0)
    propose(live_app)
    council_adopts(live_app)
    base = f"{live_server.url}/c/xinglin"
    committee = new_page("phone")
    sign_in(committee, live_server, "committee")
    committee.goto(base + "/rules/")
    assert "等待居民表决" in committee.locator("main").inner_text()
    committee.get_by_role("link", name="将第2版交居民表决").click()
    assert_accessible(committee, "residents' round on a rule change")
    screenshot(committee, "rules-residents-round-phone")
    committee.get_by_role("button", name="发起居民投票").click()
    committee.wait_for_url(f"{base}/rounds/*")
    assert "议事规则第2版" in committee.locator("main").inner_text()
    committee.goto(base + "/rules/v2")
    assert "居民投票同意前，它不生效" in committee.locator("main").inner_text()
    assert_accessible(committee, "version waiting for the residents")

    round_id = residents_approve(live_app)
    committee.goto(base + "/rules/")
    main = committee.locator("main").inner_text()
    assert "第2版，自" in main and "居民表决通过" in main
    assert committee.locator(f"a[href$='/rounds/{round_id}/results']").count() >= 1
    assert_accessible(committee, "rules in force approved by the residents")
