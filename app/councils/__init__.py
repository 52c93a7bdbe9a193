"""The resident council (议事会): review, the agenda list (议事清单), meetings run under the
consultation rules, and minutes."""

from app.communities.scoping import community_blueprint

bp = community_blueprint("councils", __name__)

from . import meeting_routes, minutes_routes, motion_routes, print_routes, routes  # noqa: E402,F401


def init_app(app):
    from app.communities.pending import add_queue
    from app.matters import hooks, lifecycle
    from app.notifications import reminders as notification_reminders
    from app.notifications.cli import add_chore

    from . import pending, reminders, review, speakers

    app.register_blueprint(bp)
    lifecycle.matter_transitioned.connect(review.on_transition, weak=False)
    hooks.add_panel(routes.matter_panel, order=10)
    add_queue(pending.matters_to_review, order=20)  # on the committee's home
    notification_reminders.add_finder(reminders.due_reminders)  # the day before a meeting
    add_chore(speakers.end_turns_at_limit)  # pages show a turn over at its limit; the worker stores it
