"""`flask --app wsgi demo`: a realistic demo community, loaded once (idempotent)."""

import os
from contextlib import contextmanager

import click
from flask.cli import with_appcontext
from sqlalchemy import select

from app.attachments import demo as attachments_demo
from app.committee_items import demo as committee_items_demo
from app.communities.models import Community
from app.conventions import demo as conventions_demo
from app.council_terms import demo as council_terms_demo
from app.councils import demo as councils_demo
from app.extensions import db
from app.fund import demo as fund_demo
from app.matters import demo as matters_demo
from app.moderation import demo as moderation_demo
from app.notifications import demo as notifications_demo
from app.onbehalf import demo as onbehalf_demo
from app.partners import demo as partners_demo
from app.proxies import demo as proxies_demo
from app.publishing import demo as publishing_demo
from app.register import demo as register_demo
from app.streets import demo as streets_demo
from app.tracker import demo as tracker_demo
from app.voting import demo as voting_demo

from . import core

DEMO_SLUG = core.DEMO_SLUG

# Each feature adds its part in order; later steps build on earlier ones: the councils' meetings
# before the voting rounds, the tracker after both, publishing last (notices of what the steps made).
# The fund's sources come first, so that every approval the steps make is checked against them.
STEPS = [
    core.load,
    notifications_demo.load,  # before anything notifies: the residents' preferences apply from the start
    matters_demo.load,
    fund_demo.load,
    councils_demo.load,
    voting_demo.load,
    tracker_demo.load,
    onbehalf_demo.load,  # after the tracker: a rating window to rate in
    partners_demo.load,
    publishing_demo.load,
    conventions_demo.load,
    committee_items_demo.load,
    attachments_demo.load,
    moderation_demo.load,
    streets_demo.load,
    register_demo.load,
    council_terms_demo.load,
    proxies_demo.load,
]


@contextmanager
def rows_kept():
    """While the demo loads: its steps' services commit after each click and nobody else writes
    meanwhile, so the session keeps the rows it has loaded instead of loading every resident,
    matter and meeting again after each of those thousand commits (a fifth of the time)."""
    session = db.session()
    expire_on_commit, session.expire_on_commit = session.expire_on_commit, False
    try:
        yield
    finally:
        session.expire_on_commit = expire_on_commit


@click.command("demo")
@with_appcontext
def demo():
    """Load the demo community and print the demo logins."""
    password = os.environ.get("DEMO_PASSWORD", "weiyi-demo")
    if db.session.scalar(select(Community.id).where(Community.slug == DEMO_SLUG)):
        click.echo("The demo community is already loaded; nothing to do.")
    else:
        context = {"password": password}
        with rows_kept():
            for step in STEPS:
                step(context)
            db.session.commit()
        click.echo("Demo loaded.")
    click.echo(
        f"Logins (password: {password}): admin, committee, chair, council1..council8, resident1..resident300,\n"
        "grid1 (grid worker: entries on behalf of residents), street (street staff of 双塔街道: /street/shuangta/)\n"
        f"Community: /c/{DEMO_SLUG}/"
    )


def init_app(app):
    app.cli.add_command(demo)
