"""Resident voting rounds and participatory budgeting: ballots with receipts, paper ballots,
households, results with a plain-language explanation, and a count anyone can reproduce."""

from app.communities.scoping import community_blueprint

bp = community_blueprint("voting", __name__)

from . import ballot_routes, household_routes, paper_routes, print_routes, result_routes, routes  # noqa: E402,F401


def init_app(app):
    from app.communities.pending import add_queue
    from app.matters import hooks
    from app.notifications import reminders as notification_reminders
    from app.notifications.cli import add_chore

    from . import count_jobs, option_kinds, pending, reminders, results
    from .cli import tally_cli
    from .hooks import round_panel

    app.register_blueprint(bp)
    app.add_template_global(option_kinds.option_url)  # an option's page: a matter's, or a plugged-in kind's
    app.add_template_global(results.not_funded_in_a_round)  # the status badge of a matter a round did not fund
    app.cli.add_command(tally_cli)
    hooks.add_panel(round_panel, order=30)
    add_queue(pending.tally_sheets_to_confirm, order=50)  # on the committee's home
    notification_reminders.add_finder(reminders.due_reminders)  # 24 hours before a round closes
    add_chore(count_jobs.run_due)  # large rounds the committee asked to count, off the web request
