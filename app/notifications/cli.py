"""`flask --app wsgi outbox send`: send queued email now (retries included)."""

import click
from flask.cli import AppGroup

from . import outbox

outbox_cli = AppGroup("outbox", help="Queued email notifications.")


@outbox_cli.command("send")
@click.option("--limit", default=1000, show_default=True, help="At most this many messages in one run.")
def send_command(limit):
    """Send every message that is due (new ones and retries whose delay has passed)."""
    reclaimed = outbox.reclaim_stale()
    counts = outbox.deliver(limit=limit)
    click.echo(
        f"sent {counts['sent']}, will retry {counts['retry']}, gave up {counts['failed']}"
        + (f", reclaimed {reclaimed} stuck" if reclaimed else "")
    )
    pending = outbox.status_counts().get("pending", 0)
    click.echo(f"still queued: {pending}")


@outbox_cli.command("status")
def status_command():
    """How many messages are queued, sent and failed."""
    counts = outbox.status_counts()
    for status in ("pending", "sending", "sent", "failed"):
        click.echo(f"{status}: {counts.get(status, 0)}")
