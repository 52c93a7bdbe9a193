import click
from flask.cli import with_appcontext

from app.audit.services import record
from app.core.errors import FieldError
from app.core.text import clean_display_name
from app.extensions import db

from .models import User
from .services import find_user, set_new_password


@click.command("create-admin")
@click.option("--username", prompt=True)
@click.option("--display-name", default="管理员")
@click.password_option()
@with_appcontext
def create_admin(username, display_name, password):
    """Create a site-wide admin (or make an existing account admin)."""
    try:
        display_name = clean_display_name(display_name)
    except FieldError as error:
        raise click.BadParameter(str(error.message), param_hint="--display-name") from None
    user = find_user(username)
    if user is None:
        user = User(username=username, display_name=display_name)
        try:
            set_new_password(user, password)
        except FieldError as error:
            raise click.BadParameter(str(error.message), param_hint="--password") from None
        db.session.add(user)
    user.is_admin = True
    record("user.made_admin", user)
    db.session.commit()
    click.echo(f"{username} is an admin.")
