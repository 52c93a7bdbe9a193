"""The street office (街道): streets group communities; street staff are granted per street.

A street's staff read every community of the street and leave public notes on its exceptions;
they act inside a community only through a role they hold there.
"""

from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import ForeignKey, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.communities.models import Community
from app.extensions import db
from app.models_base import CommunityId, CreatedAt, IntPK, UserId, utcnow

if TYPE_CHECKING:
    from app.auth.models import User


class Street(db.Model):
    id: Mapped[IntPK]
    slug: Mapped[str] = mapped_column(db.String(60), unique=True)
    name: Mapped[str] = mapped_column(db.String(80))
    district: Mapped[str] = mapped_column(db.String(80), default="")
    created_at: Mapped[CreatedAt]

    communities: Mapped[list[Community]] = relationship(Community, order_by=Community.name)
    staff: Mapped[list["StreetStaff"]] = relationship(back_populates="street")

    def __repr__(self):
        return f"<Street {self.slug}>"


class StreetStaff(db.Model):
    """A person's grant to read the communities of one street (by a site admin)."""

    __table_args__ = (UniqueConstraint("street_id", "user_id"),)

    id: Mapped[IntPK]
    street_id: Mapped[int] = mapped_column(ForeignKey("street.id"), index=True)
    user_id: Mapped[UserId]
    granted_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    granted_at: Mapped[datetime] = mapped_column(default=utcnow)

    street: Mapped[Street] = relationship(back_populates="staff")
    user: Mapped["User"] = relationship(foreign_keys="StreetStaff.user_id")
    granted_by: Mapped["User | None"] = relationship(foreign_keys=[granted_by_id])


class StreetNote(db.Model):
    """A street officer's public note on one exception, kept under the exception's key
    (e.g. "overdue:record:12"), shown on the street page and on the community's dashboard."""

    id: Mapped[IntPK]
    street_id: Mapped[int] = mapped_column(ForeignKey("street.id"), index=True)
    community_id: Mapped[CommunityId]
    exception_key: Mapped[str] = mapped_column(db.String(80), index=True)
    body: Mapped[str] = mapped_column(db.String(1000))
    author_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    created_at: Mapped[CreatedAt]

    author: Mapped["User | None"] = relationship()
    community: Mapped[Community] = relationship()
