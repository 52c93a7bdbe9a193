"""The pure counting module against hand-computed cases (no app, no database)."""
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
        Option(i, 100, f"B{i - 10}") for i in range(11, 21))
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
    assert explanation["completion"] == []


def test_equal_shares_small_case_by_hand():
    # Budget 300, three voters: share 100 each. Costs: 1 -> 150, 2 -> 150, 3 -> 100.
    # v1 approves {1, 2}, v2 {1}, v3 {3}. Project 1: v1 and v2 pay 75 each (the cheapest per supporter),
    # then 3: v3 pays 100. Project 2 needs 150 from v1 alone, who has 25 left. The outcome {1, 3} costs 250
    # and 2 (150) cannot fit in the 50 left, so it is already exhaustive: the shares are not raised, and
    # greedy completion has nothing to add.
    s = spec(allocation="mes", budget=300, costs=(150, 150, 100))
    outcome = tally.tally(s, [(1, 2), (1,), (3,)], explain=True)
    assert outcome.winners == [1, 3]
    assert outcome.total_cost == 250
    paid = {p["number"]: p for p in outcome.explanation["paid"]}
    assert paid[1]["payers"] == 2 and Fraction(paid[1]["max_payment"]) == 75
    assert paid[3]["payers"] == 1 and Fraction(paid[3]["max_payment"]) == 100
    assert Fraction(outcome.explanation["share"]) == 100
    assert Fraction(outcome.explanation["final_share"]) == 100
    assert outcome.explanation["completion"] == []


def test_equal_shares_completion_by_greedy():
    # Budget 100, two voters (share 50): v1 approves 1 (60), v2 approves 2 (40).
    # MES: 2 is affordable (v2 pays 40); 1 needs 60 from v1 with 50. Raising shares: at 60 (step 1),
    # 1 becomes affordable and 1 + 2 = 100 fits: exhaustive. So both, without greedy completion.
    outcome = tally.tally(spec(allocation="mes", budget=100, costs=(60, 40)), [(1,), (2,)], explain=True)
    assert sorted(outcome.winners) == [1, 2]
    # Budget 100, v1 approves 1 (70) and 3 (20), v2 approves 2 (70): the shares (50 each) can never pay
    # for 1 and 2 together (140 > 100), so MES funds 3 and then one of 1 or 2; greedy completion adds
    # nothing that fits. Checked: a feasible, exhaustive outcome within the budget.
    s = spec(allocation="mes", budget=100, costs=(70, 70, 20))
    outcome = tally.tally(s, [(1, 3), (2,)], explain=True)
    assert outcome.total_cost <= 100
    assert 3 in outcome.winners


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
    assert outcome.winners == []
    assert outcome.explanation["turnout_met"] is False
    assert outcome.explanation["decisions"]["1"]["majority"] is True


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


def published(method="approval", allocation="mes", ballots=None):
    s = spec(method=method, allocation=allocation, budget=100, costs=(40, 30, 50), electorate=8,
             **({"majority_rule": "simple", "majority_base": "yes_no"} if method == "yes_no" else {}))
    ballots = ballots or [(1, 3), (1, 3), (1, 2, 3), (2, 3), ()]
    rows = []
    for i, choices in enumerate(ballots):
        nonce = f"nonce{i}"
        rows.append(tally.PublishedBallot(tally.receipt_code(5, method, choices, nonce), tally.normalise(method, choices),
                                          nonce, "paper" if i == 0 else "online"))
    outcome = tally.tally(s, [r.choices for r in rows])
    return s, rows, outcome


def test_pb_round_trip_and_verify_match():
    s, rows, outcome = published()
    text = tally.write_pb(5, s, rows, outcome, {"title": "测试;投票", "community": "杏林社区"})
    assert text.startswith("META\nkey;value\n")
    parsed = tally.parse_pb(text)
    assert parsed.round_id == 5 and parsed.spec == s
    assert [b.receipt for b in parsed.ballots] == [b.receipt for b in rows]
    assert parsed.selected == set(outcome.winners)
    report = tally.verify(parsed)
    assert report.match, report.problems
    assert report.outcome.winners == outcome.winners


def test_pb_file_is_read_by_pabutools_and_its_greedy_agrees():
    from pabutools.election import Cost_Sat
    from pabutools.election.pabulib import parse_pabulib_from_string
    from pabutools.rules import greedy_utilitarian_welfare

    s, rows, outcome = published(allocation="greedy", ballots=[(1, 3), (1, 3), (1, 2, 3), (2, 3)])
    instance, profile = parse_pabulib_from_string(tally.write_pb(5, s, rows, outcome))
    assert instance.budget_limit == 100 and len(profile) == 4
    chosen = greedy_utilitarian_welfare(instance, profile, sat_class=Cost_Sat)
    assert sorted(int(p.name) for p in chosen) == sorted(outcome.winners)


def test_yes_no_round_trip():
    s, rows, outcome = published(method="yes_no", allocation="majority", ballots=list(YN) + [()])
    text = tally.write_pb(5, s, rows, outcome)
    assert "vote_type;scoring" in text
    report = tally.verify(tally.parse_pb(text))
    assert report.match, report.problems


def test_csv_and_round_json_round_trip():
    s, rows, outcome = published()
    csv_text = tally.write_ballots_csv(s.method, rows)
    doc = tally.round_document(5, s, outcome)
    report = tally.verify(tally.parse_csv_and_round(csv_text, doc))
    assert report.match, report.problems


def test_verify_detects_tampering():
    s, rows, outcome = published(allocation="greedy")
    text = tally.write_pb(5, s, rows, outcome)
    # Someone changes one ballot's choices in the published file: its receipt no longer matches,
    # and the recount of option 2 differs.
    victim = rows[1]
    tampered = text.replace(f"{victim.receipt};1,3;", f"{victim.receipt};2,3;")
    assert tampered != text
    report = tally.verify(tally.parse_pb(tampered))
    assert not report.match
    assert any("do not match its receipt" in p for p in report.problems)
    assert any("option 2" in p for p in report.problems)
    # Someone marks another project as selected.
    lines = text.splitlines()
    project_2 = next(i for i, line in enumerate(lines) if line.startswith("2;30;"))
    lines[project_2] = lines[project_2][:-1] + ("0" if lines[project_2].endswith("1") else "1")
    report = tally.verify(tally.parse_pb("\n".join(lines)))
    assert not report.match and any("winners differ" in p for p in report.problems)


def test_parse_rejects_garbage():
    with pytest.raises(tally.FormatError):
        tally.parse_pb("hello;world\n")
    with pytest.raises(tally.FormatError):
        tally.parse_pb("META\nkey;value\nbudget;10\n")


def test_count_approvals_is_a_plain_counter():
    assert tally.count_approvals([(1, 2), (2,), ()], [1, 2, 3]) == {1: 1, 2: 2, 3: 0}
