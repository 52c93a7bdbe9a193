"""The front page: every community, with its headline figures (publishing's cards)."""

from flask import Blueprint

bp = Blueprint("front", __name__)

from . import routes  # noqa: E402,F401


def init_app(app):
    app.register_blueprint(bp)
