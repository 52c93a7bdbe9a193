"""Publishing results: notices (公示) with objection periods, printable pages with QR codes,
the public results overview and the Atom feed of each community.

init_app adds the objection guards and what a notice can publish from each feature (source_*)."""

from app.communities.scoping import community_blueprint

bp = community_blueprint("publishing", __name__)

from . import routes  # noqa: E402,F401


def init_app(app):
    from app.communities.pending import add_queue
    from app.matters import lifecycle

    from . import objections, pending, source_councils, source_tracker, source_voting, sources

    app.register_blueprint(bp)
    lifecycle.add_guard(objections.objections_hold_the_matter)
    lifecycle.add_guard(objections.objection_period_holds_the_work)
    add_queue(pending.unanswered_objections, order=30)  # on the committee's home
    for source in (source_councils, source_tracker, source_voting):
        sources.register(source.SOURCE)
