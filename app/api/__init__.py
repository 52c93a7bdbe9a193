"""The read-only open data API under /api/v1/, its OpenAPI document and its documentation page."""

from flask import Blueprint

bp = Blueprint("api", __name__, url_prefix="/api/v1")

from . import attachments, committee_items, conventions, fund, partners, routes  # noqa: E402,F401


def init_app(app):
    app.register_blueprint(bp)
