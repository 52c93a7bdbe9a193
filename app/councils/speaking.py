"""The order of the speakers list. Pure Python, no Flask.

Rules (ARCHITECTURE.md, "Where the rules and the maths live"): members who have not yet spoken on the
item go first; within that, pro and contra alternate; otherwise first come, first
served.
"""

from collections import Counter
from dataclasses import dataclass

from app.rules.choices import SpeakingOverrun

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


# ---------------------------------------------------------------- speaking time


def time_up(ends_at, now):
    """Whether a turn's time is up (a turn without a limit never is)."""
    return ends_at is not None and now >= ends_at


def turn_end(ends_at, now, overrun_rule):
    """When a turn ended and how many seconds it overran: (ended_at, overrun_seconds or None).

    Under "end" a turn that went past its limit ended at the limit (the chair's console ended
    it then, whenever the server next heard of it); under "record" it ends now and whole
    seconds past the limit are its overrun."""
    if ends_at is None or now <= ends_at:
        return now, None
    if overrun_rule == SpeakingOverrun.RECORD:
        seconds = int((now - ends_at).total_seconds())
        return now, seconds or None
    return ends_at, None
