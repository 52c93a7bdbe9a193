"""The pure counting module against hand-computed cases (no app, no database)."""

import csv
from collections import Counter
from datetime import date
from fractions import Fraction

import pytest

from app.voting import tally
from app.voting.tally import Option, RoundSpec


def spec(method="approval", allocation="greedy", budget=100, costs=(40, 30, 50), **kw):
    return RoundSpec(method, allocation, budget, tuple(Option(i, c, f"P{i}") for i, c in enumerate(costs, 1)), **kw)


# --- greedy ----------------------------------------------------------------------------------


def test_greedy_funds_by_votes_and_skips_what_does_not_fit():
    # votes: 1 -> 3, 2 -> 2, 3 -> 4. Order 3 (50), 1 (40), 2 (30): 3 fits (50 left), 1 fits (10 left), 2 skipped.
    ballots = [(1, 3), (1, 3), (1, 2, 3), (2, 3)]
    outcome = tally.tally(spec(), ballots)
    assert outcome.votes == {1: 3, 2: 2, 3: 4}
    assert outcome.winners == [3, 1]
    assert outcome.total_cost == 90
    steps = outcome.explanation["order"]
    assert [(s["number"], s["funded"], s["remaining"]) for s in steps] == [(3, True, 50), (1, True, 10), (2, False, 10)]


def test_greedy_continues_past_a_project_that_does_not_fit():
    # 1 costs 80 and has the most votes; 2 (50) no longer fits, 3 (20) still does.
    outcome = tally.tally(spec(costs=(80, 50, 20)), [(1, 2, 3), (1, 2), (1,)])
    assert outcome.winners == [1, 3]
    assert outcome.total_cost == 100


def test_greedy_tie_break_cheaper_first_then_lower_number():
    # All three have 2 votes; budget 70: 2 (30) first, then 1 and 3 both cost 40: the lower number (1) wins.
    outcome = tally.tally(spec(budget=70, costs=(40, 30, 40)), [(1, 2, 3), (1, 2, 3)])
    assert outcome.winners == [2, 1]


def test_options_nobody_voted_for_are_never_funded():
    outcome = tally.tally(spec(budget=1000), [(1,)])
    assert outcome.winners == [1]
    outcome = tally.tally(spec(allocation="mes", budget=1000), [(1,)])
    assert outcome.winners == [1]


def test_no_ballots_funds_nothing():
    for allocation in ("greedy", "mes"):
        outcome = tally.tally(spec(allocation=allocation), [])
        assert outcome.winners == [] and outcome.total_cost == 0 and outcome.ballots == 0


# --- Method of Equal Shares ------------------------------------------------------------------


def fifty_one_forty_nine():
    """100 voters, budget 1000, twenty projects of 100: 51 voters approve A1..A10, 49 approve B1..B10."""
    options = tuple(Option(i, 100, f"A{i}") for i in range(1, 11)) + tuple(
        Option(i, 100, f"B{i - 10}") for i in range(11, 21)
    )
    ballots = [tuple(range(1, 11))] * 51 + [tuple(range(11, 21))] * 49
    return options, ballots


def test_51_49_greedy_gives_everything_to_the_majority():
    options, ballots = fifty_one_forty_nine()
    outcome = tally.tally(RoundSpec("approval", "greedy", 1000, options), ballots)
    assert outcome.winners == list(range(1, 11))


