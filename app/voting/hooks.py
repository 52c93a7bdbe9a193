"""The round panel on a micro-matter's page (added by app.voting.init_app), and the extension point
for a new round's budget."""

from collections.abc import Callable

from flask import render_template

from app.matters.lifecycle import BEFORE_REVIEW

# The budget a new round's form starts with. A feature that keeps the money (the fund) adds a
# function community -> yuan, or None when it has no figure; without one, the annual budget.
BUDGET_DEFAULTS: list[Callable] = []


def add_budget_default(func):
    if func not in BUDGET_DEFAULTS:
        BUDGET_DEFAULTS.append(func)


def default_budget(community):
    for func in BUDGET_DEFAULTS:
        value = func(community)
        if value is not None:
            return value
    return community.annual_budget or None


def round_panel(matter, user):
    from .models import RoundState
    from .rounds import round_for_matter

    if matter.status in BEFORE_REVIEW:  # never on a ballot yet: no query
        return None
    voting_round = round_for_matter(matter)
    if voting_round is None:
        return None
    option = next((o for o in voting_round.options if o.matter_id == matter.id), None)
    return render_template(
        "voting/_matter_panel.html",
        round=voting_round,
        option=option,
        state=voting_round.state(),
        state_labels=RoundState.labels(),
    )
