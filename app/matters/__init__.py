"""Micro-matters (民生微实事): proposals, supports, comments, and the one lifecycle they travel
(lifecycle.py) with the extension points other features plug into (hooks.py)."""

from app.communities.scoping import community_blueprint

bp = community_blueprint("matters", __name__, "/matters")

from . import comment_routes, list_routes, proposal_routes, routes  # noqa: E402,F401


def init_app(app):
    from app.core.i18n import label_param
    from app.notifications.cli import add_chore

    from .cli import matters_cli
    from .lifecycle import status_label
    from .services.photos import forget_expired_photos

    app.register_blueprint(bp)
    app.cli.add_command(matters_cli)
    add_chore(forget_expired_photos)
    label_param("status", status_label)  # notifications store a status, shown in the reader's language
