from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import ForeignKey, Index
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.core.i18n import N_
from app.core.labels import Labelled
from app.extensions import db
from app.models_base import CommunityId, CreatedAt, IntPK

if TYPE_CHECKING:
    from app.auth.models import User


class AttachmentKind(Labelled):
    QUOTE = "quote", N_("Quote (报价单)")
    DRAWING = "drawing", N_("Drawing or plan (图纸)")
    DOCUMENT = "document", N_("Other document")


class Attachment(db.Model):
    """A file on a micro-matter or a committee item (`subject_kind`, `subject_id`). Removing one keeps
    the row (who, when, why) and deletes the file."""

    __table_args__ = (Index("ix_attachment_subject", "subject_kind", "subject_id"),)

    id: Mapped[IntPK]
    community_id: Mapped[CommunityId]
    subject_kind: Mapped[str] = mapped_column(db.String(20))
    subject_id: Mapped[int]
    kind: Mapped[str] = mapped_column(db.String(10))
    title: Mapped[str] = mapped_column(db.String(80))
    content_type: Mapped[str] = mapped_column(db.String(40))
    size: Mapped[int]
    sha256: Mapped[str] = mapped_column(db.String(64))
    stored_name: Mapped[str] = mapped_column(db.String(80), unique=True)
    uploaded_by_id: Mapped[int] = mapped_column(ForeignKey("user.id"))
    created_at: Mapped[CreatedAt]
    removed_at: Mapped[datetime | None]
    removed_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    remove_reason: Mapped[str | None] = mapped_column(db.String(300))

    uploaded_by: Mapped["User"] = relationship(foreign_keys=[uploaded_by_id])

    @property
    def is_removed(self):
        return self.removed_at is not None
