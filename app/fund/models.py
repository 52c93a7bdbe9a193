"""The 民生微实事 fund of a community, year by year: an append-only ledger.

Entries are never edited: a correction is a new entry of the same kind with the amount negated
(`reverses_id` names the entry it cancels). Sources are recorded by the committee; commitments,
payments and releases follow the micro-matters (approval, the tracker's spending, acceptance).
"""

from datetime import date
from typing import TYPE_CHECKING

from sqlalchemy import CheckConstraint, ForeignKey, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import db
from app.models_base import CommunityId, CreatedAt, IntPK

from .ledger import Entry

if TYPE_CHECKING:
    from app.auth.models import User
    from app.matters.models import MicroMatter


class FundEntry(db.Model):
    __table_args__ = (
        CheckConstraint("amount <> 0", name="amount_not_zero"),
        CheckConstraint("year >= 2000 AND year <= 2100", name="year_range"),
        CheckConstraint("matching_percent >= 1 AND matching_percent <= 100", name="matching_range"),
    )

    id: Mapped[IntPK]
    community_id: Mapped[CommunityId]
    year: Mapped[int] = mapped_column(index=True)
    kind: Mapped[str] = mapped_column(db.String(12))
    source_kind: Mapped[str | None] = mapped_column(db.String(12))  # sources only
    amount: Mapped[int]  # yuan; negative on a reversal
    entry_date: Mapped[date]  # the day the money came, was committed, paid or released
    matter_id: Mapped[int | None] = mapped_column(ForeignKey("micro_matter.id"), index=True)
    spending_id: Mapped[int | None] = mapped_column(ForeignKey("spending_entry.id"), index=True)
    donor: Mapped[str] = mapped_column(db.String(120), default="")  # charity: the donor or fund
    matching_percent: Mapped[int | None]  # charity: the share of a matter's cost it matches
    note: Mapped[str] = mapped_column(db.String(300), default="")  # other sources: where from
    # Published: why a correction was made, or why a payment goes beyond the commitment.
    reason: Mapped[str] = mapped_column(db.String(300), default="")
    reverses_id: Mapped[int | None] = mapped_column(ForeignKey("fund_entry.id"), unique=True)
    entered_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    created_at: Mapped[CreatedAt]

    matter: Mapped["MicroMatter | None"] = relationship()
    entered_by: Mapped["User | None"] = relationship()
    reverses: Mapped["FundEntry | None"] = relationship(remote_side="FundEntry.id", foreign_keys=[reverses_id])

    def as_ledger_entry(self):
        return Entry(self.kind, self.amount, self.matter_id, self.source_kind)

    def __repr__(self):
        return f"<FundEntry {self.id} {self.year} {self.kind} {self.amount}>"


class FundYearClosing(db.Model):
    """A year the committee closed: no entry may be added to it any more."""

    __table_args__ = (UniqueConstraint("community_id", "year"),)

    id: Mapped[IntPK]
    community_id: Mapped[CommunityId]
    year: Mapped[int]
    closed_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    closed_at: Mapped[CreatedAt]
