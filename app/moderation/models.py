from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import ForeignKey, Index, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.core.i18n import N_
from app.core.labels import Labelled
from app.extensions import db
from app.models_base import CommunityId, CreatedAt, IntPK

if TYPE_CHECKING:
    from app.auth.models import User


class FlagReason(Labelled):
    SPAM = "spam", N_("Advertising or spam")
    ABUSE = "abuse", N_("Insults or threats")
    PERSONAL = "personal", N_("Someone's personal data (phone, ID number, address)")
    OFF_TOPIC = "off_topic", N_("Not about the community")
    FALSE = "false", N_("False or misleading")
    OTHER = "other", N_("Something else")


class FlagOutcome(Labelled):
    KEPT = "kept", N_("Kept: no rule was broken")
    HIDDEN = "hidden", N_("Hidden by the committee")
    BLOCKED = "blocked", N_("The author was blocked from posting")


class Flag(db.Model):
    """A resident's report on a micro-matter or a comment. The reporter is known to the committee
    only; the author is never told who reported them. One open flag per person and target."""

    __table_args__ = (
        Index("ix_flag_target", "target_kind", "target_id"),
        # `pending` is True while open and NULL once handled (NULLs never collide).
        UniqueConstraint("target_kind", "target_id", "flagged_by_id", "pending"),
    )

    id: Mapped[IntPK]
    community_id: Mapped[CommunityId]
    target_kind: Mapped[str] = mapped_column(db.String(10))  # "matter" or "comment"
    target_id: Mapped[int]
    reason: Mapped[str] = mapped_column(db.String(10))
    text: Mapped[str] = mapped_column(db.String(500), default="")
    flagged_by_id: Mapped[int] = mapped_column(ForeignKey("user.id"))
    created_at: Mapped[CreatedAt]
    pending: Mapped[bool | None] = mapped_column(default=True)
    outcome: Mapped[str | None] = mapped_column(db.String(10))  # NULL while open
    handled_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    handled_at: Mapped[datetime | None]
    note: Mapped[str] = mapped_column(db.String(300), default="")

    flagged_by: Mapped["User"] = relationship(foreign_keys=[flagged_by_id])


class MatterHiding(db.Model):
    """The committee hid a micro-matter (its lifecycle state says it is hidden now): when, by whom,
    the public reason, and when the hiding was lifted."""

    id: Mapped[IntPK]
    matter_id: Mapped[int] = mapped_column(ForeignKey("micro_matter.id"), index=True)
    reason: Mapped[str] = mapped_column(db.String(300))
    hidden_by_id: Mapped[int] = mapped_column(ForeignKey("user.id"))
    hidden_at: Mapped[datetime]
    lifted_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    lifted_at: Mapped[datetime | None]