def test_51_49_equal_shares_funds_both_groups_in_proportion():
    # Each voter's share is 1000/100 = 10. An A project costs 100/51 per A voter: 51 voters afford 5
    # (10 / (100/51) = 5.1); a B project costs 100/49 per B voter: 49 voters afford 4 (4.9). That leaves
    # 100 unspent: raising every share by 1 (to 11) lets the B voters afford a fifth (11 / (100/49) = 5.39)
    # while the A voters still afford 5 (5.61): 10 projects, exactly the budget, so the completion stops.
    options, ballots = fifty_one_forty_nine()
    outcome = tally.tally(RoundSpec("approval", "mes", 1000, options), ballots, explain=True)
    assert sorted(outcome.winners) == [1, 2, 3, 4, 5, 11, 12, 13, 14, 15]
    assert outcome.total_cost == 1000
    explanation = outcome.explanation
    assert explanation["voters"] == 100
    assert Fraction(explanation["share"]) == 10
    assert Fraction(explanation["final_share"]) == 11
    paid = {p["number"]: p for p in explanation["paid"]}
    assert paid[1]["payers"] == 51 and Fraction(paid[1]["max_payment"]) == Fraction(100, 51)
    assert paid[11]["payers"] == 49 and Fraction(paid[11]["max_payment"]) == Fraction(100, 49)


def test_equal_shares_small_case_by_hand():
    # Budget 300, three voters: share 100 each. Costs: 1 -> 150, 2 -> 150, 3 -> 100.
    # v1 approves {1, 2}, v2 {1}, v3 {3}. Project 1: v1 and v2 pay 75 each (the cheapest per supporter),
    # then 3: v3 pays 100. Project 2 needs 150 from v1 alone, who has 25 left. The outcome {1, 3} costs 250
    # and 2 (150) cannot fit in the 50 left, so it is already exhaustive: the shares are not raised.
    s = spec(allocation="mes", budget=300, costs=(150, 150, 100))
    outcome = tally.tally(s, [(1, 2), (1,), (3,)], explain=True)
    assert outcome.winners == [1, 3]
    assert outcome.total_cost == 250
    paid = {p["number"]: p for p in outcome.explanation["paid"]}
    assert paid[1]["payers"] == 2 and Fraction(paid[1]["max_payment"]) == 75
    assert paid[3]["payers"] == 1 and Fraction(paid[3]["max_payment"]) == 100
    assert Fraction(outcome.explanation["share"]) == 100
    assert Fraction(outcome.explanation["final_share"]) == 100


def test_equal_shares_add1_completion():
    # Budget 100, two voters (share 50): v1 approves 1 (60), v2 approves 2 (40).
    # MES: 2 is affordable (v2 pays 40); 1 needs 60 from v1 with 50. add1 raises each share by 1 yuan:
    # at 60, 1 becomes affordable and 1 + 2 = 100 fits: exhaustive, so it stops there.
    outcome = tally.tally(spec(allocation="mes", budget=100, costs=(60, 40)), [(1,), (2,)], explain=True)
    assert sorted(outcome.winners) == [1, 2]
    assert Fraction(outcome.explanation["final_share"]) == 60
    assert outcome.explanation["step"] == "1"
    # Budget 100, v1 approves 1 (70) and 3 (20), v2 approves 2 (70). Share 50: 3 first (cheaper at the
    # same price per yuan), v1 then has 30 for 1 (70) and v2 50 for 2 (70): {3}, not exhaustive. At a
    # share of 70, v2 affords 2: {3, 2} costs 90 and 1 (70) no longer fits: exhaustive. No greedy step
    # follows (a greedy completion of {3} would have taken 1, the lower number, instead of 2).
    s = spec(allocation="mes", budget=100, costs=(70, 70, 20))
    outcome = tally.tally(s, [(1, 3), (2,)], explain=True)
    assert outcome.winners == [3, 2]
    assert Fraction(outcome.explanation["final_share"]) == 70


def test_equal_shares_add1_stops_before_the_budget_is_exceeded():
    # Budget 100, voters: 3 approve 1 (90), 1 approves 2 (30). Share 25: 1 costs 30 per supporter,
    # 2 costs 30 for its one supporter: neither is affordable. Raising to 30 makes both affordable at
    # once, but together they cost 120 > 100, so add1 keeps the last outcome within the budget: {}.
    # (Here the outcome at a share of 29 is empty: MES with add1 funds nothing rather than overspend.)
    outcome = tally.tally(spec(allocation="mes", budget=100, costs=(90, 30)), [(1,), (1,), (1,), (2,)])
    assert outcome.winners == []


