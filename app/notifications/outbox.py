"""Everything that leaves the site goes through one outbox table: e-mail, SMS (sms.py) and posts to a
community's WeCom group (wecom.py).

notify() queues one Outbox row per recipient and channel, rendered in the recipient's language, in
the same transaction as the change; a rollback forgets them. E-mail is sent once that transaction
has committed (an after_commit hook), by SMTP when MAIL_SERVER is set, otherwise written to the
log. SMS and group posts are HTTP calls to someone else's server: only the worker, `flask --app
wsgi outbox send`, makes them, never a web request. A failure is recorded (attempts, last error,
status "retrying") and tried again with a growing delay by the worker, which also sends anything
left over (e.g. when OUTBOX_SEND_ON_COMMIT is off and a timer runs the command); a refusal for good
(a wrong number, a removed robot) fails at once.
"""

import logging
import smtplib
from datetime import timedelta
from email.message import EmailMessage
from email.utils import formatdate, make_msgid

from flask import current_app, has_app_context
from flask_babel import force_locale, gettext
from sqlalchemy import event, func, select, update
from sqlalchemy.orm import Session

from app.core import clock
from app.core.i18n import N_
from app.core.text import one_line
from app.core.urls import absolute_url
from app.extensions import db

from .models import Outbox, OutboxChannel, OutboxStatus

log = logging.getLogger("weiyi.mail")

MAX_ATTEMPTS = 8
BASE_DELAY_SECONDS = 60
MAX_DELAY_SECONDS = 6 * 3600
STALE_CLAIM = timedelta(minutes=10)
_NEW_IDS = "weiyi_outbox_new_ids"


class Undeliverable(Exception):
    """The provider refused the message for good (a wrong number, a removed robot): no retry."""


class Hold:
    """A transport's answer before sending: skip the message (with the reason), or wait until `until`."""

    def __init__(self, reason, until=None):
        self.reason, self.until = reason, until


def backoff_seconds(attempts):
    """Delay before the next try after `attempts` failed ones: 1, 2, 4, 8 ... minutes, at most 6 hours."""
    return min(BASE_DELAY_SECONDS * 2 ** max(0, attempts - 1), MAX_DELAY_SECONDS)


# ---------------------------------------------------------------- queueing


def recipient_locale(user):
    languages = current_app.config.get("LANGUAGES", ("zh_Hans", "en"))
    return user.locale if user.locale in languages else current_app.config.get("BABEL_DEFAULT_LOCALE", "zh_Hans")


# The last line of an e-mail: why this person gets it (a message id, translated when rendered).
WHY_NOTIFIED = N_(
    "You receive this email because you proposed, support or follow this micro-matter, "
    "or it concerns your membership. The same message is in your Weiyi inbox."
)


def render_email(message, params, link, locale, why=WHY_NOTIFIED):
    """(subject, body) of a notification in `locale`."""
    from app.core.i18n import render_message

    with force_locale(locale):
        text = render_message(message, params)
        site = gettext("Weiyi")
        # A header is one line: a name stored before names were checked may hold a line break.
        subject = one_line(gettext("%(site)s: %(message)s", site=site, message=text))
        if len(subject) > 200:
            subject = subject[:199] + "…"
        lines = [text, ""]
        url = absolute_url(link)
        if url:
            lines += [gettext("Read more: %(url)s", url=url), ""]
        lines.append(gettext(why))
    return subject, "\n".join(lines)


def enqueue(user, message, params, link="", why=WHY_NOTIFIED):
    """Queue an email for `user` in the current transaction (nothing when they gave no address)."""
    address = (getattr(user, "email", None) or "").strip()
    if not address:
        return None
    locale = recipient_locale(user)
    subject, body = render_email(message, params, link, locale, why)
    row = Outbox(user_id=user.id, to_address=address, subject=subject, body=body, locale=locale)
    db.session.add(row)
    return row


def enqueue_for(user, channels, message, params, link="", kind=None):
    """Queue a notification for `user` on each outside channel named (e-mail, SMS), in the current
    transaction; `kind` is the kind of event (it chooses the SMS template). The queued rows."""
    from . import sms

    rows = [
        enqueue(user, message, params, link) if OutboxChannel.EMAIL in channels else None,
        sms.enqueue(user, message, params, link, kind) if OutboxChannel.SMS in channels else None,
    ]
    return [row for row in rows if row is not None]


# ---------------------------------------------------------------- after the commit


@event.listens_for(Session, "after_flush")
def _remember_new(session, _flush_context):
    new_ids = [obj.id for obj in session.new if isinstance(obj, Outbox)]
    if new_ids:
        session.info.setdefault(_NEW_IDS, []).extend(new_ids)


@event.listens_for(Session, "after_rollback")
def _forget_new(session):
    session.info.pop(_NEW_IDS, None)


@event.listens_for(Session, "after_commit")
def _send_after_commit(session):
    new_ids = session.info.pop(_NEW_IDS, None)
    if not new_ids or not has_app_context() or not current_app.config.get("OUTBOX_SEND_ON_COMMIT", True):
        return
    try:
        # The session that just committed cannot run SQL inside this hook: use a fresh one.
        with Session(db.engine) as fresh:
            deliver(new_ids, session=fresh, channels=(OutboxChannel.EMAIL,))
    except Exception:  # the change is committed: a mail problem must never turn it into an error page
        log.exception("sending queued email failed; `flask outbox send` will retry")


# ---------------------------------------------------------------- sending


class LogTransport:
    """Without MAIL_SERVER: write the message to the log instead of sending it."""

    name = "log"

    def send(self, row):
        log.info(
            "Email (no MAIL_SERVER configured) to %s [%s]\nSubject: %s\n\n%s",
            row.to_address,
            row.locale,
            row.subject,
            row.body,
        )

    def close(self):
        pass


