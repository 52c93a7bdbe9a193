"""Pages of the voting rounds. Casting is a plain form POST to /c/<slug>/rounds/<id> with the
CSRF token and either `option=<RoundOption id>` (repeated; approval and budget ballots) or
`answer-<RoundOption id>=yes|no|abstain` (yes/no ballots); it answers 303 to the receipt page.

The choices are shown to the voter once, on that receipt page: the POST puts them in the session
(the voter's own signed cookie, never the database) and the receipt page takes them out again."""

from datetime import timedelta

from flask import Response, flash, make_response, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import select
from sqlalchemy.orm import joinedload, selectinload

from app.communities.scoping import current_community
from app.core import clock, shared_body
from app.core.errors import DomainError, refuse
from app.core.forms import fields_of
from app.core.params import page_arg, parse_id
from app.extensions import db, limiter
from app.rules.describe import RESIDENT_BASE_NOUNS, RESIDENT_MAJORITY_SENTENCES

from . import ballot_page, bp, casting, count_jobs, counting, downloads, hooks, paper, permissions, receipts, rounds
from . import households as household_services
from .forms import (
    ActionForm,
    ConfirmSheetForm,
    CountForm,
    HouseholdForm,
    ImportForm,
    MarkVoterForm,
    MemberForm,
    ObjectionForm,
    RejectSheetForm,
    RoundForm,
    SessionForm,
    ShareForm,
    SheetForm,
)
from .models import Allocation, Channel, Method, RoundState, VotingRound
from .results import results_table_csv, results_view, share_of

BALLOTS_PER_PAGE = 200


def method_text(voting_round):
    """The round's method in words, with its own number of choices for an approval round."""
    if voting_round.method == Method.APPROVAL and voting_round.max_choices:
        return _("Approval: choose up to %(k)s projects", k=voting_round.max_choices)
    return _(Method.labels()[voting_round.method])


def _labels():
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


def _round(round_id):
    return rounds.get_round(current_community(), round_id)


def _require_committee(message=None):
    if not permissions.can_manage_rounds(current_user, current_community()):
        refuse(403, message or _("Only the committee can do this."))


@bp.get("/rounds/")
def index():
    community = current_community()
    return render_template(
        "voting/index.html",
        community=community,
        rounds=rounds.list_rounds(community),
        can_manage=permissions.can_manage_rounds(current_user, community),
        now=clock.now(),
        **_labels(),
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
    community = current_community()
    _require_committee(_("Only the committee can open a voting round."))
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
        **_labels(),
    ), status


# --- casting ---------------------------------------------------------------------------------


JUST_CAST = "voting.just_cast"  # session key: {"round": id, "choices": [...]}, shown once


def _ballot_page(voting_round, *, error=None, selected=None, answers=None, status=200):
    """The ballot form. It starts empty even for a voter who has voted: their choices are never
    shown again after the receipt page (a new ballot replaces the old one whatever it said)."""
    community = current_community()
    shown = {
        "round": voting_round,
        "standing": casting.standing(current_user, voting_round),
        "state": voting_round.state(),
        "can_manage": permissions.can_manage_rounds(current_user, community),
        "authenticated": current_user.is_authenticated,
        "Method": Method,
        **_labels(),
    }
    if error is None and not selected and not answers:
        shown_key = ballot_page.key(shown)

        def render():
            body = ballot_page.body(shown, shown_key)
            return render_template("voting/ballot.html", community=community, body=body, **shown)

        return shared_body.page(tuple, render, community, version=shown_key), status
    # A refused ballot: the message and the voter's choices, for them alone.
    body = ballot_page.render(ballot_page.csrf_field(), shown, error, selected, answers)
    return render_template("voting/ballot.html", community=community, body=body, **shown), status


