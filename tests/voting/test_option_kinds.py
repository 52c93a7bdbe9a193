"""Voting's extension point for options that are not micro-matters (app/voting/option_kinds.py):
a kind plugged in by a feature above, a yes/no round without a budget, decided by the kind."""

from datetime import timedelta

import pytest
from sqlalchemy.exc import IntegrityError

from app.core.clock import utcnow
from app.core.errors import DomainError
from app.extensions import db
from app.voting import counting, option_kinds, rounds
from app.voting.models import RoundOption
from tests.voting.helpers import close

KIND = "test-kind"


class Things(option_kinds.OptionKind):
    """Plugged-in rows 1..n called "thing <n>"; remembers what voting told it."""

    def __init__(self):
        self.calls = []

    def ballot_title(self, community, subject_id):
        if subject_id > 9:
            raise DomainError("not a thing")
        return f"thing {subject_id}"

    def url(self, option):
        return f"/things/{option.subject_id}"

    def opened(self, voting_round, actor):
        self.calls.append(("opened", voting_round.id))

    def counted(self, voting_round, outcome, actor):
        self.calls.append(("counted", outcome.valid, tuple(outcome.winners)))


THINGS = Things()


@pytest.fixture(autouse=True)
def plugged(app):
    option_kinds.add_kind(KIND, THINGS)
    THINGS.calls.clear()


def open_things(committee, community, *, budget=0, method="yes_no", things=(1, 2)):
    now = utcnow()
    return rounds.open_round(
        committee,
        community,
        kind=KIND,
        title="事项表决",
        method=method,
        budget=budget,
        opens_at=now - timedelta(minutes=5),
        closes_at=now + timedelta(days=7),
        options=[(n, 0) for n in things],
    )


def test_a_plugged_in_kind_is_voted_and_decided_by_its_feature(app, committee, community, residents):
    voting_round = open_things(committee, community)
    assert voting_round.option_kind == KIND and THINGS.calls == [("opened", voting_round.id)]
    assert [(o.title, o.matter_id, o.subject_id, o.cost) for o in voting_round.options] == [
        ("thing 1", None, 1, 0),
        ("thing 2", None, 2, 0),
    ]
    with app.test_request_context():
        assert option_kinds.option_url(voting_round.options[0]) == "/things/1"
    from app.voting import casting

    casting.cast_ballot(residents[1], voting_round, ((1, "yes"), (2, "no")))
    close(voting_round)
    counting.count_round(committee, voting_round)
    assert THINGS.calls[-1][0] == "counted"


def test_no_budget_and_yes_no_only(committee, community):
    for terms in ({"budget": 1000}, {"method": "approval"}):
        with pytest.raises(DomainError):
            open_things(committee, community, **terms)
    with pytest.raises(DomainError, match="not a thing"):
        open_things(committee, community, things=(1, 10))
    assert THINGS.calls == []


def test_an_option_is_a_matter_or_a_subject(committee, community):
    voting_round = open_things(committee, community)
    db.session.add(RoundOption(round_id=voting_round.id, number=3, title="x", cost=0))
    with pytest.raises(IntegrityError):
        db.session.flush()
    db.session.rollback()
    assert option_kinds.handler(option_kinds.MATTER) is None


def test_open_yes_no_puts_the_rows_in_order_and_latest_on_finds_the_last_round(committee, community):
    """The one way conventions and rule_adoption open their residents' round."""
    now = utcnow()

    def yes_no(things):
        return rounds.open_yes_no(
            committee,
            community,
            KIND,
            things,
            title="居民表决" * 30,  # longer than a title may be: cut, not refused
            description="逐项表决",
            opens_at=now - timedelta(minutes=5),
            closes_at=now + timedelta(days=7),
            per_household=True,
        )

    first = yes_no([3, 1])
    assert (first.method, first.budget, first.per_household, len(first.title)) == ("yes_no", 0, True, 80)
    assert [(o.number, o.subject_id, o.cost) for o in first.options] == [(1, 3, 0), (2, 1, 0)]
    later = yes_no([1])
    assert rounds.latest_on(KIND, 1).id == later.id and rounds.latest_on(KIND, 3).id == first.id
    assert rounds.latest_on(KIND, 2) is None and rounds.latest_on("other-kind", 1) is None
