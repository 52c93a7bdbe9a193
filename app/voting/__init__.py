"""Resident voting rounds and participatory budgeting: ballots with receipts, paper ballots,
households, results with a plain-language explanation, and a count anyone can reproduce."""

from app.communities.scoping import community_blueprint

bp = community_blueprint("voting", __name__)

from . import print_routes, routes  # noqa: E402,F401


def init_app(app):
    from app.matters import hooks
    from app.notifications import reminders as notification_reminders

    from . import reminders
    from .cli import tally_cli
    from .hooks import round_panel

    app.register_blueprint(bp)
    app.cli.add_command(tally_cli)
    hooks.add_panel(round_panel, order=30)
    notification_reminders.add_finder(reminders.due_reminders)  # 24 hours before a round closes
