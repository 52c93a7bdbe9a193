"""Over 400 lines on purpose: tools/verify_tally.py loads this one file by its path, without the app or its package.

Counting a resident voting round, and the published ballot files. Pure Python and pabutools: no Flask.

One module serves the web app (the results page, `flask --app wsgi tally verify`) and the
standalone checker tools/verify_tally.py, which loads this file by its path, so that anyone
holding the published files can recompute the result without the app or its database.

Validity (every method): a round is valid when its ballots reach the rules' minimum turnout of
the electorate fixed when voting opened (ballots x 100 >= min_turnout_percent x electorate).
Below it the round is published as not valid and no option is selected.

Methods
- ``yes_no``: each option is answered yes / no / abstain. An option passes when its yes votes
  reach the residents' majority of the consultation rules (app/rules/majority.py with the
  rule set's resident_majority_rule / resident_majority_base; by default yes > half of the yes
  and no votes cast on it; a tie fails). Options that pass are funded in order of yes votes while
  the budget lasts. A yes/no round is not an approval election: it has no .pb file, only the
  ballots CSV and the round JSON.
- ``approval``: each ballot approves at most ``max_choices`` options.
- ``knapsack``: each ballot approves options whose total cost fits the budget.

Allocation for approval and knapsack ballots, with pabulib's rule labels (pabutools computes
them; nothing is re-implemented):
- ``greedy`` (pabulib ``greedy``): greedy by votes, pabutools' greedy_utilitarian_welfare with
  cost satisfaction (Cost_Sat: a project's score per yuan is its number of votes). Options are
  taken in order of votes and funded while they still fit. Options nobody voted for are not
  eligible: the .pb file says so with pabulib's META field ``min_project_score_threshold;1``.
- ``mes`` (pabulib ``equalshares/add1``): pabutools' method_of_equal_shares with Cost_Sat and
  voter_budget_increment=1: every voter who cast a ballot holds an equal share of the budget;
  an option is funded when its supporters can pay for it from their shares. While the outcome
  leaves a supported option unfunded that would fit, every share is raised by 1 yuan and the
  method is run again, as long as its outcome stays within the real budget (the "add1"
  completion). No other completion follows.

Ties are broken the same way everywhere: fewer cost first, then the lower option number
(TIE_BREAK); a recount passes pabutools TieBreakingRule(lambda i, p, proj: (proj.cost, int(proj.name))).
"""

from __future__ import annotations

import base64
import csv
import hashlib
import importlib.util
import io
import json
import sys
from collections import Counter
from dataclasses import dataclass, field
from fractions import Fraction
from itertools import chain
from pathlib import Path

if __package__:
    from app.rules import majority
else:  # loaded by path (tools/verify_tally.py): take the same majority rules from their file
    _MAJORITY = Path(__file__).resolve().parents[1] / "rules" / "majority.py"
    _spec = importlib.util.spec_from_file_location("weiyi_majority", _MAJORITY)
    majority = importlib.util.module_from_spec(_spec)
    sys.modules[_spec.name] = majority
    _spec.loader.exec_module(majority)

YES_NO, APPROVAL, KNAPSACK = "yes_no", "approval", "knapsack"
METHODS = (YES_NO, APPROVAL, KNAPSACK)
GREEDY, MES, MAJORITY = "greedy", "mes", "majority"
ALLOCATIONS = (GREEDY, MES)
# pabulib's META `rule` labels, with pabulib's definitions (see the module docstring).
PABULIB_RULES = {GREEDY: "greedy", MES: "equalshares/add1"}
MES_INCREMENT = 1  # the "add1" completion: each voter's share grows by 1 yuan per step
GREEDY_THRESHOLD = 1  # greedy: options need at least one vote (pabulib's min_project_score_threshold)
ANSWERS = ("yes", "no", "abstain")
POINTS = {"yes": 1, "no": -1, "abstain": 0}
TIE_BREAK = "cost-then-number"  # fewer cost first, then the lower option number
RECEIPT_LENGTH = 12
FORMAT_VERSION = "weiyi-ballot-v1"
EXPLAIN_LIMIT = 20_000  # distinct ballots up to which the MES run keeps its per-step details

