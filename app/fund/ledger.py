"""The fund's arithmetic, pure: the figures of one community's year from its entries alone.

Every figure is a sum of entries, so the balance cannot change without an entry, and a reversing
entry (the same kind, the amount negated) restores the figures it reversed. Amounts are whole yuan,
as the tracker stores spending.

    balance = sources − (commitments − releases) − payments beyond the commitments

"Beyond" is counted per micro-matter: what was paid for a matter above what is still committed to
it (a payment within its commitment only uses money already set aside). So each matter costs the
fund max(committed, paid), never less than nothing, whatever order its entries came in.
"""

from collections import defaultdict
from dataclasses import dataclass

from app.core.i18n import N_
from app.core.labels import Labelled


class Kind(Labelled):
    SOURCE = "source", N_("Source")
    COMMITMENT = "commitment", N_("Commitment")
    PAYMENT = "payment", N_("Payment")
    RELEASE = "release", N_("Release")


class SourceKind(Labelled):
    ALLOCATION = "allocation", N_("Yearly allocation")  # from the street office or district
    CHARITY = "charity", N_("Charity co-funding")  # 社区基金 / a named donor, optionally matching a share of the cost
    OTHER = "other", N_("Other source")


@dataclass(frozen=True)
class Entry:
    kind: str
    amount: int  # yuan; negative for a reversal
    matter: int | None = None
    source_kind: str | None = None


@dataclass(frozen=True)
class Figures:
    allocation: int = 0
    charity: int = 0
    other: int = 0
    commitments: int = 0
    releases: int = 0
    payments: int = 0
    beyond: int = 0  # payments beyond what is committed to their matters

    @property
    def sources(self):
        return self.allocation + self.charity + self.other

    @property
    def committed(self):
        return self.commitments - self.releases

    @property
    def balance(self):
        return self.sources - self.committed - self.beyond


def figures(entries):
    """The figures of a set of entries (their order does not matter)."""
    sums = defaultdict(int)
    committed = defaultdict(int)  # per matter: commitments − releases
    paid = defaultdict(int)  # per matter
    for entry in entries:
        if entry.kind == Kind.SOURCE:
            sums[entry.source_kind or SourceKind.OTHER] += entry.amount
        else:
            sums[entry.kind] += entry.amount
        if entry.kind == Kind.COMMITMENT:
            committed[entry.matter] += entry.amount
        elif entry.kind == Kind.RELEASE:
            committed[entry.matter] -= entry.amount
        elif entry.kind == Kind.PAYMENT:
            paid[entry.matter] += entry.amount
    beyond = sum(max(0, paid[matter] - committed[matter]) for matter in committed.keys() | paid.keys())
    return Figures(
        allocation=sums[SourceKind.ALLOCATION],
        charity=sums[SourceKind.CHARITY],
        other=sums[SourceKind.OTHER],
        commitments=sums[Kind.COMMITMENT],
        releases=sums[Kind.RELEASE],
        payments=sums[Kind.PAYMENT],
        beyond=beyond,
    )


def shortfall(balance, amount):
    """How much is missing to commit `amount` (0 when the balance covers it)."""
    return max(0, amount - max(balance, 0))


def matter_position(entries, matter):
    """(committed, paid) for one micro-matter."""
    mine = [e for e in entries if e.matter == matter]
    committed = sum(e.amount for e in mine if e.kind == Kind.COMMITMENT) - sum(
        e.amount for e in mine if e.kind == Kind.RELEASE
    )
    return committed, sum(e.amount for e in mine if e.kind == Kind.PAYMENT)


def beyond_commitment(committed, paid_before, amount):
    """The part of a new payment that goes beyond what is committed to its matter."""
    return max(0, paid_before + amount - max(committed, paid_before))


def unspent(committed, paid):
    """What a delivered matter gives back to the fund: the commitment it did not use."""
    return max(0, committed - paid)
