"""The email outbox: queued in the transaction, sent only after the commit, retried with backoff."""

import logging
import smtplib
from datetime import timedelta

import pytest
from freezegun import freeze_time
from sqlalchemy import select

from app.core.clock import utcnow
from app.core.i18n import N_
from app.extensions import db
from app.notifications import outbox
from app.notifications.models import Outbox, OutboxStatus
from app.notifications.services import notify

MESSAGE = N_("“%(title)s” is closed.")


class FakeSMTP:
    """Stands in for smtplib.SMTP: records messages, or fails as many times as told."""

    sent = []
    failures = 0
    instances = 0

    def __init__(self, host, port, timeout=None):
        FakeSMTP.instances += 1
        self.host, self.port = host, port

    def starttls(self):
        pass

    def login(self, user, password):
        pass

    def send_message(self, message):
        if FakeSMTP.failures:
            FakeSMTP.failures -= 1
            raise smtplib.SMTPServerDisconnected("connection lost")
        FakeSMTP.sent.append(message)

    def quit(self):
        pass


@pytest.fixture
def smtp(app, monkeypatch):
    FakeSMTP.sent, FakeSMTP.failures, FakeSMTP.instances = [], 0, 0
    monkeypatch.setattr(smtplib, "SMTP", FakeSMTP)
    app.config.update(MAIL_SERVER="smtp.example.org", MAIL_PORT=587, MAIL_FROM="weiyi@example.org")
    return FakeSMTP


@pytest.fixture
def people(app, make):
    zh = make.user(username="zh")
    zh.email = "zh@example.org"
    en = make.user(username="en")
    en.email, en.locale = "en@example.org", "en"
    none = make.user(username="noemail")
    db.session.commit()
    return zh, en, none


def rows():
    db.session.expire_all()
    return db.session.scalars(select(Outbox).order_by(Outbox.id)).all()


def test_backoff_grows_and_is_capped():
    assert [outbox.backoff_seconds(n) for n in (1, 2, 3, 4)] == [60, 120, 240, 480]
    assert outbox.backoff_seconds(20) == 6 * 3600


def test_nothing_is_sent_before_the_commit(smtp, people):
    notify(people, MESSAGE, "/c/x/matters/1", title="坡道")
    db.session.flush()
    assert [r.status for r in rows()] == ["pending", "pending"]  # no row for the user without an address
    assert smtp.sent == []
    db.session.commit()
    assert [r.status for r in rows()] == ["sent", "sent"]
    assert [m["To"] for m in smtp.sent] == ["zh@example.org", "en@example.org"]
    assert smtp.instances == 1  # one connection for the batch


def test_rollback_sends_nothing(smtp, people):
    notify(people, MESSAGE, "/c/x/matters/1", title="坡道")
    db.session.flush()
    db.session.rollback()
    db.session.commit()
    assert rows() == [] and smtp.sent == []


def test_rendered_in_the_recipients_language(smtp, people, app):
    app.config["PUBLIC_BASE_URL"] = "https://weiyi.example.org"
    notify(people[:2], MESSAGE, "/c/x/matters/1", title="坡道")
    db.session.commit()
    zh, en = smtp.sent
    assert zh["Subject"] == "微议：“坡道”已结项。" or "“坡道”" in zh["Subject"]
    assert "https://weiyi.example.org/c/x/matters/1" in zh.get_content()
    assert en["Subject"].startswith("Weiyi: ") and "is closed" in en["Subject"]
    assert en["From"] == "weiyi@example.org"


def test_failure_is_retried_with_backoff_then_given_up(smtp, people, app, runner_app=None):
    smtp.failures = 100
    notify(people[:1], MESSAGE, "/c/x/matters/1", title="坡道")
    db.session.commit()
    (row,) = rows()
    assert row.status == OutboxStatus.RETRYING and row.attempts == 1
    assert "connection lost" in row.last_error
    first_retry = row.next_attempt_at
    assert timedelta(seconds=55) < first_retry - utcnow() <= timedelta(seconds=60)
    # Not due yet: the sender leaves it alone.
    assert outbox.deliver() == {"sent": 0, "retry": 0, "failed": 0, "skipped": 0}
    for attempt in range(2, outbox.MAX_ATTEMPTS + 1):
        with freeze_time(rows()[0].next_attempt_at + timedelta(seconds=1)):
            outbox.deliver()
        (row,) = rows()
        assert row.attempts == attempt
    assert row.status == OutboxStatus.FAILED
    assert smtp.sent == []


def test_retry_succeeds_later(smtp, people):
    smtp.failures = 1
    notify(people[:1], MESSAGE, "/c/x/matters/1", title="坡道")
    db.session.commit()
    with freeze_time(rows()[0].next_attempt_at):
        assert outbox.deliver() == {"sent": 1, "retry": 0, "failed": 0, "skipped": 0}
    (row,) = rows()
    assert row.status == "sent" and row.attempts == 2 and row.last_error is None and row.transport == "smtp"
    assert len(smtp.sent) == 1


def test_without_mail_server_it_is_logged(people, caplog):
    with caplog.at_level(logging.INFO, logger="weiyi.mail"):
        notify(people[:1], MESSAGE, "/c/x/matters/1", title="坡道")
        db.session.commit()
    assert "zh@example.org" in caplog.text and "坡道" in caplog.text
    (row,) = rows()
    assert row.status == "sent" and row.transport == "log"


def test_cli_drains_the_queue(smtp, people, app):
    app.config["OUTBOX_SEND_ON_COMMIT"] = False
    notify(people, MESSAGE, "/c/x/matters/1", title="坡道")
    db.session.commit()
    assert [r.status for r in rows()] == ["pending", "pending"]
    result = app.test_cli_runner().invoke(args=["outbox", "send"])
    assert result.exit_code == 0, result.output
    assert "sent 2" in result.output
    assert [r.status for r in rows()] == ["sent", "sent"]
    status = app.test_cli_runner().invoke(args=["outbox", "status"])
    assert "sent: 2" in status.output


def test_a_claimed_message_is_not_sent_twice(smtp, people, app):
    app.config["OUTBOX_SEND_ON_COMMIT"] = False
    notify(people[:1], MESSAGE, "/c/x/matters/1", title="坡道")
    db.session.commit()
    (row,) = rows()
    row.status, row.claimed_at = OutboxStatus.SENDING, utcnow()  # another sender is on it
    db.session.commit()
    assert outbox.deliver() == {"sent": 0, "retry": 0, "failed": 0, "skipped": 0}
    assert outbox.reclaim_stale() == 0
    with freeze_time(utcnow() + timedelta(minutes=11)):  # that sender died
        assert outbox.reclaim_stale() == 1
        assert outbox.deliver()["sent"] == 1


def test_a_broken_transport_never_breaks_the_commit(people, app, monkeypatch):
    def explode(*args, **kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr(outbox, "deliver", explode)
    notify(people[:1], MESSAGE, "/c/x/matters/1", title="坡道")
    db.session.commit()  # no exception
    assert rows()[0].status == "pending"