# Why each option of an approval or budget round was funded or not (codes with the run's numbers;
# app/voting/results.py words them). Exactly one per option, taken from the allocation's own run.
NOT_VALID = "not_valid"  # the turnout was below the minimum: nothing was computed
NO_VOTES = "no_votes"  # nobody chose it: not eligible
GREEDY_FUNDED = "greedy_funded"  # left: money left before it was funded
GREEDY_NO_ROOM = "greedy_no_room"  # left: money left when its turn came, less than its cost
MES_FUNDED = "mes_funded"  # payers, paid: its supporters' shares covered its cost
MES_SHORT = "mes_short"  # supporters, left: what its supporters had left between them, less than its cost
# MES runs without analytics (over EXPLAIN_LIMIT distinct ballots) know only the outcome.
MES_FUNDED_UNDETAILED, MES_SHORT_UNDETAILED = "mes_funded_undetailed", "mes_short_undetailed"

# Ballot problems (codes; the app turns them into sentences in the voter's language).
UNKNOWN_OPTION = "unknown_option"
DUPLICATE = "duplicate"
TOO_MANY = "too_many"
OVER_BUDGET = "over_budget"
BAD_ANSWER = "bad_answer"


@dataclass(frozen=True)
class Option:
    number: int
    cost: int
    title: str = ""


@dataclass(frozen=True)
class RoundSpec:
    """Everything the count needs besides the ballots (all of it is published)."""

    method: str
    allocation: str  # greedy | mes; "majority" for yes/no rounds
    budget: int
    options: tuple[Option, ...]
    max_choices: int | None = None  # approval rounds: at most k options
    majority_rule: str = "simple"  # yes/no rounds: the residents' majority of the rule set
    majority_base: str = "yes_no"
    min_turnout_percent: int = 0  # every method
    electorate: int = 0  # fixed when voting opened

    @property
    def rule(self):
        """pabulib's label of the allocation rule (None for yes/no rounds, which have no .pb)."""
        return PABULIB_RULES.get(self.allocation)

    @property
    def numbers(self):
        return [o.number for o in self.options]

    def option(self, number):
        for candidate in self.options:
            if candidate.number == number:
                return candidate
        raise KeyError(number)


@dataclass
class Outcome:
    method: str
    allocation: str
    budget: int
    ballots: int
    electorate: int
    votes: dict  # option number -> approvals (approval/knapsack) or yes votes (yes/no)
    winners: list  # option numbers in the order they were funded
    total_cost: int
    no: dict = field(default_factory=dict)  # yes/no rounds
    abstain: dict = field(default_factory=dict)
    explanation: dict = field(default_factory=dict)
    valid: bool = True  # False: turnout below the minimum, nothing selected

    @property
    def turnout_percent(self):
        return turnout_percent(self.ballots, self.electorate)


def turnout_percent(ballots, electorate):
    """Turnout as published: one decimal."""
    return round(100 * ballots / electorate, 1) if electorate else 0.0


def turnout_reached(ballots, electorate, min_percent):
    """The minimum turnout rule: ballots reach min_percent % of the electorate (exact integers)."""
    return ballots * 100 >= min_percent * electorate


# --- ballots ---------------------------------------------------------------------------------


def normalise(method, choices):
    """Stored/published choices -> the canonical form: a sorted tuple of option numbers, or for
    yes/no a sorted tuple of (number, answer) pairs."""
    if method == YES_NO:
        pairs = choices.items() if isinstance(choices, dict) else choices
        return tuple(sorted((int(n), str(a)) for n, a in pairs))
    return tuple(sorted(int(n) for n in choices))


def canonical(method, choices):
    """The text a receipt code covers and the published files carry: "1,3,5" or "1:yes,2:no"."""
    choices = normalise(method, choices)
    if method == YES_NO:
        return ",".join(f"{n}:{a}" for n, a in choices)
    return ",".join(str(n) for n in choices)


def parse_canonical(method, text):
    text = (text or "").strip()
    if not text:
        return ()
    if method == YES_NO:
        pairs = []
        for item in text.split(","):
            number, _, answer = item.partition(":")
            pairs.append((int(number), answer.strip()))
        return tuple(sorted(pairs))
    return tuple(sorted(int(n) for n in text.split(",")))