def test_blank_ballots_hold_a_share_but_buy_nothing():
    s = spec(allocation="mes", budget=100, costs=(60, 40))
    outcome = tally.tally(s, [(1,), (), (), ()], explain=True)
    assert Fraction(outcome.explanation["share"]) == 25
    assert outcome.ballots == 4


# --- yes / no --------------------------------------------------------------------------------


def yes_no_spec(**kw):
    defaults = dict(majority_rule="simple", majority_base="yes_no", min_turnout_percent=30, electorate=10)
    defaults.update(kw)
    return spec(method="yes_no", allocation="majority", budget=100, costs=(40, 30, 70), **defaults)


YN = [
    ((1, "yes"), (2, "yes"), (3, "yes")),
    ((1, "yes"), (2, "no"), (3, "yes")),
    ((1, "yes"), (2, "yes"), (3, "abstain")),
    ((1, "no"), (2, "no")),
]


def test_yes_no_simple_majority_of_yes_and_no():
    outcome = tally.tally(yes_no_spec(), YN)
    assert outcome.votes == {1: 3, 2: 2, 3: 2}
    assert outcome.no == {1: 1, 2: 2, 3: 0}
    assert outcome.abstain == {1: 0, 2: 0, 3: 1}
    decisions = outcome.explanation["decisions"]
    assert decisions["1"]["passed"] and decisions["1"]["needed"] == 3  # 3 of 4: more than half
    assert not decisions["2"]["passed"] and decisions["2"]["tie"]  # 2 : 2 is a tie, which fails
    assert decisions["3"]["passed"]  # 2 yes of base 2
    # Funding by yes votes while the budget lasts: 1 (3 yes, 40), then 3 (2 yes, 70) does not fit in 60.
    assert outcome.winners == [1]
    assert decisions["3"]["funded"] is False


def test_yes_no_base_follows_the_rules():
    # Base "all ballots cast" (present): 4 ballots, more than half is 3: option 3 (2 yes) fails.
    outcome = tally.tally(yes_no_spec(majority_base="present"), YN)
    assert not outcome.explanation["decisions"]["3"]["passed"]
    # Two thirds of yes+no: option 1 has 3 of 4 = 75 % -> passes; with three quarters still passes.
    assert tally.tally(yes_no_spec(majority_rule="two_thirds"), YN).explanation["decisions"]["1"]["passed"]
    assert tally.tally(yes_no_spec(majority_rule="three_quarters"), YN).explanation["decisions"]["1"]["passed"]
    assert not tally.tally(yes_no_spec(majority_rule="unanimity"), YN).explanation["decisions"]["1"]["passed"]


def test_yes_no_minimum_turnout():
    # 4 ballots of 10 eligible is 40 %: with a 50 % minimum nothing passes.
    outcome = tally.tally(yes_no_spec(min_turnout_percent=50), YN)
    assert outcome.winners == [] and not outcome.valid
    assert outcome.explanation["valid"] is False and outcome.explanation["turnout_percent"] == 40.0
    assert outcome.explanation["decisions"]["1"]["majority"] is True
    assert outcome.explanation["decisions"]["1"]["passed"] is False


def test_32_yes_to_1_no_passes_by_the_votes_cast():
    # 311 residents on the register, 33 ballots (10.6 %, above 10 %): the residents' default majority
    # is yes > half of yes + no, so 32 : 1 passes. The council's base "all members" would need 156.
    s = spec(
        method="yes_no",
        allocation="majority",
        budget=100,
        costs=(40,),
        majority_rule="simple",
        majority_base="yes_no",
        min_turnout_percent=10,
        electorate=311,
    )
    ballots = [((1, "yes"),)] * 32 + [((1, "no"),)]
    outcome = tally.tally(s, ballots)
    assert outcome.valid and outcome.winners == [1]
    assert outcome.explanation["decisions"]["1"]["needed"] == 17
    council_base = tally.tally(RoundSpec(**{**s.__dict__, "majority_base": "all_members"}), ballots)
    assert council_base.winners == [] and council_base.explanation["decisions"]["1"]["needed"] == 156


