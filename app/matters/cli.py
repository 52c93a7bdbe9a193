"""`flask --app wsgi matters forget-photos`: remove the photos kept for proposal forms that nobody
came back to. The outbox worker does the same every round; this is for a timer instead of it."""

import click
from flask.cli import AppGroup

from .services.photos import forget_expired_photos

matters_cli = AppGroup("matters", help="Micro-matters: housekeeping.")


@matters_cli.command("forget-photos")
def forget_photos_command():
    """Remove the expired photos kept for proposal forms."""
    click.echo(f"forgot {forget_expired_photos()} kept photos")
