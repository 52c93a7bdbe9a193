"""The street office (街道): streets group communities; street staff watch them side by side.

A site admin creates streets, assigns communities and grants street staff (/admin/streets/).
Street staff see the street's dashboard for a year (/street/<slug>/), its exception lists with
links to where each is fixed, CSV of every table, and leave public notes on exceptions, which the
community's own dashboard shows too."""

from flask import Blueprint

bp = Blueprint("streets", __name__, url_prefix="/street")
admin_bp = Blueprint("street_admin", __name__, url_prefix="/admin/streets")

from . import admin_routes, permissions, routes  # noqa: E402,F401


def init_app(app):
    from app.tracker import hooks as tracker_hooks

    app.register_blueprint(bp)
    app.register_blueprint(admin_bp)
    app.add_template_global(permissions.menu_streets, "menu_streets")
    tracker_hooks.add_dashboard_panel(routes.community_notes_panel)