@pytest.mark.parametrize(
    ("yes", "no", "abstain", "base", "passed", "tie"),
    [
        (3, 2, 0, "yes_no", True, False),  # odd base 5: 3 is more than half
        (2, 2, 0, "yes_no", False, True),  # even split fails
        (3, 3, 9, "yes_no", False, True),  # abstentions do not break a tie
        (3, 2, 10, "yes_no", True, False),  # abstentions do not count against
        (3, 2, 10, "yes_no_abstain", False, False),  # ... unless the base counts them
        (0, 0, 4, "yes_no", False, False),  # nobody answered yes or no: base 0 never passes
        (0, 0, 0, "yes_no", False, False),  # empty
    ],
)
def test_residents_majority_rule(yes, no, abstain, base, passed, tie):
    s = spec(
        method="yes_no",
        allocation="majority",
        costs=(40,),
        majority_rule="simple",
        majority_base=base,
        min_turnout_percent=0,
        electorate=100,
    )
    decision = tally.decide_option(s, yes, no, abstain, yes + no + abstain, 100)
    assert decision.passed is passed and decision.tie is tie


@pytest.mark.parametrize(
    ("ballots", "electorate", "minimum", "valid"),
    [
        (31, 311, 10, False),  # 9.97 %
        (32, 311, 10, True),  # 10.3 %: 32 x 100 >= 10 x 311
        (1, 10, 10, True),  # exactly the minimum
        (0, 0, 0, True),  # nothing required, nothing cast
        (0, 5, 1, False),
        (12, 311, 0, True),
    ],
)
def test_minimum_turnout_rule(ballots, electorate, minimum, valid):
    assert tally.turnout_reached(ballots, electorate, minimum) is valid


@pytest.mark.parametrize("allocation", ["greedy", "mes"])
@pytest.mark.parametrize("method", ["approval", "knapsack"])
def test_minimum_turnout_applies_to_every_method(method, allocation):
    # 4 ballots of 311 (1.3 %) below 10 %: not valid, nothing selected, whatever the allocation.
    s = spec(method=method, allocation=allocation, min_turnout_percent=10, electorate=311)
    outcome = tally.tally(s, [(1, 3), (1, 3), (1, 2), (3,)])
    assert not outcome.valid and outcome.winners == [] and outcome.total_cost == 0
    assert outcome.votes == {1: 3, 2: 1, 3: 3}  # the votes are still counted and published
    assert outcome.turnout_percent == 1.3
    valid = tally.tally(
        spec(method=method, allocation=allocation, min_turnout_percent=10, electorate=40),
        [(1, 3), (1, 3), (1, 2), (3,)],
    )
    assert valid.valid and valid.winners


# --- ballots and receipts --------------------------------------------------------------------


def test_check_ballot_problems():
    approval = spec(max_choices=2)
    assert tally.check_ballot(approval, (1, 2)) is None
    assert tally.check_ballot(approval, (1, 2, 3)) == tally.TOO_MANY
    assert tally.check_ballot(approval, (1, 9)) == tally.UNKNOWN_OPTION
    assert tally.check_ballot(approval, (1, 1)) == tally.DUPLICATE
    knapsack = spec(method="knapsack")
    assert tally.check_ballot(knapsack, (1, 3)) is None  # 90 of 100
    assert tally.check_ballot(knapsack, (1, 2, 3)) == tally.OVER_BUDGET
    yn = yes_no_spec()
    assert tally.check_ballot(yn, ((1, "yes"), (2, "no"))) is None
    assert tally.check_ballot(yn, ((1, "maybe"),)) == tally.BAD_ANSWER
    assert tally.check_ballot(yn, ((1, "yes"), (1, "no"))) == tally.DUPLICATE


