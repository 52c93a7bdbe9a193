"""The community's resident register (户籍/居住登记): imported by the committee, kept private to it,
matched against join requests, and the source of the households of one-ballot-per-household rounds."""

from app.communities.scoping import community_blueprint

bp = community_blueprint("register", __name__, url_prefix="/register")

from . import routes  # noqa: E402,F401


def init_app(app):
    from app.communities import services as communities

    from . import services

    app.register_blueprint(bp)
    app.add_template_global(routes.register_match, "register_match")
    communities.membership_verified.connect(services.place_in_household, weak=False)
