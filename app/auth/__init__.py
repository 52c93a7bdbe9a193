from flask import Blueprint
from flask_babel import lazy_gettext as _l

from app.extensions import login_manager

bp = Blueprint("auth", __name__, url_prefix="/auth")

from . import recovery_routes, routes  # noqa: E402,F401


def init_app(app):
    from .cli import create_admin
    from .models import load_user
    from .permissions import can_issue_reset_code

    login_manager.user_loader(load_user)
    login_manager.login_view = "auth.login"
    login_manager.login_message = _l("Please log in first.")
    login_manager.login_message_category = "info"
    app.register_blueprint(bp)
    app.register_blueprint(recovery_routes.code_bp)
    app.add_template_global(can_issue_reset_code)
    app.cli.add_command(create_admin)
