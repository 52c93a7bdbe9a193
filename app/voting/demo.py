"""Demo step (after the councils step, before the tracker): the household register, one closed
budget round with published results and one round open now.

Uses context["community"], ["committee"], ["residents"], ["matters"]. Takes the micro-matters
still on the agenda list (not those on the councils' upcoming meeting); proposes and admits a
few more through the matters services if fewer than needed are left. Everything goes through
the voting services, each step run at its moment in the past (clock.shifted_to), so the closed round reads like
a round that ran three weeks ago: ballots cast during its window, some changed, some on paper
at a supervised in-person session.
"""

import random
from collections import Counter
from datetime import timedelta

from app.core import clock
from app.extensions import db
from app.matters.lifecycle import Status

from . import casting, count_jobs, counting, households, in_person, tally, tally_sheets
from . import rounds as round_services

CLOSED_OPTIONS = 6
OPEN_OPTIONS = 4
LOW_TURNOUT_BALLOTS = 12  # of about 300 on the register: below the 10 % minimum, so "not valid"
ONLINE_BALLOTS = 168
PAPER_BALLOTS = 12  # residents marked at the in-person session
SPOILT_BALLOTS = 1  # of those, ballots found spoilt at the count
CHANGED_BALLOTS = 10
OPEN_BALLOTS = 25

EXTRA = [
    (
        "社区广场增设遮阳棚",
        "广场跳舞、下棋的老人夏天没有遮阴处，建议在广场东侧搭建一处遮阳棚。",
        "elderly",
        "社区广场",
        26_000,
        "works",
    ),
    ("楼道消防器材更新", "多栋楼道的灭火器已过期，建议统一更换并增设应急照明。", "safety", "各栋楼道", 21_000, "goods"),
    (
        "垃圾分类亭加装照明",
        "晚上投放垃圾看不清分类标识，建议加装感应灯。",
        "facilities",
        "各垃圾分类亭",
        9_000,
        "works",
    ),
    ("社区图书角增添大字本图书", "老人视力不好，希望图书角有一批大字本。", "culture", "党群服务中心", 5_000, "goods"),
    ("小区北门加装自行车停放架", "北门自行车乱停挡路，建议加装一排停放架。", "facilities", "小区北门", 8_000, "goods"),
]


def _candidates(context, community):
    """Agenda matters not already scheduled for a council meeting (those stay with the council)."""
    from app.councils.review import schedulable_items

    return [item.matter for item in schedulable_items(community)]


def _propose(context, community, committee, needed, rng):
    from app.matters.demo import proposed_and_admitted

    residents = context["residents"]
    added = []
    for index, fields in enumerate(EXTRA[:needed]):
        matter = proposed_and_admitted(residents[260 + index], community, fields, residents[:250], rng, committee)
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
    households._households_from_addresses(committee, community)
    db.session.commit()
    matters = _candidates(context, community)
    needed = CLOSED_OPTIONS + OPEN_OPTIONS + 1
    if len(matters) < needed:
        matters += _propose(context, community, committee, needed - len(matters), rng)
    closed_matters, open_matters = matters[:CLOSED_OPTIONS], matters[CLOSED_OPTIONS : needed - 1]
    rounds = []
    if len(closed_matters) >= 2:
        rounds.append(_closed_round(context, closed_matters, rng))
    if len(open_matters) >= 2:
        rounds.append(_open_round(community, committee, residents, open_matters, rng))
    if len(matters) >= needed:
        rounds.append(_low_turnout_round(context, matters[needed - 1]))
    context["rounds"] = rounds


def _closed_round(context, matters, rng):
    community, committee, residents = context["community"], context["committee"], context["residents"]
    now = clock.now()
    opens = now - timedelta(days=21)
    closes = now - timedelta(days=7)
    costs = [m.estimated_cost for m in matters]
    budget = max(max(costs), round(sum(costs) * 0.55, -4))
    with clock.shifted_to(opens - timedelta(hours=1)):
        voting_round = round_services.open_round(
            committee,
            community,
            title="2026年度民生微实事预算投票",
            method="knapsack",
            allocation="mes",
            budget=int(budget),
            opens_at=opens,
            closes_at=closes,
            allow_changes=True,
            description="请在预算范围内选择您支持的项目。采用“平等份额法”分配预算：每位投票居民拥有相等的一份预算。",
            options=[(m.id, m.estimated_cost) for m in matters],
        )
    weights = {o.number: rng.uniform(0.3, 1.0) for o in voting_round.options}
    voters = residents[:ONLINE_BALLOTS]
    span = (closes - opens).total_seconds()
    for index, user in enumerate(voters):
        at = opens + timedelta(seconds=span * (index + rng.random()) / (len(voters) + 2))
        choices = _knapsack_choice(voting_round.options, weights, voting_round.budget, rng)
        casting._cast(user, voting_round, choices, at)
    db.session.commit()
    for user in rng.sample(voters, CHANGED_BALLOTS):
        choices = _knapsack_choice(voting_round.options, weights, voting_round.budget, rng)
        casting._cast(user, voting_round, choices, closes - timedelta(hours=rng.randint(2, 48)))
    db.session.commit()
    _paper_session(context, voting_round, weights, rng)
    # Counted the way a large round is: queued by the committee, then run by the worker's chore.
    job = count_jobs.queue(committee, voting_round)
    count_jobs.run_due()
    if voting_round.result is None:
        raise RuntimeError(f"the demo round was not counted: {job.error}")
    return voting_round


