#!/usr/bin/env python3
"""Recompute a Weiyi voting round from its published files, without the app or its database.

    python tools/verify_tally.py round-3.pb
    python tools/verify_tally.py --csv round-3-ballots.csv --round round-3.json

Download the files from the round's results page (/c/<community>/rounds/<id>/results).
Needs Python 3.11+ and pabutools (`pip install pabutools`); the counting rules are read from
app/voting/tally.py in this repository (the very module the site counts with), loaded by path.

A .pb file (valid approval and budget rounds) names its standard rule in META `rule`:
`greedy` (greedy by votes; projects need min_project_score_threshold votes) or
`equalshares/add1` (pabutools' method_of_equal_shares with voter_budget_increment=1); ties go
to the cheaper project, then the lower project_id. The CSV and the round JSON (every round,
the only files of yes/no rounds and of rounds that are not valid) also hold the register size
and the minimum turnout, so the check covers the round's validity too.

It checks every ballot against the round's rules, recounts the votes, recomputes the winners,
and compares them with what the files say the site decided.
Exit status: 0 match, 1 mismatch, 2 the files could not be read.
"""

import argparse
import importlib.util
import sys
from pathlib import Path

TALLY = Path(__file__).resolve().parent.parent / "app" / "voting" / "tally.py"


def load_tally():
    spec = importlib.util.spec_from_file_location("weiyi_tally", TALLY)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("pb", nargs="?", help="the round's .pb file (pabulib format)")
    parser.add_argument("--csv", help="the ballots CSV (use with --round instead of a .pb file)")
    parser.add_argument("--round", dest="round_json", help="the round JSON document")
    args = parser.parse_args(argv)
    tally = load_tally()
    try:
        if args.pb:
            published = tally.parse_pb(Path(args.pb).read_text(encoding="utf-8-sig"))
        elif args.csv and args.round_json:
            published = tally.parse_csv_and_round(
                Path(args.csv).read_text(encoding="utf-8-sig"), Path(args.round_json).read_text(encoding="utf-8")
            )
        else:
            parser.error("give a .pb file, or --csv and --round")
    except (OSError, ValueError, KeyError) as error:
        print(f"cannot read the published files: {error}", file=sys.stderr)
        return 2
    report = tally.verify(published)
    spec, outcome = published.spec, report.outcome
    rule = spec.rule or f"majority ({spec.majority_rule} of {spec.majority_base})"
    print(f"round {published.round_id}: {spec.method}, rule {rule}, budget {spec.budget}, {outcome.ballots} ballots")
    if published.valid is not None:
        print(
            f"turnout {outcome.turnout_percent} % of {spec.electorate} on the register, minimum "
            f"{spec.min_turnout_percent} %: {'valid' if outcome.valid else 'not valid'} "
            f"(published: {'valid' if published.valid else 'not valid'})"
        )
    print("option  cost        votes  published  recomputed")
    for option in spec.options:
        print(
            f"{option.number:>6}  {option.cost:>10}  {outcome.votes[option.number]:>5}  "
            f"{'selected' if option.number in published.selected else '-':>9}  "
            f"{'selected' if option.number in outcome.winners else '-':>10}"
        )
    print(f"recomputed winners: {sorted(outcome.winners)} (total cost {outcome.total_cost})")
    print(f"published winners:  {sorted(published.selected)}")
    if report.match:
        print("MATCH: the published ballots give the published result.")
        return 0
    for problem in report.problems:
        print(f"  - {problem}", file=sys.stderr)
    print("MISMATCH")
    return 1


if __name__ == "__main__":
    sys.exit(main())
