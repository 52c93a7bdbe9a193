from .scoping import community_blueprint

bp = community_blueprint("communities", __name__)

from . import routes, settings_routes  # noqa: E402,F401


def init_app(app):
    from .badges import official_badge
    from .pending import add_queue, join_requests

    app.register_blueprint(bp)
    app.add_template_global(official_badge)
    add_queue(join_requests, order=10)  # the committee's pending work on the home
