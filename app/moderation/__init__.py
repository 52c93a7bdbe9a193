"""Moderation: residents flag a micro-matter or a comment, the committee works through the queue,
and may block a resident from posting for a period, with a reason the resident sees."""

from app.communities.scoping import community_blueprint

bp = community_blueprint("moderation", __name__)

from . import routes  # noqa: E402,F401


def init_app(app):
    app.register_blueprint(bp)
    app.add_template_global(routes.posting_block_notice, "posting_block_notice")
    app.add_template_global(routes.matter_moderation, "matter_moderation")
