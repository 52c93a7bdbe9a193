"""Micro-matters (民生微实事): proposals, supports, comments, and the one lifecycle they travel
(lifecycle.py) with the extension points other features plug into (hooks.py)."""

from app.communities.scoping import community_blueprint

bp = community_blueprint("matters", __name__, "/matters")

from . import routes  # noqa: E402,F401


def init_app(app):
    from app.core.i18n import label_param

    from .lifecycle import status_label

    app.register_blueprint(bp)
    label_param("status", status_label)  # notifications store a status, shown in the reader's language