_COSTS = [None, None]  # (spec, {number: cost}): checking a million ballots of one round looks it up once


def _costs(spec: RoundSpec):
    if _COSTS[0] is not spec:
        _COSTS[:] = [spec, {o.number: o.cost for o in spec.options}]
    return _COSTS[1]


def check_ballot(spec: RoundSpec, choices):
    """None when the ballot is valid for this round, else a problem code."""
    known = _costs(spec)
    if spec.method == YES_NO:
        numbers = [n for n, _ in choices]
        if any(n not in known for n in numbers):
            return UNKNOWN_OPTION
        if len(set(numbers)) != len(numbers):
            return DUPLICATE
        if any(a not in ANSWERS for _, a in choices):
            return BAD_ANSWER
        return None
    if any(n not in known for n in choices):
        return UNKNOWN_OPTION
    if len(set(choices)) != len(choices):
        return DUPLICATE
    if spec.method == APPROVAL and spec.max_choices and len(choices) > spec.max_choices:
        return TOO_MANY
    if spec.method == KNAPSACK and sum(known[n] for n in choices) > spec.budget:
        return OVER_BUDGET
    return None


def receipt_code(round_id, method, choices, nonce):
    """A short code derived from the ballot content and a random nonce (SHA-256, base32)."""
    message = f"{FORMAT_VERSION}|{round_id}|{canonical(method, choices)}|{nonce}".encode()
    return base64.b32encode(hashlib.sha256(message).digest()).decode()[:RECEIPT_LENGTH]


def normalise_receipt(text):
    return "".join(ch for ch in (text or "").upper() if ch.isalnum())[: RECEIPT_LENGTH + 4]


def format_receipt(code):
    return "-".join(code[i : i + 4] for i in range(0, len(code), 4))


# --- counting --------------------------------------------------------------------------------


def count_approvals(ballots, numbers):
    """Approvals per option. `ballots` is any iterable of iterables of option numbers."""
    counts = Counter(chain.from_iterable(ballots))
    return {n: counts.get(n, 0) for n in numbers}


def count_answers(ballots, numbers):
    yes, no, abstain = Counter(), Counter(), Counter()
    bins = {"yes": yes, "no": no, "abstain": abstain}
    for ballot in ballots:
        for number, answer in ballot:
            bins[answer][number] += 1
    return ({n: yes[n] for n in numbers}, {n: no[n] for n in numbers}, {n: abstain[n] for n in numbers})


def tie_order(spec, number):
    return (spec.option(number).cost, number)


def _pabutools():
    from pabutools.election import ApprovalMultiProfile, Cost_Sat, FrozenApprovalBallot, Instance, Project
    from pabutools.election.satisfaction import GroupSatisfactionMeasure
    from pabutools.rules import greedy_utilitarian_welfare, method_of_equal_shares
    from pabutools.tiebreaking import TieBreakingRule

    return {
        "ApprovalMultiProfile": ApprovalMultiProfile,
        "Cost_Sat": Cost_Sat,
        "FrozenApprovalBallot": FrozenApprovalBallot,
        "Instance": Instance,
        "Project": Project,
        "GroupSatisfactionMeasure": GroupSatisfactionMeasure,
        "TieBreakingRule": TieBreakingRule,
        "greedy": greedy_utilitarian_welfare,
        "mes": method_of_equal_shares,
    }


def _tie_breaking(pb):
    # Sorting key for tied projects: fewer cost first, then the lower option number.
    return pb["TieBreakingRule"](lambda _instance, _profile, project: (project.cost, int(project.name)))


def _vote_count_satisfaction(pb, votes):
    """Cost_Sat totals from the counted votes: a voter's satisfaction with an approved project is
    its cost, so the total over all voters is votes x cost. pabutools' additive greedy only asks
    for these totals, which saves building a profile of a million ballot objects."""

    class VoteCountCostSatisfaction(pb["GroupSatisfactionMeasure"]):
        def __iter__(self):
            return iter(())

        def multiplicity(self, sat):
            raise NotImplementedError

        def remove_satisfied(self, sat_bound, projects):
            raise NotImplementedError

        def total_satisfaction_project(self, project):
            return votes[int(project.name)] * project.cost

    return VoteCountCostSatisfaction()


