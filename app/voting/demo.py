"""Demo step (after the councils step, before the tracker): the household register, one closed
budget round with published results and one round open now.

Uses context["community"], ["committee"], ["residents"], ["matters"]. Takes the micro-matters
still on the agenda list (not those on the councils' upcoming meeting); proposes and admits a
few more through the matters services if fewer than needed are left. Everything goes through
the voting services, with the clock of each step given explicitly, so the closed round reads like
a round that ran three weeks ago: ballots cast during its window, some changed, some on paper.
"""
import random
from datetime import timedelta

from app.extensions import db
from app.matters import lifecycle
from app.matters.lifecycle import Status
from app.models_base import utcnow

from . import services, tally

CLOSED_OPTIONS = 6
OPEN_OPTIONS = 4
ONLINE_BALLOTS = 168
PAPER_BALLOTS = 12
CHANGED_BALLOTS = 10
OPEN_BALLOTS = 25

EXTRA = [
    ("社区广场增设遮阳棚", "广场跳舞、下棋的老人夏天没有遮阴处，建议在广场东侧搭建一处遮阳棚。", "elderly", "社区广场", 26_000,
     "works"),
    ("楼道消防器材更新", "多栋楼道的灭火器已过期，建议统一更换并增设应急照明。", "safety", "各栋楼道", 21_000, "goods"),
    ("垃圾分类亭加装照明", "晚上投放垃圾看不清分类标识，建议加装感应灯。", "facilities", "各垃圾分类亭", 9_000, "works"),
    ("社区图书角增添大字本图书", "老人视力不好，希望图书角有一批大字本。", "culture", "党群服务中心", 5_000, "goods"),
]


def _candidates(context, community):
    """Agenda matters not already scheduled for a council meeting (those stay with the council)."""
    from app.councils.services import schedulable_items

    return [item.matter for item in schedulable_items(community)]


def _propose(context, community, committee, needed, rng):
    from app.matters import services as matter_services

    residents = context["residents"]
    added = []
    for index, (title, description, category, location, cost, kind) in enumerate(EXTRA[:needed]):
        matter = matter_services.create_matter(
            residents[260 + index], community, submit=True, title=title, description=description, category=category,
            location=location, estimated_cost=cost, project_type=kind)
        for supporter in rng.sample(residents[:250], matter_services.support_threshold(community)):
            if matter.status != Status.COLLECTING:
                break
            matter_services.support(supporter, matter)
        if matter.status == Status.UNDER_REVIEW:
            lifecycle.apply(matter, "admit", committee)
            db.session.commit()
        if matter.status == Status.ON_AGENDA:
            added.append(matter)
    return added


def _knapsack_choice(options, weights, budget, rng):
    """A plausible budget ballot: projects in order of this resident's liking, while they fit."""
    order = sorted(options, key=lambda o: -weights[o.number] * rng.random())
    chosen, total = [], 0
    for option in order:
        if rng.random() < 0.7 and total + option.cost <= budget:
            chosen.append(option.number)
            total += option.cost
    return tuple(sorted(chosen))


def load(context):
    community, committee, residents = context["community"], context["committee"], context["residents"]
    rng = random.Random(20261210)  # noqa: S311  # nosec B311
    services._households_from_addresses(committee, community)
    db.session.commit()
    matters = _candidates(context, community)
    needed = CLOSED_OPTIONS + OPEN_OPTIONS
    if len(matters) < needed:
        matters += _propose(context, community, committee, needed - len(matters), rng)
    closed_matters, open_matters = matters[:CLOSED_OPTIONS], matters[CLOSED_OPTIONS:needed]
    rounds = []
    if len(closed_matters) >= 2:
        rounds.append(_closed_round(community, committee, residents, closed_matters, rng))
    if len(open_matters) >= 2:
        rounds.append(_open_round(community, committee, residents, open_matters, rng))
    context["rounds"] = rounds


def _closed_round(community, committee, residents, matters, rng):
    now = utcnow()
    opens = now - timedelta(days=21)
    closes = now - timedelta(days=7)
    costs = [m.estimated_cost for m in matters]
    budget = max(max(costs), round(sum(costs) * 0.55, -4))
    voting_round = services.open_round(
        committee, community, title="2026年度民生微实事预算投票", method="knapsack", allocation="mes",
        budget=int(budget), opens_at=opens, closes_at=closes, allow_changes=True,
        description="请在预算范围内选择您支持的项目。采用“平等份额法”分配预算：每位投票居民拥有相等的一份预算。",
        options=[(m.id, m.estimated_cost) for m in matters], now=opens - timedelta(hours=1))
    weights = {o.number: rng.uniform(0.3, 1.0) for o in voting_round.options}
    voters = residents[:ONLINE_BALLOTS]
    span = (closes - opens).total_seconds()
    for index, user in enumerate(voters):
        at = opens + timedelta(seconds=span * (index + rng.random()) / (len(voters) + 2))
        choices = _knapsack_choice(voting_round.options, weights, voting_round.budget, rng)
        services._cast(user, voting_round, choices, at)
    db.session.commit()
    for user in rng.sample(voters, CHANGED_BALLOTS):
        choices = _knapsack_choice(voting_round.options, weights, voting_round.budget, rng)
        services._cast(user, voting_round, choices, closes - timedelta(hours=rng.randint(2, 48)))
    db.session.commit()
    for user in residents[ONLINE_BALLOTS:ONLINE_BALLOTS + PAPER_BALLOTS]:
        services.mark_in_person(committee, voting_round, user.username)
        services.enter_paper_ballot(committee, voting_round,
                                    _knapsack_choice(voting_round.options, weights, voting_round.budget, rng))
    services.count_round(committee, voting_round)
    return voting_round


def _open_round(community, committee, residents, matters, rng):
    now = utcnow()
    voting_round = services.open_round(
        committee, community, title="2026年下半年微实事居民投票", method="approval", allocation="greedy",
        max_choices=2, budget=max(m.estimated_cost for m in matters) * 2, opens_at=now - timedelta(hours=1),
        closes_at=now + timedelta(days=7), allow_changes=True,
        description="每位居民最多选择2个项目，得票多者优先，预算用完为止。",
        options=[(m.id, m.estimated_cost) for m in matters])
    numbers = [o.number for o in voting_round.options]
    for user in residents[200:200 + OPEN_BALLOTS]:
        choices = tuple(sorted(rng.sample(numbers, rng.randint(1, 2))))
        services._cast(user, voting_round, tally.normalise("approval", choices), utcnow())
    db.session.commit()
    return voting_round
