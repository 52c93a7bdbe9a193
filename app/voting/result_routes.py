"""Pages of the count and the results: counting a round, its results page (with "where my
ballot went"), the published ballots and the files anyone can recount from."""

from flask import Response, flash, make_response, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import select
from sqlalchemy.orm import joinedload, selectinload

from app.communities.scoping import current_community
from app.core import shared_body
from app.core.errors import DomainError, refuse
from app.core.params import page_arg, parse_id
from app.extensions import db

from . import bp, casting, count_jobs, counting, downloads, in_person, paper, permissions
from .forms import CountForm, ShareForm
from .models import Allocation, Method, VotingRound
from .results import results_table_csv, results_view, share_of
from .routes import community_round, labels

BALLOTS_PER_PAGE = 200


@bp.post("/rounds/<int:round_id>/count")
@login_required
def count(round_id):
    """Counting is final: the form carries a tick box (app/core/forms.confirm_field); without it
    the page comes back with the reason and nothing is counted."""
    voting_round = community_round(round_id)
    form = CountForm()
    if not form.validate_on_submit():
        if "csrf_token" in form.errors:
            refuse(400, _("The form expired. Please try again."))
        return _results_page(voting_round, count_form=form, status=400)
    try:
        job = count_jobs.request_count(current_user, voting_round)
    except DomainError as error:
        flash(error.message, "error")
    else:
        if job is None:
            flash(_("The votes are counted and the results published."), "success")
        else:  # a large round: the worker counts it (app/voting/count_jobs.py)
            flash(_("The round is being counted. This page shows the results when the count is done."), "success")
    return redirect(url_for("voting.results", round_id=voting_round.id), code=303)


def _results_page(voting_round, *, count_form=None, share=None, status=200):
    community = current_community()
    view = results_view(voting_round) if voting_round.result is not None else None
    return render_template(
        "voting/results.html",
        community=community,
        round=voting_round,
        view=view,
        state=voting_round.state(),
        reconciliation=paper.reconciliation(voting_round) if view is None else None,
        paper_sessions=paper.session_records(voting_round),
        format_when=in_person.when,
        can_count=permissions.can_count(current_user, voting_round),
        count_job=count_jobs.job_for(voting_round) if view is None else None,
        count_form=count_form or CountForm(),
        share_form=ShareForm(),
        share=share,
        can_manage=permissions.can_manage_rounds(current_user, community),
        Method=Method,
        Allocation=Allocation,
        **labels(),
    ), status


@bp.get("/rounds/<int:round_id>/results")
def results(round_id):
    community = current_community()

    def render():
        # The round with what its results page shows of it, in one query and one for its options.
        voting_round = db.session.scalar(
            select(VotingRound)
            .where(VotingRound.id == round_id, VotingRound.community_id == community.id)
            .options(joinedload(VotingRound.result), joinedload(VotingRound.ruleset), selectinload(VotingRound.options))
        )
        if voting_round is None:
            refuse(404)
        if voting_round.result is None:  # before the count: the committee's form, a state that moves with the clock
            shared_body.unshared()
        return _results_page(voting_round)[0]

    # Counted, the page is the same for everyone logged in: only the header is theirs; and for every
    # visitor, but for the form token of the "my share" form.
    return shared_body.page(tuple, render, community, visitors=True)


@bp.post("/rounds/<int:round_id>/results")
def my_share(round_id):
    """Where a ballot with the ticked choices went (app/voting/results.py: nothing is stored or
    logged, and no voter is linked to a ballot). The page is not cached: it shows the choices."""
    voting_round = _counted(round_id)
    if not ShareForm().validate_on_submit():
        refuse(400, _("The form expired. Please try again."))
    wanted = {parse_id(value) for value in request.form.getlist("option")}
    numbers = [o.number for o in voting_round.options if o.id in wanted]
    lines, left = share_of(voting_round, numbers)
    page, status = _results_page(voting_round, share={"lines": lines, "left": left, "numbers": set(numbers)})
    response = make_response(page, status)
    response.headers["Cache-Control"] = "no-store"
    return response


def _counted(round_id):
    voting_round = community_round(round_id)
    if voting_round.result is None:
        refuse(404, _("The ballots are published once the round is counted."))
    return voting_round


@bp.get("/rounds/<int:round_id>/ballots")
def ballots(round_id):
    voting_round = _counted(round_id)
    page = db.paginate(
        counting.counted_ballots_query(voting_round), page=page_arg(), per_page=BALLOTS_PER_PAGE, error_out=False
    )
    return render_template(
        "voting/ballots.html",
        community=current_community(),
        round=voting_round,
        page=page,
        describe=casting.describe_choices,
        Method=Method,
        **labels(),
    )


def _download(body, mimetype, filename):
    return Response(body, mimetype=mimetype, headers={"Content-Disposition": f"attachment; filename={filename}"})


def _stored_download(round_id, kind, mimetype, filename):
    """A counted round's file as stored (app/voting/downloads.py): it never changes, so it is
    cached for a day and revalidated by its SHA-256."""
    voting_round = _counted(round_id)
    row = downloads.stored(voting_round, kind)
    if row is None:
        refuse(
            404,
            _(
                "This round has no pabulib file: a yes/no round is not an approval election, and a round "
                "that is not valid selected nothing. Its ballots (CSV) and the round (JSON) are published."
            ),
        )
    response = _download(row.body, mimetype, filename.format(id=round_id))
    response.set_etag(row.sha256)
    response.cache_control.public = True
    response.cache_control.max_age = 86400
    return response.make_conditional(request)


@bp.get("/rounds/<int:round_id>/ballots.csv")
def ballots_csv(round_id):
    return _stored_download(round_id, downloads.BALLOTS_CSV, "text/csv", "round-{id}-ballots.csv")


@bp.get("/rounds/<int:round_id>/ballots.pb")
def ballots_pb(round_id):
    return _stored_download(round_id, downloads.ROUND_PB, "text/plain", "round-{id}.pb")


@bp.get("/rounds/<int:round_id>/results.csv")
def results_csv(round_id):
    """One row per project: the count and the reason in words, in the reader's language."""
    voting_round = _counted(round_id)
    return _download(results_table_csv(voting_round), "text/csv", f"round-{voting_round.id}-results.csv")


@bp.get("/rounds/<int:round_id>/round.json")
def round_json(round_id):
    return _stored_download(round_id, downloads.ROUND_JSON, "application/json", "round-{id}.json")