def _instance(pb, spec, votes):
    projects = {o.number: pb["Project"](str(o.number), o.cost) for o in spec.options if votes.get(o.number)}
    return projects, pb["Instance"](projects.values(), budget_limit=spec.budget)


def allocate_greedy(spec, votes):
    """Options funded by votes within the budget (pabutools greedy with Cost_Sat), in order, and
    the run's steps (see _greedy_steps)."""
    pb = _pabutools()
    projects, instance = _instance(pb, spec, votes)
    if not projects:
        return [], []
    chosen = pb["greedy"](
        instance,
        pb["ApprovalMultiProfile"](instance=instance),
        sat_profile=_vote_count_satisfaction(pb, votes),
        is_sat_additive=True,
        tie_breaking=_tie_breaking(pb),
        analytics=True,
    )
    return [int(p.name) for p in chosen], _greedy_steps(spec.budget, chosen.details)


def _greedy_steps(budget, details):
    """The order the greedy run went down the list, from pabutools' analytics of that run: each
    project's score and, for each one it funded, the money left after it. The run walks its
    projects by score, ties in its tie-break order (the order of details.projects), so a project
    it skipped met the money left after the last one funded before it."""
    ranked = sorted(enumerate(details.projects), key=lambda pair: (-pair[1].score, pair[0]))
    remaining, steps = budget, []
    for _, project in ranked:
        before = remaining
        if not project.discarded:
            remaining = int(project.remaining_budget)
        steps.append(
            {
                "number": int(project.project.name),
                "funded": not project.discarded,
                "before": before,
                "remaining": remaining,
            }
        )
    return steps


def _greedy_reasons(spec, steps):
    reasons = {}
    for step in steps:
        code = GREEDY_FUNDED if step["funded"] else GREEDY_NO_ROOM
        reasons[str(step["number"])] = {"code": code, "left": step["before"], "cost": spec.option(step["number"]).cost}
    return reasons


def allocate_mes(spec, ballots, votes, explain=False):
    """pabulib's equalshares/add1: pabutools' Method of Equal Shares with the per-voter budget
    raised by 1 yuan while the outcome is not exhaustive and stays within the budget.
    Returns (winners in order, explanation dict)."""
    pb = _pabutools()
    projects, instance = _instance(pb, spec, votes)
    voters = len(ballots)
    explanation = {
        "voters": voters,
        "share": str(Fraction(spec.budget, voters)) if voters else "0",
        "step": str(MES_INCREMENT),
        "paid": [],
    }
    if not projects or not voters:
        return [], explanation
    profile = pb["ApprovalMultiProfile"](instance=instance)
    distinct = Counter(frozenset(n for n in ballot if n in projects) for ballot in ballots)
    for approved, multiplicity in distinct.items():
        profile[pb["FrozenApprovalBallot"]([projects[n] for n in sorted(approved)])] = multiplicity
    analytics = explain and len(distinct) <= EXPLAIN_LIMIT
    outcome = pb["mes"](
        instance,
        profile,
        sat_class=pb["Cost_Sat"],
        tie_breaking=_tie_breaking(pb),
        voter_budget_increment=MES_INCREMENT,
        analytics=analytics,
    )
    winners = [int(p.name) for p in outcome]
    if analytics and outcome.details is not None and outcome.details.iterations:
        explanation.update(_explain_mes(outcome.details))
    return winners, explanation


