"""The order of the speakers list. Pure Python, no Flask.

Rules (ARCHITECTURE.md, "Where the rules and the maths live"): members who have not yet spoken on the
item go first; within that, pro and contra alternate; otherwise first come, first
served.
"""

from collections import Counter
from dataclasses import dataclass

PRO, CONTRA = "pro", "contra"


@dataclass(frozen=True)
class Request:
    id: int
    member: int
    stance: str  # pro | contra
    seq: int  # order of asking


def opposite(stance):
    return CONTRA if stance == PRO else PRO


def order(waiting, spoken=None, last_stance=None):
    """The waiting requests in the order they will be called.

    `spoken`: {member: turns already taken on this item}; `last_stance`: the stance of
    the last turn taken (None when nobody has spoken yet)."""
    counts = Counter(spoken or {})
    remaining = sorted(waiting, key=lambda r: r.seq)
    wanted = opposite(last_stance) if last_stance else None
    result = []
    while remaining:
        pick = min(remaining, key=lambda r: (counts[r.member] > 0, wanted is not None and r.stance != wanted, r.seq))
        remaining.remove(pick)
        result.append(pick)
        counts[pick.member] += 1
        wanted = opposite(pick.stance)
    return result
