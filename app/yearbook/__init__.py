"""The yearly record (台账 / 年度报告): per community (/c/<slug>/yearbook/) and per street
(/street/<slug>/yearbook/), for a chosen year, a printable A4 report with the audit head, the same
data as a zip of CSV files, and every figure compared with the previous year. Generated from the
records on every request, never typed or stored."""

from flask import Blueprint

from app.communities.scoping import community_blueprint

bp = community_blueprint("yearbook", __name__, "/yearbook")
street_bp = Blueprint("street_yearbook", __name__, url_prefix="/street/<slug>/yearbook")

from . import routes  # noqa: E402,F401


def init_app(app):
    app.register_blueprint(bp)
    app.register_blueprint(street_bp)