def _explain_mes(details):
    """From pabutools' analytics of the run whose outcome is published (the last run of the add1
    completion that stayed within the budget): each voter's final share, how the shares paid for
    each winner, and for each project the run dropped, what its supporters had left at that step."""
    multiplicity = details.voter_multiplicity
    first = details.iterations[0].voters_budget
    paid, reasons = [], {}
    for iteration in details.iterations:
        for considered in iteration:
            if considered.discarded:  # its supporters' money left, at the start of this step, fell short
                supporters = considered.project.supporter_indices
                left = sum(_fraction(iteration.voters_budget[i]) * multiplicity[i] for i in supporters)
                reasons[int(considered.project.name)] = {
                    "code": MES_SHORT,
                    "supporters": sum(multiplicity[i] for i in supporters),
                    "left": str(left),
                    "cost": int(considered.project.cost),
                }
        if iteration.selected_project is None or iteration.voters_budget_after_selection is None:
            continue
        payments = [
            _fraction(b) - _fraction(a)
            for b, a in zip(iteration.voters_budget, iteration.voters_budget_after_selection, strict=True)
        ]
        positive = [(p, multiplicity[i]) for i, p in enumerate(payments) if p > 0]
        number = int(iteration.selected_project.name)
        reasons[number] = {
            "code": MES_FUNDED,
            "payers": sum(m for _, m in positive),
            "paid": str(sum((p * m for p, m in positive), Fraction(0))),
        }
        if not positive:
            continue
        top = max(p for p, _ in positive)
        paid.append(
            {
                "number": number,
                "payers": sum(m for _, m in positive),
                "max_payment": str(top),
                "partial_payers": sum(m for p, m in positive if p < top),
            }
        )
    return {
        "final_share": str(_fraction(first[0]) if first else Fraction(0)),
        "paid": paid,
        "reasons": {str(n): r for n, r in reasons.items()},
    }


def _fraction(value):
    """gmpy2 mpq (pabutools' exact numbers), int or Fraction -> Fraction."""
    if hasattr(value, "numerator"):
        return Fraction(int(value.numerator), int(value.denominator))
    return Fraction(value)


def tally(spec: RoundSpec, ballots, explain=False) -> Outcome:
    """Count canonical ballots (see normalise) for the round described by `spec`."""
    ballots = list(ballots)
    numbers = spec.numbers
    n = len(ballots)
    electorate = max(spec.electorate, n)
    valid = turnout_reached(n, electorate, spec.min_turnout_percent)
    turnout = {
        "valid": valid,
        "min_turnout_percent": spec.min_turnout_percent,
        "turnout_percent": turnout_percent(n, electorate),
    }
    if spec.method == YES_NO:
        return _tally_yes_no(spec, ballots, numbers, electorate, valid, turnout)
    votes = count_approvals(ballots, numbers)
    if not valid:
        winners, explanation = [], {}
    elif spec.allocation == MES:
        winners, explanation = allocate_mes(spec, ballots, votes, explain=explain)
    else:
        winners, steps = allocate_greedy(spec, votes)
        explanation = {"order": steps, "reasons": _greedy_reasons(spec, steps)}
    explanation["reasons"] = _every_reason(spec, votes, winners, valid, explanation.get("reasons", {}))
    return Outcome(
        spec.method,
        spec.allocation,
        spec.budget,
        n,
        electorate,
        votes,
        winners,
        sum(spec.option(w).cost for w in winners),
        explanation=dict(explanation, **turnout),
        valid=valid,
    )


def _every_reason(spec, votes, winners, valid, from_run):
    """One reason per option, keyed by its number as text: the run's own (from_run), or what the run
    never got to: a round that is not valid, an option nobody chose, or an MES run without analytics."""
    reasons = {}
    for number in spec.numbers:
        if not valid:
            reasons[str(number)] = {"code": NOT_VALID}
        elif not votes[number]:
            reasons[str(number)] = {"code": NO_VOTES}
        elif str(number) in from_run:
            reasons[str(number)] = from_run[str(number)]
        else:
            reasons[str(number)] = {"code": MES_FUNDED_UNDETAILED if number in winners else MES_SHORT_UNDETAILED}
    return reasons


def decide_option(spec, yes, no, abstain, ballots, electorate):
    """The residents' majority on one yes/no option (a tie fails: there is no casting vote)."""
    counts = majority.Counts(yes=yes, no=no, abstain=abstain, present=ballots, members=electorate)
    return majority.decide(counts, spec.majority_rule, spec.majority_base, majority.TieRule.FAILS)