class SmtpTransport:
    name = "smtp"

    def __init__(self, config):
        self.config = config
        self.connection = None

    def _connect(self):
        config = self.config
        connection = smtplib.SMTP(
            config["MAIL_SERVER"], config.get("MAIL_PORT") or 25, timeout=config.get("MAIL_TIMEOUT", 10)
        )
        if config.get("MAIL_USE_TLS"):
            connection.starttls()
        if config.get("MAIL_USERNAME"):
            connection.login(config["MAIL_USERNAME"], config.get("MAIL_PASSWORD") or "")
        return connection

    def send(self, row):
        message = EmailMessage()
        message["From"] = self.config.get("MAIL_FROM") or "weiyi@localhost"
        message["To"] = row.to_address
        message["Subject"] = row.subject
        message["Date"] = formatdate(localtime=False)
        message["Message-ID"] = make_msgid(domain="weiyi")
        message.set_content(row.body)
        if self.connection is None:
            self.connection = self._connect()
        try:
            self.connection.send_message(message)
        except Exception:
            self.close()
            raise

    def close(self):
        if self.connection is not None:
            try:
                self.connection.quit()
            except Exception:  # already broken: nothing more to do  # noqa: S110  # nosec B110
                pass
            self.connection = None


def make_transport(config=None):
    config = config or current_app.config
    return SmtpTransport(config) if config.get("MAIL_SERVER") else LogTransport()


class Transports:
    """One transport per channel, made when the first message of that channel comes up."""

    def __init__(self, email=None):
        self.made = {OutboxChannel.EMAIL: email} if email else {}

    def __getitem__(self, channel):
        if channel not in self.made:
            from . import sms, wecom

            makers = {OutboxChannel.EMAIL: make_transport, OutboxChannel.SMS: sms.make_transport}
            self.made[channel] = makers.get(channel, wecom.make_transport)()
        return self.made[channel]

    def close(self):
        for transport in self.made.values():
            transport.close()


def reclaim_stale():
    """Rows left "sending" by a sender that died go back to the queue."""
    result = db.session.execute(
        update(Outbox)
        .where(Outbox.status == OutboxStatus.SENDING, Outbox.claimed_at < clock.now() - STALE_CLAIM)
        .values(status=OutboxStatus.RETRYING)
    )
    db.session.commit()
    return result.rowcount


def deliver(ids=None, limit=1000, transport=None, session=None, channels=None):
    """Send due messages (all, or those with the given ids or `channels`). Returns a dict of counts.

    Each message is claimed first (due -> sending, in its own short transaction), so two senders
    running at once never send the same message twice; no mail server, SMS provider or webhook is
    contacted while a database transaction is open. `transport` is the e-mail transport (by default
    from the configuration, like the others). `session` defaults to db.session, whose pending work, if
    any, is committed first.
    """
    counts = {"sent": 0, "retry": 0, "failed": 0, "skipped": 0}
    transports = Transports(email=transport)
    session = session or db.session
    session.commit()
    query = select(Outbox.id).where(Outbox.status.in_(OutboxStatus.DUE), Outbox.next_attempt_at <= clock.now())
    if ids is not None:
        query = query.where(Outbox.id.in_(list(ids)))
    if channels is not None:
        query = query.where(Outbox.channel.in_(list(channels)))
    due = session.scalars(query.order_by(Outbox.id).limit(limit)).all()
    session.commit()
    try:
        for outbox_id in due:
            claimed = session.execute(
                update(Outbox)
                .where(Outbox.id == outbox_id, Outbox.status.in_(OutboxStatus.DUE))
                .values(status=OutboxStatus.SENDING, claimed_at=clock.now())
            ).rowcount
            session.commit()
            if claimed:
                row = session.get(Outbox, outbox_id)
                counts[_send_one(row, transports[row.channel], session)] += 1
                session.commit()
    finally:
        transports.close()
    return counts


def _send_one(row, transport, session):
    """Send one claimed row and record how it went: "sent", "retry", "failed" or "skipped"."""
    hold = transport.hold(row, session) if hasattr(transport, "hold") else None
    if hold is not None and hold.until is not None:  # e.g. the day's SMS are used up: tomorrow
        row.status, row.next_attempt_at, row.last_error = OutboxStatus.PENDING, hold.until, str(hold.reason)[:500]
        return "retry"
    if hold is not None:
        row.status, row.last_error = OutboxStatus.SKIPPED, str(hold.reason)[:500]
        return "skipped"
    try:
        transport.send(row)
    except Exception as error:  # any transport failure is recorded and retried
        row.attempts += 1
        row.last_error = f"{type(error).__name__}: {error}"[:500]
        log.warning("%s %s failed (attempt %s): %s", row.channel, row.id, row.attempts, row.last_error)
        if isinstance(error, Undeliverable) or row.attempts >= MAX_ATTEMPTS:
            row.status = OutboxStatus.FAILED
            return "failed"
        row.status = OutboxStatus.RETRYING
        row.next_attempt_at = clock.now() + timedelta(seconds=backoff_seconds(row.attempts))
        return "retry"
    row.attempts += 1
    row.status, row.sent_at, row.transport = OutboxStatus.SENT, clock.now(), transport.name
    row.last_error = None
    return "sent"


def status_counts(channel=None):
    query = select(Outbox.status, func.count(Outbox.id)).group_by(Outbox.status)
    if channel is not None:
        query = query.where(Outbox.channel == channel)
    return dict(db.session.execute(query).all())