@bp.route("/rounds/<int:round_id>", methods=["GET", "POST"])
def ballot(round_id):
    voting_round = casting.ballot_round(current_community(), round_id)
    if request.method == "GET":
        return _ballot_page(voting_round)
    if not current_user.is_authenticated:
        return redirect(url_for("auth.login", next=request.path))
    # The form's token was checked before the view, by CSRFProtect (app/extensions.py), as on
    # every POST: a form object here would only check it again.
    selected = request.form.getlist("option")
    answers = {key[len("answer-") :]: value for key, value in request.form.items() if key.startswith("answer-")}
    try:
        choices = casting.choices_from_form(voting_round, selected, answers)
        cast = casting.cast_ballot(current_user, voting_round, choices)
    except DomainError as error:
        already = error.message in (casting.ALREADY_VOTED,)
        return _ballot_page(
            voting_round,
            error=error.message,
            selected=set(selected),
            answers=answers,
            status=409 if already else 400,
        )
    session[JUST_CAST] = {
        "round": voting_round.id,
        "choices": [list(c) if isinstance(c, tuple) else c for c in choices],
    }
    flash(
        _("Your ballot is in the box. Your receipt code: %(code)s", code=receipts.format_code(cast.receipt_code)),
        "success",
    )
    return redirect(url_for("voting.receipt", round_id=voting_round.id), code=303)


@bp.get("/rounds/<int:round_id>/receipt")
@login_required
def receipt(round_id):
    voting_round = casting.ballot_round(current_community(), round_id)
    participation = casting.my_receipt(current_user, voting_round)
    just_cast = session.pop(JUST_CAST, None)
    choices = just_cast["choices"] if just_cast and just_cast.get("round") == voting_round.id else None
    response = make_response(
        render_template(
            "voting/receipt.html",
            community=current_community(),
            round=voting_round,
            participation=participation,
            picked=casting.describe_choices(voting_round, choices) if choices is not None and participation else None,
            state=voting_round.state(),
            Method=Method,
            **_labels(),
        )
    )
    response.headers["Cache-Control"] = "no-store"  # the choices are on this page once
    return response


@bp.get("/rounds/mine")
@login_required
def mine():
    community = current_community()
    return render_template(
        "voting/mine.html", community=community, participations=casting.my_ballots(current_user, community), **_labels()
    )


@bp.get("/rounds/check")
@limiter.limit("30 per minute")
def check():
    community = current_community()
    code = (request.args.get("code") or "").strip()[:40]
    found = casting.find_receipt(community, code) if code else None
    return render_template("voting/check.html", community=community, code=code, found=found, **_labels()), 200


# --- paper ballots ---------------------------------------------------------------------------


def _session_choices(sessions):
    return [(s.id, f"{s.place} · {paper.when(s.starts_at)} – {paper.when(s.ends_at)}") for s in sessions]


def _posted_id(name):
    return parse_id(request.form.get(name, "")) or 0


def _paper_action(voting_round, action, form, sheet=None):
    """Run one posted action of the paper ballots page; returns the success message."""
    if form is None or not form.validate_on_submit():
        raise DomainError(
            _("Tick the box to say that you checked the sheet against the paper.")
            if action == "confirm"
            else _("Please check the form and try again.")
        )
    if action == "session":
        paper.declare_session(
            current_user,
            voting_round,
            place=form.place.data,
            starts_at=clock.to_utc(form.starts_at.data),
            ends_at=clock.to_utc(form.ends_at.data),
        )
        return _("The session is declared.")
    if action == "mark":
        session_id = form.session.data
        chosen = paper.get_session(voting_round, session_id) if session_id else None
        paper.mark_in_person(current_user, voting_round, form.username.data, chosen)
        return _("Marked as having voted in person; the resident is told.")
    if action in ("sheet", "import"):
        chosen = paper.get_session(voting_round, form.session.data or 0)
        lines = (
            paper.parse_sheet(voting_round, form.lines.data)
            if action == "sheet"
            else paper.parse_sheet_csv(voting_round, form.file.data.read())
        )
        paper.enter_sheet(
            current_user, voting_round, chosen, lines, form.spoilt.data, source="form" if action == "sheet" else "csv"
        )
        return _("The tally sheet is entered. A second person must now confirm it.")
    if action == "confirm":
        paper.confirm_sheet(current_user, voting_round, sheet)
        return _("The tally sheet is confirmed and its ballots are in the box.")
    paper.reject_sheet(current_user, voting_round, sheet, form.reason.data or "")
    return _("The tally sheet is rejected. A corrected one can be entered.")