def _tally_yes_no(spec, ballots, numbers, electorate, valid, turnout):
    yes, no, abstain = count_answers(ballots, numbers)
    n = len(ballots)
    decisions = {}
    for number in numbers:
        decision = decide_option(spec, yes[number], no[number], abstain[number], n, electorate)
        decisions[number] = {
            "passed": bool(decision.passed and valid),
            "majority": decision.passed,
            "base": decision.base,
            "needed": decision.needed,
            "tie": decision.tie,
        }
    passed = sorted((n for n in numbers if decisions[n]["passed"]), key=lambda n: (-yes[n],) + tie_order(spec, n))
    remaining, winners = spec.budget, []
    for number in passed:
        cost = spec.option(number).cost
        decisions[number]["funded"] = cost <= remaining
        if cost <= remaining:
            winners.append(number)
            remaining -= cost
    explanation = dict(
        turnout,
        majority_rule=spec.majority_rule,
        majority_base=spec.majority_base,
        decisions={str(k): v for k, v in decisions.items()},
    )
    return Outcome(
        YES_NO,
        MAJORITY,
        spec.budget,
        n,
        electorate,
        yes,
        winners,
        sum(spec.option(w).cost for w in winners),
        no=no,
        abstain=abstain,
        explanation=explanation,
        valid=valid,
    )


# --- published files -------------------------------------------------------------------------


@dataclass
class PublishedBallot:
    id: int  # the ballot's random id: it says nothing about who cast it, or when
    choices: tuple
    channel: str = "online"


# pabulib's VOTES column `voting_method`.
VOTING_METHODS = {"online": "internet", "paper": "paper"}
CHANNELS = {v: k for k, v in VOTING_METHODS.items()}


@dataclass
class Published:
    """What the published files say: the round, its ballots and the result the site claims."""

    round_id: int
    spec: RoundSpec
    ballots: list
    selected: set
    votes: dict
    meta: dict = field(default_factory=dict)
    valid: bool | None = None  # as the round JSON claims (the .pb of a round exists only when valid)


class FormatError(ValueError):
    pass


def has_pb(spec: RoundSpec, outcome: Outcome):
    """A .pb file is published for a valid approval or budget round: a yes/no round is not an
    approval election, and a round that is not valid selected nothing by any allocation rule."""
    return spec.method != YES_NO and outcome.valid


def pb_date(day):
    """pabulib writes dates as DD.MM.YYYY."""
    return day.strftime("%d.%m.%Y")


def recount_comment(round_id, spec, info):
    """pabulib's free-text META `comment` (#1:, #2: ...): what a recount needs beyond the rule label."""
    comments = [
        f"Weiyi voting round {round_id} of {info.get('community', '')}, consultation rules "
        f"v{info.get('ruleset_version', '')}.",
        "Ties are broken by the lower cost, then the lower project_id (pabutools: "
        "TieBreakingRule(lambda inst, prof, p: (p.cost, int(p.name)))).",
    ]
    if spec.allocation == MES:
        comments.append(
            "Recount: pabutools method_of_equal_shares(instance, profile, sat_class=Cost_Sat, "
            "voter_budget_increment=1), or: python tools/verify_tally.py this-file.pb."
        )
    else:
        comments.append(
            "Recount: pabutools greedy_utilitarian_welfare(instance, profile, sat_class=Cost_Sat) "
            "over the projects with at least min_project_score_threshold votes, or: "
            "python tools/verify_tally.py this-file.pb."
        )
    return " ".join(f"#{index}: {text}" for index, text in enumerate(comments, start=1))


def write_pb(round_id, spec: RoundSpec, ballots, outcome: Outcome, info=None):
    """The round as a pabulib .pb file with only the fields the format defines: META (the rule),
    PROJECTS (votes as counted from VOTES, and `selected`), VOTES. `info` gives title, community,
    date_begin and date_end (dates where the community is) and ruleset_version."""
    if not has_pb(spec, outcome):
        raise ValueError("only valid approval and budget rounds are published as .pb files")
    info = info or {}
    votes = count_approvals((b.choices for b in ballots), spec.numbers)
    meta = [
        ("description", info.get("title", "")),
        ("country", "China"),
        ("unit", info.get("community", "")),
        ("instance", round_id),
        ("num_projects", len(spec.options)),
        ("num_votes", len(ballots)),
        ("budget", spec.budget),
        ("vote_type", "approval"),
        ("rule", spec.rule),
        ("date_begin", pb_date(info["date_begin"])),
        ("date_end", pb_date(info["date_end"])),
    ]
    if spec.method == APPROVAL and spec.max_choices:
        meta.append(("max_length", spec.max_choices))
    if spec.method == KNAPSACK:
        meta.append(("max_sum_cost", spec.budget))
    if spec.allocation == GREEDY:
        meta.append(("min_project_score_threshold", GREEDY_THRESHOLD))
    meta += [("language", "zh"), ("currency", "CNY"), ("comment", recount_comment(round_id, spec, info))]
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";", lineterminator="\n")
    writer.writerow(["META"])
    writer.writerow(["key", "value"])
    writer.writerows(meta)
    writer.writerow(["PROJECTS"])
    writer.writerow(["project_id", "cost", "votes", "name", "selected"])
    winners = set(outcome.winners)
    for o in spec.options:
        writer.writerow([o.number, o.cost, votes[o.number], o.title, int(o.number in winners)])
    writer.writerow(["VOTES"])
    writer.writerow(["voter_id", "vote", "voting_method"])
    for b in ballots:
        writer.writerow([b.id, ",".join(str(n) for n in b.choices), VOTING_METHODS.get(b.channel, b.channel)])
    return out.getvalue()


