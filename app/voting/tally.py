"""Counting a resident voting round, and the published ballot files. Pure Python and pabutools: no Flask.

One module serves the web app (the results page, `flask --app wsgi tally verify`) and the
standalone checker tools/verify_tally.py, which loads this file by its path, so that anyone
holding the published files can recompute the result without the app or its database.

Methods
- ``yes_no``: each option is answered yes / no / abstain. An option passes when its yes votes
  reach the consultation rules' majority (app/rules/majority.py) and the turnout reaches the
  rules' minimum. Options that pass are funded in order of yes votes while the budget lasts.
- ``approval``: each ballot approves at most ``max_choices`` options.
- ``knapsack``: each ballot approves options whose total cost fits the budget.

Allocation for approval and knapsack ballots (computed by pabutools, not re-implemented)
- ``greedy``: pabutools' greedy_utilitarian_welfare with cost satisfaction (Cost_Sat). Under
  Cost_Sat a project's total satisfaction is votes x cost, so its score per yuan is its number of
  votes: options are taken in order of votes and funded while they still fit.
- ``mes``: pabutools' method_of_equal_shares with Cost_Sat. Every voter who cast a ballot holds an
  equal share of the budget (budget / voters); an option is funded when its supporters can pay
  for it from their shares, the cheapest per supporter first. Completion: the shares are raised
  step by step (1 % of the equal share, at least 1 yuan) while the outcome stays within the
  budget (pabutools' voter_budget_increment), then any money left goes to the options with the
  most votes that still fit (greedy_utilitarian_welfare, as above).

Everywhere: options nobody voted for are never funded, and ties are broken the same way:
fewer cost first, then the lower option number (TIE_BREAK).
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
ANSWERS = ("yes", "no", "abstain")
POINTS = {"yes": 1, "no": -1, "abstain": 0}
TIE_BREAK = "cost-then-number"  # fewer cost first, then the lower option number
RECEIPT_LENGTH = 12
FORMAT_VERSION = "weiyi-ballot-v1"
EXPLAIN_LIMIT = 20_000  # distinct ballots up to which the MES run keeps its per-step details

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
    majority_rule: str = "simple"
    majority_base: str = "yes_no"
    min_turnout_percent: int = 0
    electorate: int = 0

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

    @property
    def turnout_percent(self):
        return round(100 * self.ballots / self.electorate, 1) if self.electorate else 0.0


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
    return "-".join(code[i:i + 4] for i in range(0, len(code), 4))


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
        "ApprovalMultiProfile": ApprovalMultiProfile, "Cost_Sat": Cost_Sat,
        "FrozenApprovalBallot": FrozenApprovalBallot, "Instance": Instance, "Project": Project,
        "GroupSatisfactionMeasure": GroupSatisfactionMeasure, "TieBreakingRule": TieBreakingRule,
        "greedy": greedy_utilitarian_welfare, "mes": method_of_equal_shares,
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


def allocate_greedy(spec, votes, initial=()):
    """Options funded by votes within the budget (pabutools greedy with Cost_Sat), in order."""
    pb = _pabutools()
    projects, instance = _instance(pb, spec, votes)
    if not projects:
        return []
    chosen = pb["greedy"](
        instance, pb["ApprovalMultiProfile"](instance=instance),
        sat_profile=_vote_count_satisfaction(pb, votes), is_sat_additive=True,
        tie_breaking=_tie_breaking(pb), initial_budget_allocation=[projects[n] for n in initial],
    )
    return [int(p.name) for p in chosen]


def mes_step(spec, voters):
    """The raise of each voter's share per completion step: 1 % of the equal share, at least 1 yuan."""
    return max(Fraction(1), Fraction(spec.budget, 100 * voters)) if voters else Fraction(1)


def allocate_mes(spec, ballots, votes, explain=False):
    """Method of Equal Shares with completion. Returns (winners in order, explanation dict)."""
    pb = _pabutools()
    from pabutools.fractions import frac

    projects, instance = _instance(pb, spec, votes)
    voters = len(ballots)
    explanation = {"voters": voters, "share": str(Fraction(spec.budget, voters)) if voters else "0",
                   "step": str(mes_step(spec, voters)), "paid": [], "completion": []}
    if not projects or not voters:
        return [], explanation
    profile = pb["ApprovalMultiProfile"](instance=instance)
    distinct = Counter(frozenset(n for n in ballot if n in projects) for ballot in ballots)
    for approved, multiplicity in distinct.items():
        profile[pb["FrozenApprovalBallot"]([projects[n] for n in sorted(approved)])] = multiplicity
    step = mes_step(spec, voters)
    analytics = explain and len(distinct) <= EXPLAIN_LIMIT
    outcome = pb["mes"](
        instance, profile, sat_class=pb["Cost_Sat"], tie_breaking=_tie_breaking(pb),
        voter_budget_increment=frac(step.numerator, step.denominator), analytics=analytics,
    )
    winners = [int(p.name) for p in outcome]
    if analytics and outcome.details is not None and outcome.details.iterations:
        explanation.update(_explain_mes(outcome.details))
    completed = allocate_greedy(spec, votes, initial=winners)
    explanation["completion"] = [n for n in completed if n not in winners]
    return completed, explanation