@bp.route("/rounds/<int:round_id>/paper", methods=["GET", "POST"], endpoint="paper")
@login_required
def paper_ballots(round_id):
    voting_round = _round(round_id)
    community = current_community()
    if not permissions.can_scrutinise(current_user, community):
        refuse(403, _("Only the committee and the council can see the paper ballots page."))
    now = clock.now()
    sessions = paper.list_sessions(voting_round)
    started = _session_choices([s for s in sessions if s.starts_at <= now])
    forms = {
        "session": SessionForm(prefix="session"),
        "mark": MarkVoterForm(prefix="mark"),
        "sheet": SheetForm(prefix="sheet"),
        "import": ImportForm(prefix="csv"),
    }
    forms["mark"].session.choices = _session_choices(paper.running_sessions(voting_round, now))
    forms["sheet"].session.choices = forms["import"].session.choices = started
    errors, sheet_errors, status = [], [], 200
    if request.method == "POST":
        action, status = request.form.get("action"), 400
        try:
            form, sheet = forms.get(action), None
            if action in ("confirm", "reject"):
                sheet = paper.get_sheet(voting_round, _posted_id("sheet"))
                form = (ConfirmSheetForm if action == "confirm" else RejectSheetForm)(prefix=f"{action}-{sheet.id}")
            flash(_paper_action(voting_round, action, form, sheet), "success")
            return redirect(url_for("voting.paper", round_id=voting_round.id), code=303)
        except paper.SheetProblems as error:
            errors.append(error.message)
            sheet_errors = error.errors
        except DomainError as error:
            errors.append(error.message)
    pending = [
        (
            sheet,
            paper.sheet_lines(voting_round, sheet),
            ConfirmSheetForm(prefix=f"confirm-{sheet.id}"),
            RejectSheetForm(prefix=f"reject-{sheet.id}"),
        )
        for sheet in paper.sheets(voting_round)
        if sheet.status == "entered"
    ]
    return render_template(
        "voting/paper.html",
        community=community,
        round=voting_round,
        forms=forms,
        errors=errors,
        sheet_errors=sheet_errors,
        reconciliation=paper.reconciliation(voting_round),
        records=paper.session_records(voting_round),
        pending=pending,
        objections=paper.objections(voting_round),
        voters=paper.in_person_voters(voting_round),
        format_when=paper.when,
        may_record=permissions.can_record_paper(current_user, voting_round),
        may_confirm=permissions.can_scrutinise(current_user, community),
        Method=Method,
        **_labels(),
    ), status


@bp.get("/rounds/<int:round_id>/paper/template.csv")
def paper_template(round_id):
    voting_round = _round(round_id)
    body = ",".join(paper.CSV_HEADER) + "\n"
    return Response(
        body,
        mimetype="text/csv",
        headers={"Content-Disposition": f"attachment; filename=tally-sheet-round-{voting_round.id}.csv"},
    )