def test_receipt_code_covers_round_choices_and_nonce():
    code = tally.receipt_code(7, "approval", (1, 3), "abc")
    assert len(code) == tally.RECEIPT_LENGTH and code.isalnum() and code.upper() == code
    assert code == tally.receipt_code(7, "approval", (3, 1), "abc")  # canonical order
    assert code != tally.receipt_code(7, "approval", (1,), "abc")
    assert code != tally.receipt_code(7, "approval", (1, 3), "abd")
    assert code != tally.receipt_code(8, "approval", (1, 3), "abc")
    assert tally.normalise_receipt(tally.format_receipt(code).lower()) == code


# --- published files and verification --------------------------------------------------------

INFO = {
    "title": "测试;投票",
    "community": "杏林社区",
    "date_begin": date(2026, 3, 1),
    "date_end": date(2026, 3, 8),
    "ruleset_version": 3,
}
# The META keys the pabulib format defines (https://pabulib.org/format), and its PROJECTS / VOTES columns.
PABULIB_META = {
    "description",
    "country",
    "unit",
    "subunit",
    "instance",
    "district",
    "num_projects",
    "num_votes",
    "budget",
    "vote_type",
    "rule",
    "date_begin",
    "date_end",
    "min_length",
    "max_length",
    "min_sum_cost",
    "max_sum_cost",
    "min_project_score_threshold",
    "edition",
    "language",
    "currency",
    "fully_funded",
    "experimental",
    "comment",
    "acknowledgments",
}
PABULIB_PROJECTS = {"project_id", "cost", "votes", "score", "name", "category", "target", "selected"}
PABULIB_VOTES = {"voter_id", "vote", "points", "age", "sex", "voting_method", "district", "neighborhood"}


def published(method="approval", allocation="mes", ballots=None, electorate=8):
    s = spec(
        method=method,
        allocation=allocation,
        budget=100,
        costs=(40, 30, 50),
        electorate=electorate,
        max_choices=3 if method == "approval" else None,
        min_turnout_percent=10,
        **({"majority_rule": "simple", "majority_base": "yes_no"} if method == "yes_no" else {}),
    )
    ballots = ballots or [(1, 3), (1, 3), (1, 2, 3), (2, 3), ()]
    rows = sorted(
        (
            tally.PublishedBallot(
                7_000_000 + 997 * i % 13 * 1000 + i, tally.normalise(method, choices), "paper" if i == 0 else "online"
            )
            for i, choices in enumerate(ballots)
        ),
        key=lambda b: b.id,
    )
    outcome = tally.tally(s, [r.choices for r in rows])
    return s, rows, outcome


def sections(text):
    out, name = {}, None
    for row in csv.reader(text.splitlines(), delimiter=";"):
        if row in (["META"], ["PROJECTS"], ["VOTES"]):
            name, out[row[0]] = row[0], []
        else:
            out[name].append(row)
    return out


def test_pb_round_trip_and_verify_match():
    s, rows, outcome = published()
    text = tally.write_pb(5, s, rows, outcome, INFO)
    assert text.startswith("META\nkey;value\n")
    parsed = tally.parse_pb(text)
    assert parsed.round_id == 5
    assert (
        parsed.spec.method,
        parsed.spec.allocation,
        parsed.spec.budget,
        parsed.spec.options,
        parsed.spec.max_choices,
    ) == (s.method, s.allocation, s.budget, s.options, s.max_choices)
    assert [b.id for b in parsed.ballots] == [b.id for b in rows]
    assert [b.channel for b in parsed.ballots] == [b.channel for b in rows]
    assert parsed.selected == set(outcome.winners)
    report = tally.verify(parsed)
    assert report.match, report.problems
    assert report.outcome.winners == outcome.winners


