"""Attachments (quotes, drawings, documents) on micro-matters and on the committee's agenda items:
checked by content, stored outside the web root, served through the app."""

from app.communities.scoping import community_blueprint

bp = community_blueprint("attachments", __name__, url_prefix="/attachments")

from . import routes  # noqa: E402,F401


def init_app(app):
    app.register_blueprint(bp)
    app.add_template_global(routes.attachments_panel, "attachments_panel")
