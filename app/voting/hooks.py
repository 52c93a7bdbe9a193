"""The round panel on a micro-matter's page (added by app.voting.init_app)."""

from flask import render_template


def round_panel(matter, user):
    from .models import ROUND_STATE_LABELS
    from .rounds import round_for_matter

    voting_round = round_for_matter(matter)
    if voting_round is None:
        return None
    option = next((o for o in voting_round.options if o.matter_id == matter.id), None)
    return render_template(
        "voting/_matter_panel.html",
        round=voting_round,
        option=option,
        state=voting_round.state(),
        state_labels=ROUND_STATE_LABELS,
    )
