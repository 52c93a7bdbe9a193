"""Council membership: terms of office, substitutes (候补) who step in when a member leaves, and
each member's attendance over a year; the public list of the council and the committee's forms."""

from app.communities.scoping import community_blueprint

bp = community_blueprint("council_terms", __name__, url_prefix="/council")

from . import routes  # noqa: E402,F401


def init_app(app):
    from app.communities import services as communities

    from . import services

    app.register_blueprint(bp)
    communities.council_seat_left.connect(services.on_council_seat_left, weak=False)
