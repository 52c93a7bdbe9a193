from flask import Blueprint

bp = Blueprint("admin", __name__, url_prefix="/admin")

from . import routes  # noqa: E402,F401


def init_app(app):
    app.register_blueprint(bp)