def write_ballots_csv(method, ballots):
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["ballot", "channel", "choices"])
    for b in ballots:
        writer.writerow([b.id, b.channel, canonical(method, b.choices)])
    return out.getvalue()


def round_document(round_id, spec: RoundSpec, outcome: Outcome, info=None):
    """The round as JSON: with the ballots CSV it is the other way to check the count (and the
    only one for yes/no rounds and rounds that are not valid). Weiyi's own details live here."""
    info = info or {}
    winners = set(outcome.winners)
    yes_no = spec.method == YES_NO
    return {
        "format": FORMAT_VERSION,
        "round_id": round_id,
        "title": info.get("title", ""),
        "community": info.get("community", ""),
        "method": spec.method,
        "allocation": spec.allocation,
        "rule": spec.rule,
        "budget": spec.budget,
        "max_choices": spec.max_choices,
        "majority_rule": spec.majority_rule if yes_no else None,
        "majority_base": spec.majority_base if yes_no else None,
        "min_turnout_percent": spec.min_turnout_percent,
        "electorate": spec.electorate,
        "ballots": outcome.ballots,
        "turnout_percent": outcome.turnout_percent,
        "valid": outcome.valid,
        "tie_break": TIE_BREAK,
        "ruleset_version": info.get("ruleset_version"),
        "opens_at": info.get("opens_at"),
        "closes_at": info.get("closes_at"),
        "options": [
            {
                "number": o.number,
                "title": o.title,
                "cost": o.cost,
                "votes": outcome.votes[o.number],
                **({"no": outcome.no[o.number], "abstain": outcome.abstain[o.number]} if yes_no else {}),
                "selected": o.number in winners,
            }
            for o in spec.options
        ],
        "winners": outcome.winners,
        "total_cost": outcome.total_cost,
    }


def _sections(text):
    sections = {"meta": [], "projects": [], "votes": []}
    section, header = None, None
    reader = csv.reader(text.lstrip("\ufeff").splitlines(), delimiter=";")
    for row in reader:
        if not row or (len(row) == 1 and not row[0].strip()):
            continue
        name = row[0].strip().lower()
        if name in sections and len(row) == 1:
            section, header = name, next(reader, None)
            if header is None:
                raise FormatError(f"section {name.upper()} has no header")
            header = [h.strip() for h in header]
            continue
        if section is None:
            raise FormatError("the file does not start with META")
        sections[section].append(dict(zip(header, (cell.strip() for cell in row), strict=False)))
    return sections


