import click
from flask.cli import with_appcontext

from app.audit.services import record
from app.extensions import db

from .models import User
from .services import find_user


@click.command("create-admin")
@click.option("--username", prompt=True)
@click.option("--display-name", default="管理员")
@click.password_option()
@with_appcontext
def create_admin(username, display_name, password):
    """Create a site-wide admin (or make an existing account admin)."""
    user = find_user(username)
    if user is None:
        user = User(username=username, display_name=display_name)
        user.set_password(password)
        db.session.add(user)
    user.is_admin = True
    record("user.made_admin", user)
    db.session.commit()
    click.echo(f"{username} is an admin.")
