"""Written proxies (书面委托): a council member who cannot attend a meeting gives their proxy to
another member. Given online by the member before the meeting opens, or recorded from paper by
the chair or the committee; revoked (never deleted) before the meeting opens."""

from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import ForeignKey, Index, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.core.i18n import N_
from app.core.labels import Labelled
from app.extensions import db
from app.models_base import IntPK

if TYPE_CHECKING:
    from app.auth.models import User
    from app.councils.models import Meeting


class Channel(Labelled):
    ONLINE = "online", N_("given online")
    PAPER = "paper", N_("on paper, recorded by %(name)s")


def _one_in_force(name, column):
    """A meeting's proxies in force (not revoked) have each `column` value at most once."""
    in_force = "revoked_at IS NULL"
    return Index(name, "meeting_id", column, unique=True, sqlite_where=text(in_force), postgresql_where=text(in_force))


class Proxy(db.Model):  # type: ignore[name-defined]  # flask_sqlalchemy's Model is dynamic
    # At most one proxy in force per giver and per holder at a meeting (revoked ones stay, for the record).
    __table_args__ = (
        _one_in_force("uq_proxy_giver_in_force", "giver_id"),
        _one_in_force("uq_proxy_holder_in_force", "holder_id"),
    )

    id: Mapped[IntPK]
    meeting_id: Mapped[int] = mapped_column(ForeignKey("meeting.id"), index=True)
    giver_id: Mapped[int] = mapped_column(ForeignKey("user.id"))
    holder_id: Mapped[int] = mapped_column(ForeignKey("user.id"))
    channel: Mapped[str] = mapped_column(db.String(10))  # Channel
    given_at: Mapped[datetime]
    recorded_by_id: Mapped[int] = mapped_column(ForeignKey("user.id"))  # the giver, or who entered the paper
    revoked_at: Mapped[datetime | None]
    revoked_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))

    meeting: Mapped["Meeting"] = relationship()
    giver: Mapped["User"] = relationship(foreign_keys=[giver_id])
    holder: Mapped["User"] = relationship(foreign_keys=[holder_id])
    recorded_by: Mapped["User"] = relationship(foreign_keys=[recorded_by_id])
