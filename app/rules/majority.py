"""Majority rules. Pure Python, no Flask: decide(counts, rule) -> Decision.

The threshold is "yes must reach `needed`", where needed depends on the base:
simple majority means yes > half of the base; two thirds, three quarters and
unanimity mean yes >= that share of the base. A base of zero never passes.
"""

from dataclasses import dataclass
from enum import StrEnum
from fractions import Fraction
from math import ceil, floor


class MajorityRule(StrEnum):
    SIMPLE = "simple"
    TWO_THIRDS = "two_thirds"
    THREE_QUARTERS = "three_quarters"
    UNANIMITY = "unanimity"


class Base(StrEnum):
    YES_NO = "yes_no"
    YES_NO_ABSTAIN = "yes_no_abstain"
    PRESENT = "present"
    ALL_MEMBERS = "all_members"


class TieRule(StrEnum):
    FAILS = "fails"  # an even split is not a majority: the motion is rejected
    CHAIR_DECIDES = "chair_decides"  # the chair's casting vote settles an even split


SHARES = {
    MajorityRule.SIMPLE: Fraction(1, 2),
    MajorityRule.TWO_THIRDS: Fraction(2, 3),
    MajorityRule.THREE_QUARTERS: Fraction(3, 4),
    MajorityRule.UNANIMITY: Fraction(1, 1),
}


@dataclass(frozen=True)
class Counts:
    yes: int
    no: int
    abstain: int = 0
    present: int = 0  # members entitled to vote who were present when the vote opened
    members: int = 0  # all members of the body

    def __post_init__(self):
        if min(self.yes, self.no, self.abstain, self.present, self.members) < 0:
            raise ValueError("counts cannot be negative")
        if self.present and self.yes + self.no + self.abstain > self.present:
            raise ValueError("more votes than members present")
        if self.members and self.present > self.members:
            raise ValueError("more members present than members")


@dataclass(frozen=True)
class Decision:
    passed: bool
    tie: bool  # an even split that did not pass and that a casting vote would settle
    base: int
    needed: int
    rule: MajorityRule
    base_kind: Base


def base_value(counts: Counts, base: Base) -> int:
    if base == Base.YES_NO:
        return counts.yes + counts.no
    if base == Base.YES_NO_ABSTAIN:
        return counts.yes + counts.no + counts.abstain
    if base == Base.PRESENT:
        return counts.present
    return counts.members


def needed_yes(base: int, rule: MajorityRule) -> int:
    """The smallest number of yes votes that passes for this base (at least 1)."""
    share = SHARES[rule] * base
    return floor(share) + 1 if rule == MajorityRule.SIMPLE else max(1, ceil(share))


def _passes(yes: int, base: int, rule: MajorityRule) -> bool:
    return base > 0 and yes >= needed_yes(base, rule)


def _casting_vote_decides(counts: Counts, rule: MajorityRule, base: Base) -> bool:
    """An even split is settled by a casting vote only when the split alone stands between the
    motion and the threshold: one more yes would pass it, and so would one fewer no.

    (Otherwise a casting vote could pass 2 : 2 among nine members, or make one extra
    no vote turn a failing motion into a passing one.)"""
    grows = base in (Base.YES_NO, Base.YES_NO_ABSTAIN)  # the base counts the votes themselves
    value = base_value(counts, base)
    one_more_yes = _passes(counts.yes + 1, value + 1 if grows else value, rule)
    one_fewer_no = _passes(counts.yes, value - 1 if grows else value, rule)
    return one_more_yes and one_fewer_no


def decide(
    counts: Counts,
    rule: MajorityRule,
    base: Base,
    tie_rule: TieRule = TieRule.FAILS,
    chair_casting_vote: bool | None = None,
) -> Decision:
    """Apply a majority rule.

    `tie` is True for an even split (yes == no > 0) that did not pass and that a casting
    vote would settle (see _casting_vote_decides). With TieRule.CHAIR_DECIDES such a tie
    is settled by `chair_casting_vote` (True = yes); while it is None the decision reports
    the tie and does not pass. With TieRule.FAILS a tie fails."""
    rule, base = MajorityRule(rule), Base(base)
    value = base_value(counts, base)
    needed = needed_yes(value, rule)
    passed = _passes(counts.yes, value, rule)
    tie = (not passed) and counts.yes == counts.no and counts.yes > 0 and _casting_vote_decides(counts, rule, base)
    if tie and TieRule(tie_rule) == TieRule.CHAIR_DECIDES and chair_casting_vote is not None:
        passed = bool(chair_casting_vote)
    return Decision(passed=passed, tie=tie, base=value, needed=needed, rule=rule, base_kind=base)


# A rule set may give some kinds of motion a majority of their own (None: the general one). The keys
# are the councils' stored motion kinds; the value names the rule set's pair of fields
# `<prefix>_majority_rule` / `<prefix>_majority_base`.
KIND_PREFIXES = {
    "approve": "budget",
    "reject": "budget",
    "refer_to_vote": "referral",
    "adopt_rules": "rule_change",
}
OWN_MAJORITIES = ("budget", "rule_change", "referral")  # the prefixes, in the order forms and pages list them


def majority_for(rules, motion_kind: str, entrenched: bool = False) -> tuple[MajorityRule, Base]:
    """The (rule, base) a council vote on a motion of `motion_kind` applies under `rules` (any object
    with the RuleSet attributes). `entrenched`: the motion adopts rules that change the quorum or a
    majority, which takes the rule set's entrenched majority (by default two thirds of all members)."""
    if entrenched:
        return MajorityRule(rules.entrenched_majority_rule), Base(rules.entrenched_majority_base)
    prefix = KIND_PREFIXES.get(str(motion_kind))
    rule = getattr(rules, f"{prefix}_majority_rule") if prefix else None
    if rule:
        return MajorityRule(rule), Base(getattr(rules, f"{prefix}_majority_base"))
    return MajorityRule(rules.majority_rule), Base(rules.majority_base)
