"""Quorum. Pure Python, no Flask.

A quorum is a share of all members that must be present: either "more than"
the share (strict, e.g. more than half) or "at least" the share (e.g. two thirds).
"""

from dataclasses import dataclass
from fractions import Fraction
from math import ceil, floor


@dataclass(frozen=True)
class Quorum:
    numerator: int
    denominator: int
    strict: bool  # True: more than the share; False: at least the share

    def __post_init__(self):
        if self.denominator <= 0 or not 0 < self.numerator <= self.denominator:
            raise ValueError("a quorum is a share between 0 (exclusive) and 1")
        if self.strict and self.numerator == self.denominator:
            raise ValueError("more than all members can never be present")


@dataclass(frozen=True)
class QuorumCheck:
    met: bool
    present: int
    members: int
    needed: int  # the smallest number present that meets the quorum


def needed_present(members: int, quorum: Quorum) -> int:
    share = Fraction(quorum.numerator, quorum.denominator) * members
    return floor(share) + 1 if quorum.strict else ceil(share)


def check(present: int, members: int, quorum: Quorum) -> QuorumCheck:
    if present < 0 or members < 0 or present > members:
        raise ValueError("present must be between 0 and the number of members")
    needed = max(1, needed_present(members, quorum))
    return QuorumCheck(met=members > 0 and present >= needed, present=present, members=members, needed=needed)
