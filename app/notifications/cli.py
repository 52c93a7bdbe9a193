"""The worker: `flask --app wsgi outbox work` runs beside the web server (as `make run` does) and,
every minute, sends the reminders and digests that are due and then everything queued, on every
channel (e-mail, SMS, WeCom group posts; retries included). `outbox send` and `notifications remind`
do one round each, for a timer instead of a resident process."""

import logging
import time

import click
from flask.cli import AppGroup

from app.extensions import db

from . import outbox, reminders
from .models import OutboxChannel, OutboxStatus

log = logging.getLogger("weiyi.worker")

outbox_cli = AppGroup("outbox", help="Queued notifications: e-mail, SMS and WeCom group posts.")

STATUSES = ("pending", "sending", "retrying", "sent", "failed", "skipped")
_CHORES: list = []


def add_chore(chore):
    """Housekeeping a feature above runs with every round of the worker (matters: forgetting the
    photos kept for forms nobody came back to); `chore()` -> how many things it did. Registered once."""
    if chore not in _CHORES:
        _CHORES.append(chore)


@outbox_cli.command("send")
@click.option("--limit", default=1000, show_default=True, help="At most this many messages in one run.")
def send_command(limit):
    """Send every message that is due (new ones and retries whose delay has passed)."""
    reclaimed = outbox.reclaim_stale()
    counts = outbox.deliver(limit=limit)
    click.echo(
        f"sent {counts['sent']}, will retry {counts['retry']}, gave up {counts['failed']}, "
        f"skipped {counts['skipped']}" + (f", reclaimed {reclaimed} stuck" if reclaimed else "")
    )
    waiting = outbox.status_counts()
    click.echo(f"still queued: {sum(waiting.get(status, 0) for status in OutboxStatus.DUE)}")


@outbox_cli.command("work")
@click.option("--every", default=60, show_default=True, help="Seconds between two rounds.")
@click.option("--rounds", default=0, help="Stop after this many rounds (0: run until stopped).")
def work_command(every, rounds):
    """Reminders, digests and delivery, round after round; nothing leaves inside a web request."""
    done = 0
    while True:
        reminded, digests = reminders.send_reminders(), reminders.send_digests()
        for chore in _CHORES:
            try:
                chore()
            except Exception:  # one feature's failing chore must not stop the deliveries
                db.session.rollback()
                log.exception("chore %s failed", getattr(chore, "__qualname__", chore))
        outbox.reclaim_stale()
        counts = outbox.deliver()
        click.echo(f"reminders {reminded}, digests {digests}, sent {counts['sent']}, will retry {counts['retry']}")
        done += 1
        if rounds and done >= rounds:
            return
        time.sleep(every)


@outbox_cli.command("status")
def status_command():
    """How many messages are queued, sent, failed and skipped, in all and per channel."""
    counts = outbox.status_counts()
    for status in STATUSES:
        click.echo(f"{status}: {counts.get(status, 0)}")
    for channel in (OutboxChannel.EMAIL, OutboxChannel.SMS, OutboxChannel.WECOM):
        per_channel = outbox.status_counts(channel)
        click.echo(f"{channel}: " + ", ".join(f"{status} {per_channel.get(status, 0)}" for status in STATUSES))


notifications_cli = AppGroup("notifications", help="Reminders and daily digests.")


@notifications_cli.command("remind")
def remind_command():
    """Send the reminders that are due and the daily digests (each once; run it every few minutes)."""
    click.echo(f"reminders sent {reminders.send_reminders()}, digests sent {reminders.send_digests()}")
