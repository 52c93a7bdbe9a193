from datetime import datetime

from sqlalchemy import JSON, ForeignKey
from sqlalchemy.orm import Mapped, mapped_column

from app.extensions import db
from app.models_base import CreatedAt, IntPK, utcnow


class Notification(db.Model):
    """An inbox entry. The message is an English msgid, translated when shown."""

    id: Mapped[IntPK]
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id"), index=True)
    message: Mapped[str] = mapped_column(db.String(200))
    params: Mapped[dict] = mapped_column(JSON, default=dict)
    link: Mapped[str] = mapped_column(db.String(300), default="")
    created_at: Mapped[CreatedAt]
    read_at: Mapped[datetime | None]


class OutboxStatus:
    PENDING = "pending"  # waiting to be sent (first try, or a retry after next_attempt_at)
    SENDING = "sending"  # claimed by a sender right now
    SENT = "sent"  # handed to the mail server, or written to the log when no MAIL_SERVER is set
    FAILED = "failed"  # gave up after the last attempt


class Outbox(db.Model):
    """An email waiting to be sent, rendered in the recipient's language when it was queued.

    Rows are queued in the transaction that made the change and sent only after it commits
    (see outbox.py); failures are retried with a growing delay.
    """

    id: Mapped[IntPK]
    user_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"), index=True)
    to_address: Mapped[str] = mapped_column(db.String(120))
    subject: Mapped[str] = mapped_column(db.String(200))
    body: Mapped[str] = mapped_column(db.Text)
    locale: Mapped[str] = mapped_column(db.String(10))
    status: Mapped[str] = mapped_column(db.String(10), index=True, default=OutboxStatus.PENDING)
    attempts: Mapped[int] = mapped_column(default=0)
    last_error: Mapped[str | None] = mapped_column(db.String(500))
    next_attempt_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    claimed_at: Mapped[datetime | None]
    sent_at: Mapped[datetime | None]
    transport: Mapped[str | None] = mapped_column(db.String(10))  # "smtp" or "log"
    created_at: Mapped[CreatedAt]
