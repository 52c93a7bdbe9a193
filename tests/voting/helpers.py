"""Plain helpers for the voting tests: micro-matters on the agenda list, and rounds opened,
closed and counted the way the services do it."""

from datetime import timedelta

from app.core.clock import utcnow
from app.extensions import db
from app.matters.models import MicroMatter
from app.voting import in_person, rounds, tally_sheets

COSTS = [50_000, 80_000, 120_000, 30_000, 90_000, 60_000]


def make_matters(community, proposer, costs=COSTS, status="on_agenda"):
    matters = []
    for i, cost in enumerate(costs, start=1):
        matter = MicroMatter(
            community_id=community.id,
            proposer_id=proposer.id,
            title=f"项目{i}",
            description="说明",
            description_html="<p>说明</p>",
            category="facilities",
            location="小区",
            estimated_cost=cost,
            project_type="goods",
            status=status,
        )
        db.session.add(matter)
        matters.append(matter)
    db.session.commit()
    return matters


def open_round(
    committee,
    community,
    matters,
    *,
    method="knapsack",
    allocation="greedy",
    budget=200_000,
    max_choices=None,
    per_household=False,
    allow_changes=True,
    costs=None,
    title="2026年微实事投票",
):
    now = utcnow()
    costs = costs or [m.estimated_cost for m in matters]
    return rounds.open_round(
        committee,
        community,
        title=title,
        method=method,
        allocation=allocation,
        budget=budget,
        max_choices=max_choices,
        opens_at=now - timedelta(minutes=5),
        closes_at=now + timedelta(days=7),
        per_household=per_household,
        allow_changes=allow_changes,
        options=[(m.id, c) for m, c in zip(matters, costs, strict=True)],
    )


def close(voting_round):
    """Let the window pass (the server clock is not mocked: the round's times are moved)."""
    voting_round.opens_at = utcnow() - timedelta(days=8)
    voting_round.closes_at = utcnow() - timedelta(minutes=1)
    db.session.commit()


def option_ids(voting_round, *numbers):
    return [str(o.id) for o in voting_round.options if o.number in numbers]


def marked_in_person(voting_round, committee, voters):
    """An in-person session running now, declared by the committee member, with the voters marked
    there as having voted on paper."""
    now = utcnow()
    polling_session = in_person.declare_session(
        committee,
        voting_round,
        place="党群服务中心",
        starts_at=now - timedelta(minutes=1),
        ends_at=now + timedelta(hours=2),
    )
    for user in voters:
        in_person.mark_in_person(committee, voting_round, user.username, polling_session)
    return polling_session


def supervised_paper(voting_round, committee, scrutineer, voters, lines, spoilt=0):
    """An in-person session running now: the voters marked there, its tally sheet ({choices: count})
    entered by the committee member and confirmed by the scrutineer, so its ballots are in the box."""
    polling_session = marked_in_person(voting_round, committee, voters)
    sheet = tally_sheets.enter_sheet(committee, voting_round, polling_session, lines, spoilt)
    tally_sheets.confirm_sheet(scrutineer, voting_round, sheet)
    return polling_session, sheet
