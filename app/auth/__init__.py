from flask import Blueprint
from flask_babel import lazy_gettext as _l

from app.extensions import login_manager

bp = Blueprint("auth", __name__, url_prefix="/auth")

from . import routes  # noqa: E402,F401


def init_app(app):
    from .cli import create_admin
    from .models import load_user

    login_manager.user_loader(load_user)
    login_manager.login_view = "auth.login"
    login_manager.login_message = _l("Please log in first.")
    login_manager.login_message_category = "info"
    app.register_blueprint(bp)
    app.cli.add_command(create_admin)
