"""Council members' terms of office and the ordered list of substitutes (候补). A term is a public
fact about an office: who held the seat, from when to when, how they were chosen."""

from datetime import date, datetime

from sqlalchemy import CheckConstraint, ForeignKey, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.auth.models import User
from app.core.i18n import N_
from app.core.labels import Labelled
from app.extensions import db
from app.models_base import CommunityId, CreatedAt, IntPK, UserId


class ChosenHow(Labelled):
    ELECTED = "elected", N_("Elected")
    APPOINTED = "appointed", N_("Appointed")
    # A substitute who stepped in for the rest of a member's term (候补递补).
    SUBSTITUTE = "substitute", N_("Stepped in as substitute")


class EndCause(Labelled):
    ROLE_REMOVED = "role_removed", N_("Left the council")
    MEMBERSHIP_ENDED = "membership_ended", N_("Membership ended")
    ENDED_EARLY = "ended_early", N_("Ended early by the committee")


class CouncilTerm(db.Model):
    __table_args__ = (CheckConstraint("ends_on >= starts_on", name="term_ends_after_start"),)

    id: Mapped[IntPK]
    community_id: Mapped[CommunityId]
    user_id: Mapped[UserId]
    starts_on: Mapped[date]
    ends_on: Mapped[date]  # the last day of the term (the day it was ended, when ended early)
    chosen_how: Mapped[str] = mapped_column(db.String(12))  # ChosenHow
    chosen_by: Mapped[str] = mapped_column(db.String(120), default="")  # e.g. “2026年3月居民会议”
    # Ended before its end: when, by whom, why (leaving the council, or the committee's decision).
    ended_early_at: Mapped[datetime | None]
    ended_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    end_cause: Mapped[str | None] = mapped_column(db.String(20))  # EndCause
    end_reason: Mapped[str | None] = mapped_column(db.String(300))
    # The term whose seat a substitute took over.
    succeeds_id: Mapped[int | None] = mapped_column(ForeignKey("council_term.id"))
    created_by_id: Mapped[int] = mapped_column(ForeignKey("user.id"))
    created_at: Mapped[CreatedAt]

    user: Mapped[User] = relationship(foreign_keys="CouncilTerm.user_id")


class Substitute(db.Model):
    """A resident next in line for a seat that falls vacant; the lowest rank steps in first."""

    __table_args__ = (UniqueConstraint("community_id", "user_id"),)

    id: Mapped[IntPK]
    community_id: Mapped[CommunityId]
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id"))
    rank: Mapped[int]
    chosen_by: Mapped[str] = mapped_column(db.String(120), default="")
    added_by_id: Mapped[int] = mapped_column(ForeignKey("user.id"))
    created_at: Mapped[CreatedAt]

    user: Mapped[User] = relationship(foreign_keys=[user_id])