@bp.route("/rounds/<int:round_id>/paper/objection", methods=["GET", "POST"])
@login_required
def paper_objection(round_id):
    """Where the notification of an in-person mark leads: "that was not me"."""
    voting_round = _round(round_id)
    form, errors, status = ObjectionForm(), [], 200
    if request.method == "POST":
        status = 400
        if not form.validate_on_submit():
            errors.append(_("Please check the form and try again."))
        else:
            try:
                paper.object_to_mark(current_user, voting_round, form.note.data or "")
            except DomainError as error:
                errors.append(error.message)
            else:
                flash(_("Your objection is recorded; the council and the committee are told."), "success")
                return redirect(url_for("voting.paper_objection", round_id=voting_round.id), code=303)
    return render_template(
        "voting/objection.html",
        community=current_community(),
        round=voting_round,
        form=form,
        errors=errors,
        mark=paper.my_mark(current_user, voting_round),
        objection=paper.my_objection(current_user, voting_round),
        format_when=paper.when,
        **_labels(),
    ), status


# --- the count and the results ---------------------------------------------------------------


@bp.post("/rounds/<int:round_id>/count")
@login_required
def count(round_id):
    """Counting is final: the form carries a tick box (app/core/forms.confirm_field); without it
    the page comes back with the reason and nothing is counted."""
    voting_round = _round(round_id)
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
        format_when=paper.when,
        can_count=permissions.can_count(current_user, voting_round),
        count_job=count_jobs.job_for(voting_round) if view is None else None,
        count_form=count_form or CountForm(),
        share_form=ShareForm(),
        share=share,
        can_manage=permissions.can_manage_rounds(current_user, community),
        Method=Method,
        Allocation=Allocation,
        **_labels(),
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
    voting_round = _round(round_id)
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
        **_labels(),
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


# --- households ------------------------------------------------------------------------------


def _household_manager():
    """The community whose households the user manages, or 403."""
    community = current_community()
    if not permissions.can_manage_households(current_user, community):
        refuse(403, _("Only the committee can manage households."))
    return community


@bp.route("/households", methods=["GET", "POST"])
@login_required
def households():
    community = _household_manager()
    form, group_form = HouseholdForm(), ActionForm()
    status = 200
    if request.method == "POST":
        status = 400
        try:
            if "group-submit" in request.form:
                if not group_form.validate_on_submit():
                    raise DomainError(_("The form expired. Please try again."))
                created, added = household_services.households_from_addresses(current_user, community)
                flash(
                    _(
                        "%(households)s households created, %(members)s residents added.",
                        households=created,
                        members=added,
                    ),
                    "success",
                )
                return redirect(url_for("voting.households"), code=303)
            if form.validate_on_submit():
                household = household_services.create_household(
                    current_user, community, form.name.data, form.address.data
                )
                flash(_("Household added."), "success")
                return redirect(url_for("voting.household", household_id=household.id), code=303)
        except DomainError as error:
            flash(error.message, "error")
    return render_template(
        "voting/households.html",
        community=community,
        form=form,
        group_form=group_form,
        page=household_services.list_households(community, page_arg()),
    ), status


@bp.route("/households/<int:household_id>", methods=["GET", "POST"])
@login_required
def household(household_id):
    community = _household_manager()
    entry = household_services.get_household(community, household_id)
    form, remove_form = MemberForm(), ActionForm()
    status = 200
    if request.method == "POST":
        status = 400
        try:
            if "remove-submit" in request.form:
                user_id = parse_id(request.form.get("remove-value", ""))
                if not remove_form.validate_on_submit() or user_id is None:
                    raise DomainError(_("Please check the form and try again."))
                household_services.remove_household_member(current_user, community, entry, user_id)
                flash(_("Removed from the household."), "success")
                return redirect(url_for("voting.household", household_id=entry.id), code=303)
            if form.validate_on_submit():
                household_services.add_household_member(current_user, community, entry, form.username.data)
                flash(_("Added to the household."), "success")
                return redirect(url_for("voting.household", household_id=entry.id), code=303)
        except DomainError as error:
            flash(error.message, "error")
    return render_template(
        "voting/household.html",
        community=community,
        household=entry,
        form=form,
        remove_form=remove_form,
        suggestions=household_services.suggested_members(community, entry),
    ), status
