#!/usr/bin/env python3
"""Counting speed of app/voting/tally.py (run by hand; prints figures, asserts nothing).

    python bench/voting_tally.py                 # 1,000,000 approval ballots; MES 100,000 x 40
    python bench/voting_tally.py --ballots 200000 --mes-voters 20000

1. Tally of N approval ballots over 40 projects: counting (a Counter over the ballots) and the
   greedy allocation (pabutools' greedy_utilitarian_welfare fed with the counts). Aim: < 2 s for 1e6.
2. Method of Equal Shares for V voters x 40 projects with pabutools (exact fractions, gmpy2):
   the plain rule, then with completion as the site runs it (equalshares/add1: shares raised by 1 yuan per voter).
   Aim: < 30 s for 100,000 voters. Also pabutools' float arithmetic (pabutools.fractions.FRACTION =
   "float") for comparison; the site keeps exact fractions so that a recount is bit-for-bit the same.
"""

import argparse
import os
import platform
import random
import sys
import time
from fractions import Fraction
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from app.voting import tally  # noqa: E402

PROJECTS = 40


def make_spec(rng, voters):
    costs = [rng.randrange(20_000, 400_000, 1_000) for _ in range(PROJECTS)]
    options = tuple(tally.Option(i + 1, c, f"project {i + 1}") for i, c in enumerate(costs))
    return tally.RoundSpec("approval", "greedy", sum(costs) // 3, options, max_choices=5, electorate=voters)


def make_ballots(rng, count):
    """Approval ballots of 1 to 5 projects, some projects much more popular than others."""
    numbers = list(range(1, PROJECTS + 1))
    weights = [rng.random() ** 2 for _ in numbers]
    ballots = []
    for _ in range(count):
        ballots.append(tuple(sorted(set(rng.choices(numbers, weights=weights, k=rng.randint(1, 5))))))
    return ballots


def timed(label, func):
    start = time.perf_counter()
    value = func()
    elapsed = time.perf_counter() - start
    print(f"  {label:<58} {elapsed:8.3f} s")
    return value, elapsed


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--ballots", type=int, default=1_000_000)
    parser.add_argument("--mes-voters", type=int, default=100_000)
    parser.add_argument("--skip-float", action="store_true")
    args = parser.parse_args()
    rng = random.Random(20261126)
    print(
        f"machine: {platform.processor() or platform.machine()}, {os.cpu_count()} cores, Python "
        f"{platform.python_version()}"
    )

    print(f"\n1. tally of {args.ballots:,} approval ballots x {PROJECTS} projects (greedy)")
    spec = make_spec(rng, args.ballots)
    ballots, _ = timed("generate the ballots (not part of the tally)", lambda: make_ballots(rng, args.ballots))
    timed("import pabutools (once per process, not counted)", tally._pabutools)
    votes, t_count = timed("count approvals (Counter)", lambda: tally.count_approvals(ballots, spec.numbers))
    winners, t_alloc = timed("greedy allocation (pabutools)", lambda: tally.allocate_greedy(spec, votes))
    outcome, t_total = timed("tally() end to end", lambda: tally.tally(spec, ballots))
    assert outcome.winners == winners
    print(
        f"  -> {len(winners)} winners, total {outcome.total_cost:,} of {spec.budget:,}; "
        f"count + allocate {t_count + t_alloc:.3f} s, tally() {t_total:.3f} s"
    )
    invalid, t_check = timed(
        "check every ballot against the rules (verify does this)",
        lambda: sum(1 for b in ballots if tally.check_ballot(spec, b)),
    )
    assert invalid == 0
    del ballots

    voters = args.mes_voters
    print(f"\n2. Method of Equal Shares: {voters:,} voters x {PROJECTS} projects")
    spec = make_spec(rng, voters)
    spec = tally.RoundSpec("approval", "mes", spec.budget, spec.options, max_choices=5, electorate=voters)
    ballots = make_ballots(rng, voters)
    print(
        f"  distinct ballots: {len(set(ballots)):,}; budget {spec.budget:,}; "
        f"equal share {float(Fraction(spec.budget, voters)):.2f} yuan; add1 completion step "
        f"{tally.MES_INCREMENT} yuan per voter"
    )
    votes = tally.count_approvals(ballots, spec.numbers)
    plain, t_plain = timed("MES without completion (exact)", lambda: _plain_mes(spec, ballots, votes))
    (winners, _explanation), t_mes = timed(
        "MES with add1 completion (equalshares/add1), as the site counts (exact)",
        lambda: tally.allocate_mes(spec, ballots, votes),
    )
    print(f"  -> plain MES funds {len(plain)} projects; with add1 completion {len(winners)}")
    if not args.skip_float:
        import pabutools.fractions

        pabutools.fractions.FRACTION = "float"
        try:
            float_plain, t_fplain = timed(
                "MES without completion (pabutools float mode)", lambda: _plain_mes(spec, ballots, votes)
            )
            (float_winners, _), t_fmes = timed(
                "MES with completion (pabutools float mode)", lambda: tally.allocate_mes(spec, ballots, votes)
            )
        finally:
            pabutools.fractions.FRACTION = "gmpy2"
        print(f"  -> float mode gives the same winners: {sorted(float_winners) == sorted(winners)}")

    print("\nsummary")
    print(f"  tally {args.ballots:,} approval ballots (count + greedy): {t_count + t_alloc:.2f} s (aim < 2 s)")
    print(f"  MES {voters:,} x {PROJECTS}: {t_plain:.1f} s plain, {t_mes:.1f} s with completion (aim < 30 s)")


def _plain_mes(spec, ballots, votes):
    """pabutools' MES alone (no raising of shares, no greedy completion), same profile as the site."""
    from collections import Counter

    pb = tally._pabutools()
    projects, instance = tally._instance(pb, spec, votes)
    profile = pb["ApprovalMultiProfile"](instance=instance)
    for approved, multiplicity in Counter(frozenset(b) for b in ballots).items():
        profile[pb["FrozenApprovalBallot"]([projects[n] for n in sorted(approved) if n in projects])] = multiplicity
    outcome = pb["mes"](instance, profile, sat_class=pb["Cost_Sat"], tie_breaking=tally._tie_breaking(pb))
    return [int(p.name) for p in outcome]


if __name__ == "__main__":
    main()
