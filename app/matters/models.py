from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import ForeignKey, Index, UniqueConstraint, func
from sqlalchemy.orm import Mapped, declared_attr, mapped_column, relationship

from app.core.i18n import N_
from app.core.labels import Labelled
from app.core.vocabulary import Category, ProjectType  # noqa: F401  (re-exported)
from app.extensions import db
from app.models_base import CommunityId, CreatedAt, EnteredOnBehalf, IntPK, UpdatedAt, UserId, utcnow

from . import search

if TYPE_CHECKING:
    from app.auth.models import User
    from app.communities.models import Community
    from app.core.uploads import StoredPhoto


class Stance(Labelled):
    SUPPORT = "support", N_("In favour")
    OPPOSE = "oppose", N_("Against")
    NEUTRAL = "neutral", N_("Neutral")


class MicroMatter(EnteredOnBehalf, db.Model):
    """A livelihood micro-matter (民生微实事) proposed by a resident (or recorded for them: 代录)."""

    id: Mapped[IntPK]
    community_id: Mapped[CommunityId]
    proposer_id: Mapped[int] = mapped_column(ForeignKey("user.id"), index=True)
    title: Mapped[str] = mapped_column(db.String(80))
    description: Mapped[str] = mapped_column(db.Text)  # Markdown as written
    description_html: Mapped[str] = mapped_column(db.Text)  # rendered and sanitised
    category: Mapped[str] = mapped_column(db.String(20), index=True)
    location: Mapped[str] = mapped_column(db.String(120))
    estimated_cost: Mapped[int]  # yuan
    project_type: Mapped[str] = mapped_column(db.String(10))
    status: Mapped[str] = mapped_column(db.String(20), index=True, default="draft")
    support_count: Mapped[int] = mapped_column(default=0)
    created_at: Mapped[CreatedAt]
    updated_at: Mapped[UpdatedAt]
    submitted_at: Mapped[datetime | None]
    status_changed_at: Mapped[datetime] = mapped_column(default=utcnow)
    # Set at the first support: from then on title, description, cost, location and type stay as
    # supported; the proposer adds Clarifications instead.
    substance_frozen_at: Mapped[datetime | None]
    # Optimistic lock: two committee members acting at once cannot both move it.
    version_id: Mapped[int] = mapped_column(default=1)
    # Title, description and location as search tokens (search.py; services keep it in step).
    search_text: Mapped[str] = mapped_column(search.COLUMN_TYPE, server_default="", deferred=True)

    __mapper_args__ = {"version_id_col": version_id}

    community: Mapped["Community"] = relationship()
    proposer: Mapped["User"] = relationship(foreign_keys="MicroMatter.proposer_id")
    photos: Mapped[list["MatterPhoto"]] = relationship(back_populates="matter", order_by="MatterPhoto.id")
    clarifications: Mapped[list["Clarification"]] = relationship(back_populates="matter", order_by="Clarification.id")

    @property
    def substance_frozen(self):
        return self.substance_frozen_at is not None


# The list's two orders, within a community (services.list_query): read in index order, so page 1
# and the last page cost about the same at tens of thousands of matters.
Index(
    "ix_micro_matter_list_newest",
    MicroMatter.community_id,
    func.coalesce(MicroMatter.submitted_at, MicroMatter.created_at).desc(),
    MicroMatter.id.desc(),
)
Index("ix_micro_matter_list_supported", MicroMatter.community_id, MicroMatter.support_count, MicroMatter.id)
search.index_with(MicroMatter.__table__)  # SQLite FTS5 table and triggers, PostgreSQL GIN index


class MatterPhoto(db.Model):
    id: Mapped[IntPK]
    matter_id: Mapped[int] = mapped_column(ForeignKey("micro_matter.id"), index=True)
    photo_id: Mapped[int] = mapped_column(ForeignKey("stored_photo.id"))
    caption: Mapped[str] = mapped_column(db.String(120), default="")

    matter: Mapped[MicroMatter] = relationship(back_populates="photos")
    photo: Mapped["StoredPhoto"] = relationship()


class PendingPhoto(db.Model):
    """A photo chosen in the proposal form and kept while the form comes back with an error: its
    owner's only (never shown to anyone else), attached when the proposal is saved, forgotten when
    it expires (services.forget_expired_photos, run by the outbox worker)."""

    id: Mapped[IntPK]
    user_id: Mapped[UserId]
    community_id: Mapped[int] = mapped_column(ForeignKey("community.id"))
    # The micro-matter being edited; None for a new proposal.
    matter_id: Mapped[int | None] = mapped_column(ForeignKey("micro_matter.id"))
    photo_id: Mapped[int] = mapped_column(ForeignKey("stored_photo.id"), unique=True)
    expires_at: Mapped[datetime] = mapped_column(index=True)
    created_at: Mapped[CreatedAt]

    photo: Mapped["StoredPhoto"] = relationship()


class Clarification(db.Model):
    """A dated clarification added under the text once it can no longer be rewritten (appended, never edited)."""

    id: Mapped[IntPK]
    matter_id: Mapped[int] = mapped_column(ForeignKey("micro_matter.id"), index=True)
    author_id: Mapped[int] = mapped_column(ForeignKey("user.id"))
    body: Mapped[str] = mapped_column(db.Text)  # plain text, shown as written
    created_at: Mapped[CreatedAt]

    matter: Mapped[MicroMatter] = relationship(back_populates="clarifications")
    author: Mapped["User"] = relationship()


class _PersonOnMatter:
    """One row per person per matter (the unique pair); undoing it deletes the row."""

    @declared_attr.directive
    def __table_args__(cls):
        return (UniqueConstraint("matter_id", "user_id"),)

    id: Mapped[IntPK]
    matter_id: Mapped[int] = mapped_column(ForeignKey("micro_matter.id"), index=True)
    user_id: Mapped[UserId]
    created_at: Mapped[CreatedAt]

    @declared_attr
    def user(cls) -> Mapped["User"]:
        return relationship()


class Support(_PersonOnMatter, EnteredOnBehalf, db.Model):
    """A support (附议). One per resident per matter, their own or recorded for them (代录);
    withdrawing deletes it (the audit log keeps both)."""

    user: Mapped["User"] = relationship(foreign_keys="Support.user_id")  # not the one who entered it


class Follow(_PersonOnMatter, db.Model):
    """Someone who is told about the matter's changes."""


class Comment(EnteredOnBehalf, db.Model):
    id: Mapped[IntPK]
    matter_id: Mapped[int] = mapped_column(ForeignKey("micro_matter.id"), index=True)
    author_id: Mapped[int] = mapped_column(ForeignKey("user.id"))
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("comment.id"))  # a reply
    stance: Mapped[str] = mapped_column(db.String(10), default=Stance.NEUTRAL)
    body: Mapped[str] = mapped_column(db.Text)
    created_at: Mapped[CreatedAt]
    hidden_reason: Mapped[str | None] = mapped_column(db.String(300))
    hidden_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    hidden_at: Mapped[datetime | None]

    author: Mapped["User"] = relationship(foreign_keys=[author_id])
    hidden_by: Mapped["User | None"] = relationship(foreign_keys=[hidden_by_id])
    matter: Mapped[MicroMatter] = relationship()
    replies: Mapped[list["Comment"]] = relationship(order_by="Comment.id")

    @property
    def is_hidden(self):
        return self.hidden_at is not None