def _explain_mes(details):
    """From pabutools' analytics: each voter's final share and how the shares paid for each winner."""
    multiplicity = details.voter_multiplicity
    first = details.iterations[0].voters_budget
    paid = []
    for iteration in details.iterations:
        if iteration.selected_project is None or iteration.voters_budget_after_selection is None:
            continue
        payments = [_fraction(b) - _fraction(a)
                    for b, a in zip(iteration.voters_budget, iteration.voters_budget_after_selection, strict=True)]
        positive = [(p, multiplicity[i]) for i, p in enumerate(payments) if p > 0]
        if not positive:
            continue
        top = max(p for p, _ in positive)
        paid.append({
            "number": int(iteration.selected_project.name),
            "payers": sum(m for _, m in positive),
            "max_payment": str(top),
            "partial_payers": sum(m for p, m in positive if p < top),
        })
    return {"final_share": str(_fraction(first[0]) if first else Fraction(0)), "paid": paid}


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
    if spec.method == YES_NO:
        return _tally_yes_no(spec, ballots, numbers, electorate)
    votes = count_approvals(ballots, numbers)
    if spec.allocation == MES:
        winners, explanation = allocate_mes(spec, ballots, votes, explain=explain)
    else:
        winners = allocate_greedy(spec, votes)
        explanation = {"order": _greedy_order(spec, votes, winners)}
    return Outcome(spec.method, spec.allocation, spec.budget, n, electorate, votes, winners,
                   sum(spec.option(w).cost for w in winners), explanation=explanation)


def _greedy_order(spec, votes, winners):
    """The order greedy went down the list, for the explanation (votes, then the tie-break)."""
    remaining = spec.budget
    steps = []
    for number in sorted((n for n in spec.numbers if votes[n]), key=lambda n: (-votes[n],) + tie_order(spec, n)):
        funded = number in winners
        if funded:
            remaining -= spec.option(number).cost
        steps.append({"number": number, "funded": funded, "remaining": remaining})
    return steps


def _tally_yes_no(spec, ballots, numbers, electorate):
    yes, no, abstain = count_answers(ballots, numbers)
    n = len(ballots)
    turnout_met = n > 0 and n * 100 >= spec.min_turnout_percent * electorate
    decisions = {}
    for number in numbers:
        counts = majority.Counts(yes=yes[number], no=no[number], abstain=abstain[number], present=n,
                                 members=electorate)
        decision = majority.decide(counts, spec.majority_rule, spec.majority_base, majority.TieRule.FAILS)
        decisions[number] = {"passed": bool(decision.passed and turnout_met), "majority": decision.passed,
                             "base": decision.base, "needed": decision.needed, "tie": decision.tie}
    passed = sorted((n for n in numbers if decisions[n]["passed"]), key=lambda n: (-yes[n],) + tie_order(spec, n))
    remaining, winners = spec.budget, []
    for number in passed:
        cost = spec.option(number).cost
        decisions[number]["funded"] = cost <= remaining
        if cost <= remaining:
            winners.append(number)
            remaining -= cost
    explanation = {"turnout_met": turnout_met, "min_turnout_percent": spec.min_turnout_percent,
                   "decisions": {str(k): v for k, v in decisions.items()}}
    return Outcome(YES_NO, MAJORITY, spec.budget, n, electorate, yes, winners,
                   sum(spec.option(w).cost for w in winners), no=no, abstain=abstain, explanation=explanation)


# --- published files -------------------------------------------------------------------------


@dataclass
class PublishedBallot:
    receipt: str
    choices: tuple
    nonce: str = ""
    channel: str = "online"


@dataclass
class Published:
    """What the published files say: the round, its ballots and the result the site claims."""

    round_id: int
    spec: RoundSpec
    ballots: list
    selected: set
    votes: dict
    meta: dict = field(default_factory=dict)


