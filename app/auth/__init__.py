from flask import Blueprint
from flask_babel import lazy_gettext as _l

from app.extensions import login_manager

bp = Blueprint("auth", __name__, url_prefix="/auth")
login_manager.login_view = "auth.login"
login_manager.login_message = _l("Please log in first.")
login_manager.login_message_category = "info"

from . import routes  # noqa: E402,F401