@pytest.mark.parametrize(
    ("method", "allocation", "rule"), [("approval", "mes", "equalshares/add1"), ("knapsack", "greedy", "greedy")]
)
def test_pb_has_only_pabulib_fields_its_dates_and_an_exact_rule_label(method, allocation, rule):
    s, rows, outcome = published(method=method, allocation=allocation)
    parts = sections(tally.write_pb(5, s, rows, outcome, INFO))
    meta = dict(parts["META"][1:])
    assert set(meta) <= PABULIB_META, set(meta) - PABULIB_META
    assert meta["rule"] == rule and meta["vote_type"] == "approval"
    assert meta["date_begin"] == "01.03.2026" and meta["date_end"] == "08.03.2026"
    assert meta["num_votes"] == str(len(rows)) and meta["num_projects"] == "3" and meta["budget"] == "100"
    assert (
        meta["comment"].startswith("#1: ") and "#2: " in meta["comment"] and "tools/verify_tally.py" in meta["comment"]
    )
    assert ("max_sum_cost" in meta) == (method == "knapsack") and ("max_length" in meta) == (method == "approval")
    assert meta.get("min_project_score_threshold") == ("1" if allocation == "greedy" else None)
    assert set(parts["PROJECTS"][0]) <= PABULIB_PROJECTS and set(parts["VOTES"][0]) <= PABULIB_VOTES
    # The votes column of PROJECTS is the count of the ballots in VOTES.
    in_votes = Counter(int(n) for row in parts["VOTES"][1:] for n in row[1].split(",") if n)
    assert {int(r[0]): int(r[2]) for r in parts["PROJECTS"][1:]} == {n: in_votes[n] for n in (1, 2, 3)}
    assert {r[2] for r in parts["VOTES"][1:]} == {"internet", "paper"}


def plain_pabutools_recount(text):
    """What an outsider does with a published file: pabutools' own parser and rules, the tie-break and
    the threshold as the file's META says."""
    from pabutools.election import Cost_Sat, Instance
    from pabutools.election.pabulib import parse_pabulib_from_string
    from pabutools.rules import greedy_utilitarian_welfare, method_of_equal_shares
    from pabutools.tiebreaking import TieBreakingRule

    instance, profile = parse_pabulib_from_string(text)
    ties = TieBreakingRule(lambda _inst, _prof, p: (p.cost, int(p.name)))
    if instance.meta["rule"] == "equalshares/add1":
        chosen = method_of_equal_shares(
            instance, profile, sat_class=Cost_Sat, voter_budget_increment=1, tie_breaking=ties
        )
    else:
        assert instance.meta["rule"] == "greedy"
        threshold = int(instance.meta.get("min_project_score_threshold", 0))
        eligible = Instance(
            [p for p in instance if profile.approval_score(p) >= threshold], budget_limit=instance.budget_limit
        )
        chosen = greedy_utilitarian_welfare(eligible, profile, sat_class=Cost_Sat, tie_breaking=ties)
    return sorted(int(p.name) for p in chosen)


def test_published_pb_recounts_with_plain_pabutools():
    import random

    rng = random.Random(7)  # noqa: S311
    costs = (40, 30, 50, 25, 60, 15, 35)
    for trial in range(30):
        allocation = ("mes", "greedy")[trial % 2]
        s = spec(method="knapsack", allocation=allocation, budget=120, costs=costs)
        ballots = []
        for _ in range(rng.randint(3, 25)):
            choice, total = [], 0
            for number in rng.sample(range(1, 8), 7):
                if rng.random() < 0.45 and total + costs[number - 1] <= 120:
                    choice.append(number)
                    total += costs[number - 1]
            ballots.append(tuple(sorted(choice)))
        rows = [tally.PublishedBallot(i + 1, b) for i, b in enumerate(ballots)]
        outcome = tally.tally(s, ballots)
        text = tally.write_pb(trial + 1, s, rows, outcome, INFO)
        assert plain_pabutools_recount(text) == sorted(outcome.winners), (trial, allocation, ballots)


def test_the_old_home_made_completion_is_gone():
    # With the old completion (1 % steps, then greedy) this profile funded {3, 1}: greedy filled the money
    # MES left. Labelled equalshares/add1, the standard recount gives {3, 2}, and so does the count now.
    s = spec(allocation="mes", budget=100, costs=(70, 70, 20))
    rows = [tally.PublishedBallot(1, (1, 3)), tally.PublishedBallot(2, (2,))]
    outcome = tally.tally(s, [r.choices for r in rows])
    assert plain_pabutools_recount(tally.write_pb(1, s, rows, outcome, INFO)) == sorted(outcome.winners) == [2, 3]


