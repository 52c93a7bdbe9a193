from flask import Blueprint

bp = Blueprint("notifications", __name__, url_prefix="/inbox")

from . import routes  # noqa: E402,F401
