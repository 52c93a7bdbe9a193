"""Pages of the voting rounds: the list of a community's rounds and the committee's form that
opens one, with what every page of a round shows (labels() for templates, community_round()).

The other pages, on the same blueprint: casting and receipts ballot_routes.py, paper ballots
paper_routes.py, the count, results and published files result_routes.py, households
household_routes.py, the printed paper ballot print_routes.py."""

from datetime import timedelta

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from app.communities.scoping import current_community, permitted_community
from app.core import clock
from app.core.errors import DomainError
from app.core.forms import fields_of
from app.core.params import parse_id
from app.rules.phrases import RESIDENT_BASE_NOUNS, RESIDENT_MAJORITY_SENTENCES

from . import bp, hooks, permissions, receipts, rounds
from .forms import RoundForm
from .models import Allocation, Channel, Method, RoundState


def method_text(voting_round):
    """The round's method in words, with its own number of choices for an approval round."""
    if voting_round.method == Method.APPROVAL and voting_round.max_choices:
        return _("Approval: choose up to %(k)s projects", k=voting_round.max_choices)
    return _(Method.labels()[voting_round.method])


def labels():
    """What every page of a round shows in words: its method, allocation, state, channels, rules."""
    return {
        "method_text": method_text,
        "method_labels": Method.labels(),
        "allocation_labels": Allocation.labels(),
        "state_labels": RoundState.labels(),
        "channel_labels": Channel.labels(),
        "resident_majority": RESIDENT_MAJORITY_SENTENCES,
        "resident_base": RESIDENT_BASE_NOUNS,
        "format_receipt": receipts.format_code,
    }


def community_round(round_id):
    """The current community's round with this id, or 404."""
    return rounds.get_round(current_community(), round_id)


@bp.get("/rounds/")
def index():
    community = current_community()
    return render_template(
        "voting/index.html",
        community=community,
        rounds=rounds.list_rounds(community),
        can_manage=permissions.can_manage_rounds(current_user, community),
        now=clock.now(),
        **labels(),
    )


# --- opening ---------------------------------------------------------------------------------


def _local(dt):
    return clock.to_local(dt).replace(second=0, microsecond=0)


def _parse_cost(text):
    text = (text or "").strip().replace(",", "").replace("，", "").replace("¥", "").replace("元", "")
    return int(text) if text.isascii() and text.isdigit() and len(text) <= 12 else None


@bp.route("/rounds/new", methods=["GET", "POST"])
@login_required
def new():
    community = permitted_community(permissions.can_manage_rounds, _("Only the committee can open a voting round."))
    matters = rounds.candidate_matters(community)
    form = RoundForm()
    if request.method == "GET":
        now = clock.now()
        form.budget.data = hooks.default_budget(community)
        form.opens_at.data = _local(now)
        form.closes_at.data = _local(now + timedelta(days=7))
        form.method.data = Method.KNAPSACK
        form.allocation.data = Allocation.MES
        form.max_choices.data = 3
    chosen = request.form.getlist("option")
    costs = {m.id: request.form.get(f"cost-{m.id}", str(m.estimated_cost)) for m in matters}
    option_errors = []
    status = 200
    if form.validate_on_submit():
        known = {str(m.id): m for m in matters}
        options = []
        for value in chosen:
            matter = known.get(value)
            if matter is None:  # not on this page's list: the service refuses it with a message
                options.append((parse_id(value) or 0, 1))
                continue
            cost = _parse_cost(costs[matter.id])
            if cost is None:
                option_errors.append(_("The cost of “%(title)s” must be a whole number of yuan.", title=matter.title))
            options.append((matter.id, cost))
        if not option_errors:
            try:
                voting_round = rounds.open_round(
                    current_user,
                    community,
                    **fields_of(
                        form, "title", "method", "allocation", "max_choices", "budget", "per_household", "allow_changes"
                    ),
                    description=form.description.data or "",
                    opens_at=clock.to_utc(form.opens_at.data),
                    closes_at=clock.to_utc(form.closes_at.data),
                    options=options,
                )
            except DomainError as error:
                option_errors.append(error.message)
            else:
                flash(_("The round is open: %(title)s", title=voting_round.title), "success")
                return redirect(url_for("voting.ballot", round_id=voting_round.id))
        status = 400
    elif request.method == "POST":
        status = 400
    return render_template(
        "voting/new.html",
        community=community,
        form=form,
        matters=matters,
        chosen=set(chosen),
        costs=costs,
        option_errors=option_errors,
        **labels(),
    ), status
