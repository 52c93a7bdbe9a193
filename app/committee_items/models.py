from datetime import date, datetime
from typing import TYPE_CHECKING

from sqlalchemy import CheckConstraint, ForeignKey
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.core.i18n import N_
from app.core.labels import Labelled
from app.extensions import db
from app.models_base import CommunityId, CreatedAt, IntPK

if TYPE_CHECKING:
    from app.auth.models import User
    from app.communities.models import Community


class ItemKind(Labelled):
    OWN = "own", N_("Raised by the committee")
    ASSIGNED = "assigned", N_("Assigned from above (上级交办)")
    QUESTION = "question", N_("Question without a budget (其他事项)")


class ItemStatus(Labelled):
    ON_AGENDA = "on_agenda", N_("On the council's agenda list")
    AGREED = "agreed", N_("Agreed by the council")
    REJECTED = "rejected", N_("Rejected by the council")


class CommitteeItem(db.Model):
    """An item on the agenda list that no resident proposed: who raised it is the committee (and,
    for an assigned item, the office above that assigned it, with its due date)."""

    __table_args__ = (
        CheckConstraint(
            "(kind = 'assigned') = (assigning_office IS NOT NULL AND due_on IS NOT NULL)",
            name="assigned_iff_office_and_due",
        ),
    )

    id: Mapped[IntPK]
    community_id: Mapped[CommunityId]
    kind: Mapped[str] = mapped_column(db.String(10))
    title: Mapped[str] = mapped_column(db.String(80))
    description: Mapped[str] = mapped_column(db.Text)
    assigning_office: Mapped[str | None] = mapped_column(db.String(120))
    due_on: Mapped[date | None]
    raised_by_id: Mapped[int] = mapped_column(ForeignKey("user.id"))
    agenda_item_id: Mapped[int] = mapped_column(ForeignKey("agenda_item.id"), unique=True)
    status: Mapped[str] = mapped_column(db.String(10), default=ItemStatus.ON_AGENDA)
    status_changed_at: Mapped[datetime]
    motion_id: Mapped[int | None] = mapped_column(ForeignKey("motion.id"))  # the motion that decided it
    created_at: Mapped[CreatedAt]

    community: Mapped["Community"] = relationship()
    raised_by: Mapped["User"] = relationship()
