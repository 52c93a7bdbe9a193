"""The 民生微实事 fund of each community, year by year: sources, commitments on approval,
payments from the tracker's spending, releases on acceptance, and a ledger everyone can read.

init_app follows the micro-matters (approval, acceptance) and the tracker's spending, refuses an
approval that would overdraw the year's fund, and gives a new voting round its budget."""

from app.communities.scoping import community_blueprint

bp = community_blueprint("fund", __name__, url_prefix="/fund")

from . import routes  # noqa: E402,F401


def init_app(app):
    from app.matters import lifecycle
    from app.tracker import delivery
    from app.voting import hooks as voting_hooks

    from . import matter_entries, services

    app.register_blueprint(bp)
    lifecycle.matter_transitioned.connect(matter_entries.on_transition, weak=False)
    lifecycle.add_guard(matter_entries.fund_guard)
    delivery.spending_recorded.connect(matter_entries.on_spending, weak=False)
    voting_hooks.add_budget_default(services.available_balance)
