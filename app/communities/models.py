from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import ForeignKey, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.core.i18n import N_
from app.core.labels import Labelled
from app.extensions import db
from app.models_base import CommunityId, CreatedAt, IntPK, UserId

if TYPE_CHECKING:
    from app.auth.models import User


class CommunityKind(Labelled):
    URBAN = "urban", N_("Urban community (社区)")
    VILLAGE = "village", N_("Village (村)")


class Role(Labelled):
    RESIDENT = "resident", N_("Resident")
    COUNCIL_MEMBER = "council_member", N_("Council member")
    CHAIR = "chair", N_("Council chair")
    COMMITTEE = "committee", N_("Committee member")
    # 网格员: records proposals, supports, comments and ratings for residents without a phone (app/onbehalf).
    GRID_WORKER = "grid_worker", N_("Grid worker")


class MembershipStatus(Labelled):
    PENDING = "pending", N_("Waiting for verification")
    VERIFIED = "verified", N_("Verified")
    DECLINED = "declined", N_("Declined")
    REMOVED = "removed", N_("Removed by the committee (moved out)")
    LEFT = "left", N_("Left (account deleted)")


# A membership that ended: its person's contributions stay, their rights in the community do not.
ENDED = (MembershipStatus.REMOVED, MembershipStatus.LEFT)


class Community(db.Model):
    id: Mapped[IntPK]
    slug: Mapped[str] = mapped_column(db.String(60), unique=True)
    name: Mapped[str] = mapped_column(db.String(80))
    kind: Mapped[str] = mapped_column(db.String(10), default=CommunityKind.URBAN)
    district: Mapped[str] = mapped_column(db.String(80))
    register_size: Mapped[int] = mapped_column(default=0)  # people on the resident register
    annual_budget: Mapped[int] = mapped_column(default=0)  # yuan for micro-matters this year
    # The street office (街道) above it; the table belongs to app/streets (layer 7), named here only.
    street_id: Mapped[int | None] = mapped_column(ForeignKey("street.id"), index=True)
    created_at: Mapped[CreatedAt]

    memberships: Mapped[list["Membership"]] = relationship(back_populates="community")

    def __repr__(self):
        return f"<Community {self.slug}>"


class Membership(db.Model):
    """A person's place in one community: verified by the committee, with one role."""

    __table_args__ = (UniqueConstraint("user_id", "community_id"),)

    id: Mapped[IntPK]
    user_id: Mapped[UserId]
    community_id: Mapped[CommunityId]
    status: Mapped[str] = mapped_column(db.String(10), default=MembershipStatus.PENDING)
    role: Mapped[str] = mapped_column(db.String(20), default=Role.RESIDENT)
    address: Mapped[str] = mapped_column(db.String(120), default="")  # building/unit/room, for the census check
    decline_reason: Mapped[str | None] = mapped_column(db.String(300))
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    decided_at: Mapped[datetime | None]
    # Removal by the committee (with its reason), or the person deleting their account.
    ended_at: Mapped[datetime | None]
    ended_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    end_reason: Mapped[str | None] = mapped_column(db.String(300))
    # The committee's block on posting (proposals, comments, clarifications) until a time, with the
    # reason the person sees (app.moderation).
    posting_blocked_until: Mapped[datetime | None]
    posting_block_reason: Mapped[str | None] = mapped_column(db.String(300))
    created_at: Mapped[CreatedAt]

    user: Mapped["User"] = relationship(foreign_keys="Membership.user_id")
    community: Mapped[Community] = relationship(back_populates="memberships")

    @property
    def is_verified(self):
        return self.status == MembershipStatus.VERIFIED

    @property
    def is_council(self):
        return self.is_verified and self.role in (Role.COUNCIL_MEMBER, Role.CHAIR)
