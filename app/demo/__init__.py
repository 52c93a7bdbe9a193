"""`flask --app wsgi demo`: a realistic demo community, loaded once (idempotent)."""
import os

import click
from flask.cli import with_appcontext
from sqlalchemy import select

from app.communities.models import Community
from app.matters import demo as matters_demo

from . import core

DEMO_SLUG = core.DEMO_SLUG

# Each feature adds its part in order; later steps build on earlier ones.
STEPS = [core.load, matters_demo.load]

# matters -> councils -> voting -> tracker -> publishing
from app.councils import demo as councils_demo  # noqa: E402

STEPS.append(councils_demo.load)  # councils: after the matters step, before voting
from app.voting import demo as voting_demo  # noqa: E402

STEPS.append(voting_demo.load)  # voting: after the councils step, before the tracker
from app.tracker import demo as tracker_demo  # noqa: E402

STEPS.append(tracker_demo.load)  # tracker: after the voting step
from app.publishing import demo as publishing_demo  # noqa: E402

STEPS.append(publishing_demo.load)  # publishing: last, notices of what the steps above created


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