def _low_turnout_round(context, matter):
    """A yes/no round a month ago that few residents took part in: published as not valid (turnout
    below the rules' minimum), so nothing was approved and the micro-matter went back to the agenda."""
    community, committee, residents = context["community"], context["committee"], context["residents"]
    now = clock.now()
    opens, closes = now - timedelta(days=35), now - timedelta(days=28)
    voters = residents[280 : 280 + LOW_TURNOUT_BALLOTS]
    voting_round = yes_no_round(
        committee,
        community,
        matter,
        opens,
        closes,
        [
            (user, "yes" if index % 4 else "no", opens + timedelta(hours=3 + 9 * index))
            for index, user in enumerate(voters)
        ],
        description="请对该项目投“同意”“反对”或“弃权”。",
    )
    counting.count_round(committee, voting_round)
    return voting_round


def yes_no_round(committee, community, matter, opens, closes, votes, **terms):
    """A yes/no round on one micro-matter from `opens` to `closes`, opened an hour before, with the
    `votes` (user, "yes" | "no", when) cast in it; not counted yet. The street's demo uses it too."""
    with clock.shifted_to(opens - timedelta(hours=1)):
        voting_round = round_services.open_round(
            committee,
            community,
            title=f"居民表决：{matter.title}",
            method="yes_no",
            budget=matter.estimated_cost,
            opens_at=opens,
            closes_at=closes,
            options=[(matter.id, matter.estimated_cost)],
            **terms,
        )
    option = voting_round.options[0].number
    for user, answer, at in votes:
        casting._cast(user, voting_round, ((option, answer),), at)
    db.session.commit()
    return voting_round


def _paper_session(context, voting_round, weights, rng):
    """A supervised in-person session (唱票、计票、监票): declared the day before, residents marked
    while it ran, the box counted into a tally sheet by the committee member and confirmed by a
    council member as scrutineer; one of the residents marked objects ("that was not me")."""
    committee, scrutineer = context["committee"], context["council"][1]
    day = (voting_round.opens_at + timedelta(days=6)).replace(hour=1, minute=0, second=0, microsecond=0)
    with clock.shifted_to(day - timedelta(days=1)):
        session = in_person.declare_session(
            committee, voting_round, place="党群服务中心一楼大厅", starts_at=day, ends_at=day + timedelta(hours=8)
        )
    voters = context["residents"][ONLINE_BALLOTS : ONLINE_BALLOTS + PAPER_BALLOTS]
    for index, user in enumerate(voters):
        with clock.shifted_to(day + timedelta(minutes=25 * index + rng.randint(1, 20))):
            in_person.mark_in_person(committee, voting_round, user.username, session)
    lines = Counter(
        _knapsack_choice(voting_round.options, weights, voting_round.budget, rng)
        for _ in range(PAPER_BALLOTS - SPOILT_BALLOTS)
    )
    with clock.shifted_to(session.ends_at + timedelta(minutes=20)):
        sheet = tally_sheets.enter_sheet(committee, voting_round, session, dict(lines), SPOILT_BALLOTS)
    with clock.shifted_to(session.ends_at + timedelta(minutes=35)):
        tally_sheets.confirm_sheet(scrutineer, voting_round, sheet)
    in_person.object_to_mark(voters[-1], voting_round, "那天我在外地，没有去投票点，请核实。")


def _open_round(community, committee, residents, matters, rng):
    now = clock.now()
    voting_round = round_services.open_round(
        committee,
        community,
        title="2026年下半年微实事居民投票",
        method="approval",
        allocation="greedy",
        max_choices=2,
        budget=max(m.estimated_cost for m in matters) * 2,
        opens_at=now - timedelta(hours=1),
        closes_at=now + timedelta(days=7),
        allow_changes=True,
        description="每位居民最多选择2个项目，得票多者优先，预算用完为止。",
        options=[(m.id, m.estimated_cost) for m in matters],
    )
    tomorrow = (now + timedelta(days=1)).replace(hour=1, minute=0, second=0, microsecond=0)
    in_person.declare_session(
        committee, voting_round, place="党群服务中心一楼大厅", starts_at=tomorrow, ends_at=tomorrow + timedelta(hours=8)
    )
    numbers = [o.number for o in voting_round.options]
    for user in residents[200 : 200 + OPEN_BALLOTS]:
        choices = tuple(sorted(rng.sample(numbers, rng.randint(1, 2))))
        casting._cast(user, voting_round, tally.normalise("approval", choices), clock.now())
    db.session.commit()
    return voting_round