def test_yes_no_round_is_not_published_as_pb():
    s, rows, outcome = published(method="yes_no", allocation="majority", ballots=list(YN) + [()])
    assert not tally.has_pb(s, outcome)
    with pytest.raises(ValueError, match="only valid approval"):
        tally.write_pb(5, s, rows, outcome, INFO)
    doc = tally.round_document(5, s, outcome, INFO)
    assert doc["rule"] is None and doc["majority_rule"] == "simple" and doc["majority_base"] == "yes_no"
    report = tally.verify(tally.parse_csv_and_round(tally.write_ballots_csv(s.method, rows), doc))
    assert report.match, report.problems


def test_round_not_valid_has_no_pb_and_its_json_says_why():
    s, rows, outcome = published(electorate=100)  # 5 ballots of 100 < 10 %
    assert not outcome.valid and not tally.has_pb(s, outcome)
    with pytest.raises(ValueError):
        tally.write_pb(5, s, rows, outcome, INFO)
    doc = tally.round_document(5, s, outcome, INFO)
    assert (doc["valid"], doc["turnout_percent"], doc["min_turnout_percent"], doc["electorate"]) == (
        False,
        5.0,
        10,
        100,
    )
    csv_text = tally.write_ballots_csv(s.method, rows)
    assert tally.verify(tally.parse_csv_and_round(csv_text, doc)).match
    # Claiming it valid (or changing the register size) does not survive the recount.
    forged = dict(doc, valid=True)
    report = tally.verify(tally.parse_csv_and_round(csv_text, forged))
    assert not report.match and any("published as valid" in p for p in report.problems)


def test_csv_and_round_json_round_trip():
    s, rows, outcome = published()
    csv_text = tally.write_ballots_csv(s.method, rows)
    assert csv_text.splitlines()[0] == "ballot,channel,choices"
    doc = tally.round_document(5, s, outcome, INFO)
    report = tally.verify(tally.parse_csv_and_round(csv_text, doc))
    assert report.match, report.problems


def test_verify_detects_tampering():
    s, rows, outcome = published(allocation="greedy")
    text = tally.write_pb(5, s, rows, outcome, INFO)
    # Someone changes one ballot's choices in the published file: the recount of option 2 differs.
    victim = next(b for b in rows if b.choices == (1, 3))
    tampered = text.replace(f"\n{victim.id};1,3;", f"\n{victim.id};2,3;")
    assert tampered != text
    report = tally.verify(tally.parse_pb(tampered))
    assert not report.match
    assert any("option 2" in p for p in report.problems)
    # Someone marks another project as selected.
    lines = text.splitlines()
    project_2 = next(i for i, line in enumerate(lines) if line.startswith("2;30;"))
    lines[project_2] = lines[project_2][:-1] + ("0" if lines[project_2].endswith("1") else "1")
    report = tally.verify(tally.parse_pb("\n".join(lines)))
    assert not report.match and any("winners differ" in p for p in report.problems)
    # A ballot listed twice.
    duplicated = text.replace(f"\n{victim.id};1,3;", f"\n{victim.id};1,3;internet\n{victim.id};1,3;")
    assert any("appears twice" in p for p in tally.verify(tally.parse_pb(duplicated)).problems)


def test_parse_rejects_garbage():
    with pytest.raises(tally.FormatError):
        tally.parse_pb("hello;world\n")
    with pytest.raises(tally.FormatError):
        tally.parse_pb("META\nkey;value\nbudget;10\n")
    with pytest.raises(tally.FormatError, match="cannot be recounted"):
        tally.parse_pb("META\nkey;value\nbudget;10\nvote_type;approval\nrule;unknown\n")


def test_count_approvals_is_a_plain_counter():
    assert tally.count_approvals([(1, 2), (2,), ()], [1, 2, 3]) == {1: 1, 2: 2, 3: 0}
