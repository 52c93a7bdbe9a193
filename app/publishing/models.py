from datetime import date, datetime
from typing import TYPE_CHECKING

from sqlalchemy import JSON, Date, ForeignKey, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.core.i18n import N_
from app.core.labels import Labelled
from app.extensions import db
from app.models_base import CommunityId, CreatedAt, IntPK

if TYPE_CHECKING:
    from app.auth.models import User
    from app.communities.models import Community


class NoticeKind(Labelled):
    DECISION = "decision", N_("Council decision")  # a council motion's result
    ROUND = "round", N_("Voting round results")  # a resident voting round's results
    ACCEPTANCE = "acceptance", N_("Acceptance of a completed project")  # a completed implementation (验收)


class NoticePeriod(Labelled):
    """Where today falls in a notice's objection period (computed, not stored)."""

    UPCOMING = "upcoming", N_("Not started yet")
    OPEN = "open", N_("Open for objections")
    ENDED = "ended", N_("Period ended")


class Notice(db.Model):
    """A public notice (公示) of a record: its facts are frozen when it is published."""

    __table_args__ = (UniqueConstraint("community_id", "kind", "ref_id"),)

    id: Mapped[IntPK]
    community_id: Mapped[CommunityId]
    kind: Mapped[str] = mapped_column(db.String(20))
    ref_id: Mapped[int]  # the motion, round or implementation record it publishes
    title: Mapped[str] = mapped_column(db.String(120))
    preface: Mapped[str] = mapped_column(db.Text, default="")  # the committee's Markdown
    preface_html: Mapped[str] = mapped_column(db.Text, default="")
    # Generated from the record at publication and never edited afterwards:
    # {"summary": {...}, "rows": [...], "items": [...]} (see app.publishing.sources).
    facts: Mapped[dict] = mapped_column(JSON, default=dict)
    record_path: Mapped[str] = mapped_column(db.String(300))  # the online record, e.g. /c/x/rounds/3/results
    period_start: Mapped[date] = mapped_column(Date)
    period_end: Mapped[date] = mapped_column(Date)
    published_by_id: Mapped[int] = mapped_column(ForeignKey("user.id"))
    published_at: Mapped[CreatedAt]

    community: Mapped["Community"] = relationship()
    matter_links: Mapped[list["NoticeMatter"]] = relationship(back_populates="notice", order_by="NoticeMatter.id")
    objections: Mapped[list["Objection"]] = relationship(back_populates="notice", order_by="Objection.id")

    @property
    def matter_ids(self):
        return [link.matter_id for link in self.matter_links]


class NoticeMatter(db.Model):
    """The micro-matters a notice concerns: held back while an objection to it awaits an answer."""

    __table_args__ = (UniqueConstraint("notice_id", "matter_id"),)

    id: Mapped[IntPK]
    notice_id: Mapped[int] = mapped_column(ForeignKey("notice.id"), index=True)
    matter_id: Mapped[int] = mapped_column(ForeignKey("micro_matter.id"), index=True)

    notice: Mapped[Notice] = relationship(back_populates="matter_links")


class Objection(db.Model):
    """A resident's objection (异议) during the notice period, and the committee's public answer.

    One per resident per notice (the database says so). An answered objection no longer holds the
    notice's matters; the committee may reopen it (with a public reason), which holds them again."""

    __table_args__ = (UniqueConstraint("notice_id", "author_id"),)

    id: Mapped[IntPK]
    notice_id: Mapped[int] = mapped_column(ForeignKey("notice.id"), index=True)
    author_id: Mapped[int] = mapped_column(ForeignKey("user.id"), index=True)
    body: Mapped[str] = mapped_column(db.Text)
    created_at: Mapped[CreatedAt]
    answer: Mapped[str | None] = mapped_column(db.Text)
    answered_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    answered_at: Mapped[datetime | None]
    # The latest reopening: the earlier answer stays shown until the new one replaces it.
    reopened_at: Mapped[datetime | None]
    reopened_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    reopen_reason: Mapped[str | None] = mapped_column(db.Text)

    notice: Mapped[Notice] = relationship(back_populates="objections")
    author: Mapped["User"] = relationship(foreign_keys=[author_id])

    @property
    def is_answered(self):
        return self.answered_at is not None
