from datetime import datetime

from sqlalchemy import JSON, ForeignKey, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import db
from app.models_base import CreatedAt, IntPK, UserId, utcnow


class Notification(db.Model):
    """An inbox entry. The message is an English msgid, translated when shown."""

    id: Mapped[IntPK]
    user_id: Mapped[UserId]
    message: Mapped[str] = mapped_column(db.String(200))
    params: Mapped[dict] = mapped_column(JSON, default=dict)
    link: Mapped[str] = mapped_column(db.String(300), default="")
    created_at: Mapped[CreatedAt]
    read_at: Mapped[datetime | None]
    # Changes of one matter on one local day share a key ("matter:12:2026-05-04") and one entry, whose
    # params["lines"] lists them (services.notify).
    group_key: Mapped[str | None] = mapped_column(db.String(60), index=True)


class NotificationPreference(db.Model):
    """How one resident wants to hear about one kind of event; no row means the defaults
    (preferences.DEFAULT: in the inbox and by e-mail, at once)."""

    __table_args__ = (UniqueConstraint("user_id", "event"),)

    id: Mapped[IntPK]
    user_id: Mapped[UserId]
    event: Mapped[str] = mapped_column(db.String(20))  # preferences.Event
    in_app: Mapped[bool] = mapped_column(default=True)
    email: Mapped[bool] = mapped_column(default=True)
    sms: Mapped[bool] = mapped_column(default=False)
    digest: Mapped[bool] = mapped_column(default=False)  # once a day (reminders.send_digests), not at once


class DigestItem(db.Model):
    """An event held for the resident's daily digest, sent and stamped by the worker."""

    id: Mapped[IntPK]
    user_id: Mapped[UserId]
    event: Mapped[str] = mapped_column(db.String(20))
    message: Mapped[str] = mapped_column(db.String(200))
    params: Mapped[dict] = mapped_column(JSON, default=dict)
    link: Mapped[str] = mapped_column(db.String(300), default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    sent_at: Mapped[datetime | None] = mapped_column(index=True)

    user = relationship("User")


class SentReminder(db.Model):
    """A reminder (or digest) already sent: the unique key makes each one go out once, however often
    the worker runs."""

    __table_args__ = (UniqueConstraint("kind", "subject_id", "user_id"),)

    id: Mapped[IntPK]
    kind: Mapped[str] = mapped_column(db.String(30))  # reminders.Reminder
    subject_id: Mapped[int]  # the meeting, round or record; for a digest the local day's ordinal
    user_id: Mapped[UserId]
    sent_at: Mapped[datetime] = mapped_column(default=utcnow)


class OutboxStatus:
    PENDING = "pending"  # waiting to be sent (first try, or a retry after next_attempt_at)
    SENDING = "sending"  # claimed by a sender right now
    RETRYING = "retrying"  # a try failed: sent again after next_attempt_at (attempts, last_error)
    SENT = "sent"  # handed to the mail server / SMS provider / group robot, or written to the log when none is set
    FAILED = "failed"  # gave up: after the last attempt, or at once when the provider refused it for good
    SKIPPED = "skipped"  # not sent on purpose (last_error): over an SMS limit, or the group's robot was removed

    DUE = (PENDING, RETRYING)


class OutboxChannel:
    EMAIL = "email"
    SMS = "sms"
    WECOM = "wecom"  # a community's WeCom (企业微信) group robot


class Outbox(db.Model):
    """A message waiting to be sent (e-mail, SMS or a group post), rendered in the recipient's language
    when it was queued.

    Rows are queued in the transaction that made the change; e-mail is sent once it commits, SMS and
    group posts by the worker (`flask outbox send`, see outbox.py); failures are retried with a growing delay.
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
    transport: Mapped[str | None] = mapped_column(db.String(10))  # "smtp", "aliyun", "wecom" or "log"
    created_at: Mapped[CreatedAt]
    # Which way it goes. E-mail: to_address, subject, body. SMS: to_address is the number, `kind` chooses the
    # provider's template and `params` fill it (body is the text, for the log). WeCom: the group of
    # `community_id`, whose webhook is looked up when sending (its key is a secret: never copied here).
    channel: Mapped[str] = mapped_column(db.String(10), default=OutboxChannel.EMAIL, server_default="email", index=True)
    community_id: Mapped[int | None] = mapped_column(ForeignKey("community.id"), index=True)
    kind: Mapped[str | None] = mapped_column(db.String(30))
    params: Mapped[dict | None] = mapped_column(JSON)


class SmsNumber(db.Model):  # type: ignore[name-defined]  # flask_sqlalchemy's Model is dynamic
    """The number a resident gave for SMS notifications, with their consent to the privacy notice's
    version in force. Personal data: never shown publicly, in the data export, gone with the account.
    (Many user names are phone numbers; this one is given on purpose, for SMS only.)"""

    id: Mapped[IntPK]
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id"), unique=True)
    phone: Mapped[str] = mapped_column(db.String(20))
    consent_version: Mapped[str] = mapped_column(db.String(20))
    consented_at: Mapped[CreatedAt]


class GroupWebhook(db.Model):  # type: ignore[name-defined]  # flask_sqlalchemy's Model is dynamic
    """A community's WeCom group robot (群机器人): new notices, meeting notices and results are posted to
    its work group. The URL holds the robot's key, a secret: shown masked, never in the API or the log."""

    id: Mapped[IntPK]
    community_id: Mapped[int] = mapped_column(ForeignKey("community.id"), unique=True)
    url: Mapped[str] = mapped_column(db.String(300))
    set_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    set_at: Mapped[datetime] = mapped_column(default=utcnow)
