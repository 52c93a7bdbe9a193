"""Outcome-feedback tracker (协商成果落实反馈): implementation records, the residents' verdict,
the public timeline of a micro-matter and the dashboards."""
from flask import Blueprint

from app.communities.scoping import community_blueprint

bp = community_blueprint("tracker", __name__)
admin_bp = Blueprint("tracker_admin", __name__, url_prefix="/admin/dashboard")

from . import admin_routes, hooks, routes  # noqa: E402,F401  (hooks connects the approval signal)
