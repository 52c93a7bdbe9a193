"""`flask --app wsgi demo`: a realistic demo community, loaded once (idempotent)."""
import os

import click
from flask.cli import with_appcontext
from sqlalchemy import select

from app.communities.models import Community

from . import core

DEMO_SLUG = core.DEMO_SLUG

# Each feature adds its part in order; later steps build on earlier ones.
STEPS = [core.load]


@click.command("demo")
@with_appcontext
def demo():
    """Load the demo community and print the demo logins."""
    from app.extensions import db

    password = os.environ.get("DEMO_PASSWORD", "weiyi-demo")
    if db.session.scalar(select(Community.id).where(Community.slug == DEMO_SLUG)):
        click.echo("The demo community is already loaded; nothing to do.")
    else:
        context = {"password": password}
        for step in STEPS:
            step(context)
        db.session.commit()
        click.echo("Demo loaded.")
    click.echo(
        f"Logins (password: {password}): admin, committee, chair, council1..council8, resident1..resident300\n"
        f"Community: /c/{DEMO_SLUG}/"
    )