def parse_pb(text) -> Published:
    """Read a .pb file written by write_pb (an approval file with pabulib's rule labels)."""
    sections = _sections(text)
    meta = {r["key"]: r.get("value", "") for r in sections["meta"]}
    if meta.get("vote_type") != "approval" or "budget" not in meta:
        raise FormatError("META lacks budget, or vote_type is not approval")
    allocation = {label: name for name, label in PABULIB_RULES.items()}.get(meta.get("rule"))
    if allocation is None:
        raise FormatError(
            f"rule {meta.get('rule')!r} cannot be recounted (expected one of {', '.join(PABULIB_RULES.values())})"
        )
    options, selected, votes = [], set(), {}
    for r in sections["projects"]:
        number = int(r["project_id"])
        options.append(Option(number, int(Fraction(r["cost"])), r.get("name", "")))
        votes[number] = int(r["votes"]) if r.get("votes", "") not in ("", "none") else None
        if r.get("selected", "0").strip() == "1":
            selected.add(number)
    budget = int(Fraction(meta["budget"]))
    knapsack = meta.get("max_sum_cost") not in (None, "")
    spec = RoundSpec(
        method=KNAPSACK if knapsack else APPROVAL,
        allocation=allocation,
        budget=budget,
        options=tuple(options),
        max_choices=None if knapsack or not meta.get("max_length") else int(meta["max_length"]),
    )
    ballots = [
        PublishedBallot(
            int(r["voter_id"]),
            tuple(sorted(int(n) for n in r.get("vote", "").split(",") if n.strip())),
            CHANNELS.get(r.get("voting_method", ""), r.get("voting_method", "")),
        )
        for r in sections["votes"]
    ]
    return Published(int(meta.get("instance") or 0), spec, ballots, selected, votes, meta)


def parse_csv_and_round(csv_text, round_json) -> Published:
    """Read the ballots CSV together with the round JSON document."""
    doc = json.loads(round_json) if isinstance(round_json, str) else round_json
    options = [Option(int(o["number"]), int(o["cost"]), o.get("title", "")) for o in doc["options"]]
    method, allocation = doc.get("method"), doc.get("allocation")
    if method not in METHODS or allocation not in ALLOCATIONS + (MAJORITY,):
        raise FormatError(f"unknown method {method!r} or allocation {allocation!r}")
    spec = RoundSpec(
        method=method,
        allocation=allocation,
        budget=int(doc["budget"]),
        options=tuple(options),
        max_choices=doc.get("max_choices"),
        majority_rule=doc.get("majority_rule") or "simple",
        majority_base=doc.get("majority_base") or "yes_no",
        min_turnout_percent=int(doc.get("min_turnout_percent") or 0),
        electorate=int(doc.get("electorate") or 0),
    )
    ballots = [
        PublishedBallot(int(row["ballot"]), parse_canonical(method, row["choices"]), row.get("channel", ""))
        for row in csv.DictReader(io.StringIO(csv_text.lstrip("\ufeff")))
    ]
    selected = {int(o["number"]) for o in doc["options"] if o.get("selected")}
    votes = {int(o["number"]): o.get("votes") for o in doc["options"]}
    return Published(
        int(doc["round_id"]),
        spec,
        ballots,
        selected,
        votes,
        {"num_votes": str(doc.get("ballots"))},
        valid=doc.get("valid"),
    )


@dataclass
class Report:
    match: bool
    problems: list
    outcome: Outcome


def verify(published: Published) -> Report:
    """Recompute the result from the published ballots; compare with what the files claim."""
    spec = published.spec
    problems = []
    seen = set()
    for b in published.ballots:
        if b.id in seen:
            problems.append(f"ballot {b.id} appears twice")
        seen.add(b.id)
        issue = check_ballot(spec, b.choices)
        if issue:
            problems.append(f"ballot {b.id} is not valid for this round ({issue})")
    claimed_count = published.meta.get("num_votes")
    if claimed_count not in (None, "", "None") and int(claimed_count) != len(published.ballots):
        problems.append(f"{len(published.ballots)} ballots listed but num_votes says {claimed_count}")
    outcome = tally(spec, [b.choices for b in published.ballots])
    if published.valid is not None and published.valid != outcome.valid:
        problems.append(
            f"published as {'valid' if published.valid else 'not valid'}, but the turnout "
            f"{outcome.turnout_percent} % against the required {spec.min_turnout_percent} % says "
            f"{'valid' if outcome.valid else 'not valid'}"
        )
    for number, claimed in published.votes.items():
        if claimed is not None and claimed != outcome.votes.get(number):
            problems.append(f"option {number}: published {claimed} votes, recounted {outcome.votes.get(number)}")
    if set(outcome.winners) != published.selected:
        problems.append(f"winners differ: published {sorted(published.selected)}, recomputed {sorted(outcome.winners)}")
    return Report(not problems, problems, outcome)
