from datetime import datetime

from sqlalchemy import JSON, ForeignKey
from sqlalchemy.orm import Mapped, mapped_column

from app.extensions import db
from app.models_base import CreatedAt, IntPK


class Notification(db.Model):
    """An inbox entry. The message is an English msgid, translated when shown."""

    id: Mapped[IntPK]
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id"), index=True)
    message: Mapped[str] = mapped_column(db.String(200))
    params: Mapped[dict] = mapped_column(JSON, default=dict)
    link: Mapped[str] = mapped_column(db.String(300), default="")
    created_at: Mapped[CreatedAt]
    read_at: Mapped[datetime | None]