def _meta(spec, round_id, info):
    rule = {GREEDY: "greedy", MES: "equalshares", MAJORITY: "yes-no-majority"}[spec.allocation]
    meta = {
        "description": info.get("title", ""), "country": "China", "unit": info.get("community", ""),
        "instance": str(round_id), "num_projects": str(len(spec.options)), "num_votes": str(info.get("num_votes", 0)),
        "budget": str(spec.budget), "vote_type": "scoring" if spec.method == YES_NO else "approval",
        "rule": rule, "date_begin": info.get("date_begin", ""), "date_end": info.get("date_end", ""),
        "language": "zh", "currency": "CNY", "electorate": str(spec.electorate),
        "weiyi_format": FORMAT_VERSION, "weiyi_round_id": str(round_id), "weiyi_method": spec.method,
        "weiyi_allocation": spec.allocation, "weiyi_tie_break": TIE_BREAK,
    }
    if spec.allocation == MES:
        meta["weiyi_completion"] = "equal-share-increase-1pct-min-1+greedy"
    if spec.method == APPROVAL and spec.max_choices:
        meta["max_length"] = str(spec.max_choices)
    if spec.method == KNAPSACK:
        meta["max_sum_cost"] = str(spec.budget)
    if spec.method == YES_NO:
        meta.update(min_points="-1", max_points="1", weiyi_majority_rule=spec.majority_rule,
                    weiyi_majority_base=spec.majority_base,
                    weiyi_min_turnout_percent=str(spec.min_turnout_percent))
    if info.get("ruleset_version"):
        meta["weiyi_ruleset_version"] = str(info["ruleset_version"])
    return meta


def write_pb(round_id, spec: RoundSpec, ballots, outcome: Outcome, info=None):
    """The round as a pabulib .pb file: META (the rule), PROJECTS (with `selected`), VOTES."""
    info = dict(info or {}, num_votes=len(ballots))
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";", lineterminator="\n")
    writer.writerow(["META"])
    writer.writerow(["key", "value"])
    for key, value in _meta(spec, round_id, info).items():
        writer.writerow([key, value])
    writer.writerow(["PROJECTS"])
    winners = set(outcome.winners)
    if spec.method == YES_NO:
        writer.writerow(["project_id", "cost", "votes", "no", "abstain", "name", "selected"])
        for o in spec.options:
            writer.writerow([o.number, o.cost, outcome.votes[o.number], outcome.no[o.number],
                             outcome.abstain[o.number], o.title, int(o.number in winners)])
    else:
        writer.writerow(["project_id", "cost", "votes", "name", "selected"])
        for o in spec.options:
            writer.writerow([o.number, o.cost, outcome.votes[o.number], o.title, int(o.number in winners)])
    writer.writerow(["VOTES"])
    if spec.method == YES_NO:
        writer.writerow(["voter_id", "vote", "points", "channel", "nonce"])
        for b in ballots:
            numbers = ",".join(str(n) for n, _ in b.choices)
            points = ",".join(str(POINTS[a]) for _, a in b.choices) or "none"
            writer.writerow([b.receipt, numbers, points, b.channel, b.nonce])
    else:
        writer.writerow(["voter_id", "vote", "channel", "nonce"])
        for b in ballots:
            writer.writerow([b.receipt, ",".join(str(n) for n in b.choices), b.channel, b.nonce])
    return out.getvalue()


def write_ballots_csv(method, ballots):
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["receipt", "channel", "choices", "nonce"])
    for b in ballots:
        writer.writerow([b.receipt, b.channel, canonical(method, b.choices), b.nonce])
    return out.getvalue()


def round_document(round_id, spec: RoundSpec, outcome: Outcome, info=None):
    """The round as JSON: with the ballots CSV it is the other way to check the count."""
    info = info or {}
    winners = set(outcome.winners)
    return {
        "format": FORMAT_VERSION, "round_id": round_id, "title": info.get("title", ""),
        "community": info.get("community", ""), "method": spec.method, "allocation": spec.allocation,
        "budget": spec.budget, "max_choices": spec.max_choices, "majority_rule": spec.majority_rule,
        "majority_base": spec.majority_base, "min_turnout_percent": spec.min_turnout_percent,
        "electorate": spec.electorate, "ballots": outcome.ballots, "tie_break": TIE_BREAK,
        "ruleset_version": info.get("ruleset_version"), "opens_at": info.get("date_begin"),
        "closes_at": info.get("date_end"),
        "options": [
            {"number": o.number, "title": o.title, "cost": o.cost, "votes": outcome.votes[o.number],
             **({"no": outcome.no[o.number], "abstain": outcome.abstain[o.number]} if spec.method == YES_NO else {}),
             "selected": o.number in winners}
            for o in spec.options
        ],
        "winners": outcome.winners, "total_cost": outcome.total_cost,
    }


class FormatError(ValueError):
    pass


