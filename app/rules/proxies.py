"""Written proxies (书面委托) in the quorum and the votes. Pure Python, no Flask.

A council member who cannot attend gives a written proxy to another member. The rule set says
what it counts for (choices.ProxyRule): nothing ("none"), the quorum only ("quorum": the giver
counts as present), or the quorum and the votes ("votes": the holder also casts the giver's
vote). A proxy counts only while

- its giver is a council member who has not checked in in person (their own presence wins: a
  check-in cancels the proxy for the rest of the meeting, even after they leave), and
- its holder is another council member checked in and still in the room;

each member gives at most one proxy and holds at most one (the first in the given order wins,
should a list break that).

A presiding chair who keeps the deciding vote (tie rule "chair_decides") casts no vote in the
round, so cannot cast a giver's either: such a chair is not given a proxy under "votes" and is
not handed the chair while holding one (`chair_cannot_hold`); should the rules change at the
opening and the chair hold one all the same, it counts for the quorum only (`count`'s
`casting_chair`).
"""

from collections.abc import Iterable
from dataclasses import dataclass

from .choices import ProxyRule
from .majority import TieRule
from .quorum import Quorum, QuorumCheck, check


@dataclass(frozen=True)
class Counted:
    counted: dict[int, int]  # giver -> holder: the proxies that count now, for the quorum at least
    voting: dict[int, int]  # giver -> holder: those whose holder also casts the giver's vote

    @property
    def for_quorum(self) -> int:
        return len(self.counted)


def count(
    rule: str,
    members: Iterable[int],
    present: Iterable[int],
    proxies: Iterable[tuple[int, int]],
    attended: Iterable[int] = (),
    casting_chair: int | None = None,
) -> Counted:
    """The proxies (giver, holder) that count under `rule`, given the council's members, those
    present now and those who checked in in person at some time of the meeting (`attended`);
    `casting_chair`: the presiding chair when they keep the deciding vote (no vote in the round)."""
    members, present = set(members), set(present)
    in_person = present | set(attended)
    counted: dict[int, int] = {}
    if ProxyRule(rule) != ProxyRule.NONE:
        holders: set[int] = set()
        for giver, holder in proxies:
            if (
                giver in members
                and holder in members
                and giver != holder
                and giver not in in_person
                and holder in present
                and giver not in counted
                and holder not in holders
            ):
                counted[giver] = holder
                holders.add(holder)
    voting: dict[int, int] = {}
    if ProxyRule(rule) == ProxyRule.VOTES:
        voting = {giver: holder for giver, holder in counted.items() if holder != casting_chair}
    return Counted(counted=counted, voting=voting)


def chair_cannot_hold(rule: str, tie_rule: str) -> bool:
    """Under these rules a proxy held by the presiding chair would carry a vote nobody casts: its
    holder casts the giver's vote ("votes"), and the chair keeps the deciding vote and casts none
    in the round ("chair_decides")."""
    return ProxyRule(rule) == ProxyRule.VOTES and TieRule(tie_rule) == TieRule.CHAIR_DECIDES


def quorum(counted: Counted, present: int, members: int, rule: Quorum) -> QuorumCheck:
    """The quorum with the members present in person and the proxies that count."""
    return check(present + counted.for_quorum, members, rule)


def entitled(counted: Counted, present: Iterable[int]) -> list[int]:
    """Whose votes are cast: the members present in person, and under "votes" the givers (through
    their holders). Each member has one vote at most, so never more votes than members."""
    return sorted(set(present) | set(counted.voting))
