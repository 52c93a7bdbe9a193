"""The resident council (议事会): review, the agenda list (议事清单), meetings run under the
consultation rules, and minutes."""

from app.communities.scoping import community_blueprint

bp = community_blueprint("councils", __name__)

from . import meeting_routes, print_routes, routes  # noqa: E402,F401


def init_app(app):
    from app.matters import hooks, lifecycle
    from app.notifications import reminders as notification_reminders

    from . import reminders, review

    app.register_blueprint(bp)
    lifecycle.matter_transitioned.connect(review.on_transition, weak=False)
    hooks.add_panel(routes.matter_panel, order=10)
    notification_reminders.add_finder(reminders.due_reminders)  # the day before a meeting