def _spec_from(meta_or_doc, options, electorate_key="electorate"):
    get = meta_or_doc.get
    method = get("weiyi_method") or get("method")
    allocation = get("weiyi_allocation") or get("allocation")
    if method not in METHODS or allocation not in ALLOCATIONS + (MAJORITY,):
        raise FormatError(f"unknown method {method!r} or allocation {allocation!r}")
    max_choices = get("max_length") if "max_length" in meta_or_doc else get("max_choices")
    return RoundSpec(
        method=method, allocation=allocation, budget=int(Fraction(str(get("budget")))), options=tuple(options),
        max_choices=int(max_choices) if max_choices not in (None, "") else None,
        majority_rule=get("weiyi_majority_rule") or get("majority_rule") or "simple",
        majority_base=get("weiyi_majority_base") or get("majority_base") or "yes_no",
        min_turnout_percent=int(get("weiyi_min_turnout_percent") or get("min_turnout_percent") or 0),
        electorate=int(get(electorate_key) or 0),
    )


def parse_pb(text) -> Published:
    """Read a .pb file written by write_pb (or any pabulib approval file with our META keys)."""
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
    meta = {r["key"]: r.get("value", "") for r in sections["meta"]}
    if "vote_type" not in meta or "budget" not in meta:
        raise FormatError("META lacks vote_type or budget")
    options, selected, votes = [], set(), {}
    for r in sections["projects"]:
        number = int(r["project_id"])
        options.append(Option(number, int(Fraction(r["cost"])), r.get("name", "")))
        votes[number] = int(r["votes"]) if r.get("votes", "") not in ("", "none") else None
        if r.get("selected", "0").strip() in ("1", "true", "yes"):
            selected.add(number)
    spec = _spec_from(meta, options)
    ballots = []
    for r in sections["votes"]:
        vote = r.get("vote", "")
        if spec.method == YES_NO:
            numbers = [int(n) for n in vote.split(",") if n.strip()]
            points = [p for p in r.get("points", "").split(",") if p.strip() and p.strip() != "none"]
            if len(points) != len(numbers):
                raise FormatError(f"ballot {r.get('voter_id')}: votes and points differ in length")
            answer = {str(v): k for k, v in POINTS.items()}
            choices = tuple(sorted((n, answer.get(p.strip(), p.strip())) for n, p in zip(numbers, points, strict=True)))
        else:
            choices = tuple(sorted(int(n) for n in vote.split(",") if n.strip()))
        ballots.append(PublishedBallot(r.get("voter_id", ""), choices, r.get("nonce", ""), r.get("channel", "")))
    round_id = int(meta.get("weiyi_round_id") or meta.get("instance") or 0)
    return Published(round_id, spec, ballots, selected, votes, meta)


def parse_csv_and_round(csv_text, round_json) -> Published:
    """Read the ballots CSV together with the round JSON document."""
    doc = json.loads(round_json) if isinstance(round_json, str) else round_json
    options = [Option(int(o["number"]), int(o["cost"]), o.get("title", "")) for o in doc["options"]]
    spec = _spec_from(doc, options)
    ballots = []
    for row in csv.DictReader(io.StringIO(csv_text.lstrip("\ufeff"))):
        ballots.append(PublishedBallot(row["receipt"], parse_canonical(spec.method, row["choices"]),
                                       row.get("nonce", ""), row.get("channel", "")))
    selected = {int(o["number"]) for o in doc["options"] if o.get("selected")}
    votes = {int(o["number"]): o.get("votes") for o in doc["options"]}
    return Published(int(doc["round_id"]), spec, ballots, selected, votes, {"num_votes": str(doc.get("ballots"))})


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
        if b.receipt in seen:
            problems.append(f"receipt {b.receipt} appears twice")
        seen.add(b.receipt)
        issue = check_ballot(spec, b.choices)
        if issue:
            problems.append(f"ballot {b.receipt} is not valid for this round ({issue})")
        if b.nonce and receipt_code(published.round_id, spec.method, b.choices, b.nonce) != b.receipt:
            problems.append(f"ballot {b.receipt}: the choices do not match its receipt code")
    claimed_count = published.meta.get("num_votes")
    if claimed_count not in (None, "", "None") and int(claimed_count) != len(published.ballots):
        problems.append(f"{len(published.ballots)} ballots listed but num_votes says {claimed_count}")
    outcome = tally(spec, [b.choices for b in published.ballots])
    for number, claimed in published.votes.items():
        if claimed is not None and claimed != outcome.votes.get(number):
            problems.append(f"option {number}: published {claimed} votes, recounted {outcome.votes.get(number)}")
    if set(outcome.winners) != published.selected:
        problems.append(
            f"winners differ: published {sorted(published.selected)}, recomputed {sorted(outcome.winners)}")
    return Report(not problems, problems, outcome)
