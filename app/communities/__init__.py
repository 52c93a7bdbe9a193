from .scoping import community_blueprint

bp = community_blueprint("communities", __name__)

from . import routes  # noqa: E402,F401


def init_app(app):
    app.register_blueprint(bp)
