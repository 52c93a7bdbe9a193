"""Pages of the voting rounds. Casting is a plain form POST to /c/<slug>/rounds/<id> with the
CSRF token and either `option=<RoundOption id>` (repeated; approval and budget ballots) or
`answer-<RoundOption id>=yes|no|abstain` (yes/no ballots); it answers 303 to the receipt page."""
import json
from datetime import timedelta

from flask import Response, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import to_user_timezone, to_utc
from flask_login import current_user, login_required

from app.communities.scoping import current_community
from app.core.errors import DomainError, refuse
from app.extensions import db, limiter
from app.models_base import utcnow

from . import bp, permissions, services, tally
from .forms import (
    ActionForm,
    CastForm,
    CountForm,
    HouseholdForm,
    ImportForm,
    MarkVoterForm,
    MemberForm,
    PaperBallotForm,
    RoundForm,
)
from .models import (
    ALLOCATION_LABELS,
    CHANNEL_LABELS,
    METHOD_LABELS,
    RESIDENT_BASE_NOUNS,
    RESIDENT_MAJORITY_SENTENCES,
    ROUND_STATE_LABELS,
    Allocation,
    Method,
)
from .results import results_view

BALLOTS_PER_PAGE = 200


def _labels():
    return {"method_labels": METHOD_LABELS, "allocation_labels": ALLOCATION_LABELS,
            "state_labels": ROUND_STATE_LABELS, "channel_labels": CHANNEL_LABELS,
            "resident_majority": RESIDENT_MAJORITY_SENTENCES, "resident_base": RESIDENT_BASE_NOUNS,
            "format_receipt": tally.format_receipt}


def _round(round_id):
    return services.get_round(current_community(), round_id)


def _require_committee(message=None):
    if not permissions.can_manage_rounds(current_user, current_community()):
        refuse(403, message or _("Only the committee can do this."))


def _page_number():
    page = request.args.get("page", "1")
    return int(page) if page.isdigit() and 0 < int(page) < 100_000 else 1


@bp.get("/rounds/")
def index():
    community = current_community()
    return render_template("voting/index.html", community=community, rounds=services.list_rounds(community),
                           can_manage=permissions.can_manage_rounds(current_user, community), now=utcnow(),
                           **_labels())


# --- opening ---------------------------------------------------------------------------------


def _local(dt):
    return to_user_timezone(dt).replace(tzinfo=None, second=0, microsecond=0)


def _parse_cost(text):
    text = (text or "").strip().replace(",", "").replace("，", "").replace("¥", "").replace("元", "")
    return int(text) if text.isdigit() and len(text) <= 12 else None


@bp.route("/rounds/new", methods=["GET", "POST"])
@login_required
def new():
    community = current_community()
    _require_committee(_("Only the committee can open a voting round."))
    matters = services.candidate_matters(community)
    form = RoundForm()
    if request.method == "GET":
        now = utcnow()
        form.budget.data = community.annual_budget or None
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
                options.append((int(value) if value.isdigit() and len(value) < 11 else 0, 1))
                continue
            cost = _parse_cost(costs[matter.id])
            if cost is None:
                option_errors.append(_("The cost of “%(title)s” must be a whole number of yuan.", title=matter.title))
            options.append((matter.id, cost))
        if not option_errors:
            try:
                voting_round = services.open_round(
                    current_user, community, title=form.title.data, description=form.description.data or "",
                    method=form.method.data, allocation=form.allocation.data, max_choices=form.max_choices.data,
                    budget=form.budget.data, opens_at=to_utc(form.opens_at.data),
                    closes_at=to_utc(form.closes_at.data), per_household=form.per_household.data,
                    allow_changes=form.allow_changes.data, options=options)
            except DomainError as error:
                db.session.rollback()
                option_errors.append(error.message)
            else:
                flash(_("The round is open: %(title)s", title=voting_round.title), "success")
                return redirect(url_for("voting.ballot", round_id=voting_round.id))
        status = 400
    elif request.method == "POST":
        status = 400
    return render_template("voting/new.html", community=community, form=form, matters=matters, chosen=set(chosen),
                           costs=costs, option_errors=option_errors, **_labels()), status


# --- casting ---------------------------------------------------------------------------------


def _ballot_page(voting_round, form, *, error=None, selected=None, answers=None, status=200):
    community = current_community()
    standing = services.standing(current_user, voting_round)
    if selected is None and standing.current is not None:
        current = services.describe_choices(voting_round, standing.current.choices)
        selected = {str(o.id) for o, _a in current}
        answers = {str(o.id): a for o, a in current if a}
    return render_template(
        "voting/ballot.html", community=community, round=voting_round, form=form, standing=standing,
        error=error, selected=selected or set(), answers=answers or {}, state=voting_round.state(),
        can_manage=permissions.can_manage_rounds(current_user, community), Method=Method, **_labels(),
    ), status


@bp.route("/rounds/<int:round_id>", methods=["GET", "POST"])
def ballot(round_id):
    voting_round = _round(round_id)
    form = CastForm()
    if request.method == "GET":
        return _ballot_page(voting_round, form)
    if not current_user.is_authenticated:
        return redirect(url_for("auth.login", next=request.path))
    if not form.validate_on_submit():
        return _ballot_page(voting_round, form, error=_("The form expired. Please try again."), status=400)
    selected = request.form.getlist("option")
    answers = {key[len("answer-"):]: value for key, value in request.form.items() if key.startswith("answer-")}
    try:
        choices = services.choices_from_form(voting_round, selected, answers)
        cast = services.cast_ballot(current_user, voting_round, choices)
    except DomainError as error:
        db.session.rollback()
        already = error.message in (services.ALREADY_VOTED,)
        return _ballot_page(voting_round, form, error=error.message, selected=set(selected), answers=answers,
                            status=409 if already else 400)
    flash(_("Your ballot is recorded. Your receipt code: %(code)s", code=tally.format_receipt(cast.receipt_code)),
          "success")
    return redirect(url_for("voting.receipt", round_id=voting_round.id), code=303)


@bp.get("/rounds/<int:round_id>/receipt")
@login_required
def receipt(round_id):
    voting_round = _round(round_id)
    ballots = services.my_ballots(current_user, current_community(), voting_round)
    return render_template("voting/receipt.html", community=current_community(), round=voting_round,
                           ballots=ballots, describe=services.describe_choices, Method=Method, **_labels())


@bp.get("/rounds/mine")
@login_required
def mine():
    community = current_community()
    return render_template("voting/mine.html", community=community,
                           ballots=services.my_ballots(current_user, community), describe=services.describe_choices,
                           Method=Method, **_labels())


@bp.get("/rounds/check")
@limiter.limit("30 per minute")
def check():
    community = current_community()
    code = (request.args.get("code") or "").strip()[:40]
    found = services.find_receipt(community, code) if code else None
    return render_template("voting/check.html", community=community, code=code, ballot=found,
                           describe=services.describe_choices, Method=Method, **_labels()), 200


# --- paper ballots ---------------------------------------------------------------------------


@bp.route("/rounds/<int:round_id>/paper", methods=["GET", "POST"])
@login_required
def paper(round_id):
    voting_round = _round(round_id)
    _require_committee(_("Only the committee can record paper ballots."))
    mark_form, ballot_form, import_form = MarkVoterForm(), PaperBallotForm(), ImportForm()
    errors, csv_errors, status = [], [], 200
    selected, answers = set(), {}
    if request.method == "POST":
        action = request.form.get("action")
        form = {"mark": mark_form, "ballot": ballot_form, "import": import_form}.get(action)
        status = 400
        if form is None or not form.validate_on_submit():
            errors.append(_("Please check the form and try again."))
        else:
            try:
                if action == "mark":
                    services.mark_in_person(current_user, voting_round, mark_form.username.data)
                    flash(_("Marked as having voted in person."), "success")
                elif action == "ballot":
                    selected = set(request.form.getlist("option"))
                    answers = {k[len("answer-"):]: v for k, v in request.form.items() if k.startswith("answer-")}
                    choices = services.choices_from_form(voting_round, list(selected), answers)
                    entered = services.enter_paper_ballot(current_user, voting_round, choices)
                    flash(_("Paper ballot added (receipt %(code)s).", code=tally.format_receipt(entered.receipt_code)),
                          "success")
                else:
                    count = services.import_paper_csv(current_user, voting_round, import_form.file.data.read())
                    flash(_("%(count)s paper ballots imported.", count=count), "success")
                return redirect(url_for("voting.paper", round_id=voting_round.id), code=303)
            except services.CsvImportError as error:
                db.session.rollback()
                errors.append(error.message)
                csv_errors = error.errors
            except DomainError as error:
                db.session.rollback()
                errors.append(error.message)
    return render_template(
        "voting/paper.html", community=current_community(), round=voting_round, mark_form=mark_form,
        ballot_form=ballot_form, import_form=import_form, errors=errors, csv_errors=csv_errors,
        reconciliation=services.reconciliation(voting_round), voters=services.in_person_voters(voting_round),
        may_record=permissions.can_record_paper(current_user, voting_round), selected=selected, answers=answers,
        Method=Method, **_labels()), status


@bp.get("/rounds/<int:round_id>/paper/template.csv")
def paper_template(round_id):
    voting_round = _round(round_id)
    body = ",".join(services.CSV_HEADER) + "\n"
    return Response(body, mimetype="text/csv", headers={
        "Content-Disposition": f"attachment; filename=paper-ballots-round-{voting_round.id}.csv"})


# --- the count and the results ---------------------------------------------------------------


@bp.post("/rounds/<int:round_id>/count")
@login_required
def count(round_id):
    voting_round = _round(round_id)
    form = CountForm()
    if not form.validate_on_submit():
        refuse(400, _("The form expired. Please try again."))
    try:
        services.count_round(current_user, voting_round)
    except DomainError as error:
        db.session.rollback()
        flash(error.message, "error")
    else:
        flash(_("The votes are counted and the results published."), "success")
    return redirect(url_for("voting.results", round_id=voting_round.id), code=303)


@bp.get("/rounds/<int:round_id>/results")
def results(round_id):
    voting_round = _round(round_id)
    community = current_community()
    view = results_view(voting_round) if voting_round.result is not None else None
    return render_template(
        "voting/results.html", community=community, round=voting_round, view=view, state=voting_round.state(),
        reconciliation=services.reconciliation(voting_round) if view is None else None,
        can_count=permissions.can_count(current_user, voting_round), count_form=CountForm(),
        can_manage=permissions.can_manage_rounds(current_user, community), Method=Method, Allocation=Allocation,
        **_labels())


def _counted(round_id):
    voting_round = _round(round_id)
    if voting_round.result is None:
        refuse(404, _("The ballots are published once the round is counted."))
    return voting_round


@bp.get("/rounds/<int:round_id>/ballots")
def ballots(round_id):
    voting_round = _counted(round_id)
    page = db.paginate(services.counted_ballots_query(voting_round), page=_page_number(),
                       per_page=BALLOTS_PER_PAGE, error_out=False)
    return render_template("voting/ballots.html", community=current_community(), round=voting_round, page=page,
                           describe=services.describe_choices, Method=Method, **_labels())


def _download(body, mimetype, filename):
    return Response(body, mimetype=mimetype, headers={"Content-Disposition": f"attachment; filename={filename}"})


@bp.get("/rounds/<int:round_id>/ballots.csv")
def ballots_csv(round_id):
    voting_round = _counted(round_id)
    return _download(services.published_csv(voting_round), "text/csv", f"round-{voting_round.id}-ballots.csv")


@bp.get("/rounds/<int:round_id>/ballots.pb")
def ballots_pb(round_id):
    voting_round = _counted(round_id)
    return _download(services.published_pb(voting_round), "text/plain", f"round-{voting_round.id}.pb")


@bp.get("/rounds/<int:round_id>/round.json")
def round_json(round_id):
    voting_round = _counted(round_id)
    body = json.dumps(services.round_document(voting_round), ensure_ascii=False, indent=1)
    return _download(body, "application/json", f"round-{voting_round.id}.json")


# --- households ------------------------------------------------------------------------------


@bp.route("/households", methods=["GET", "POST"])
@login_required
def households():
    community = current_community()
    if not permissions.can_manage_households(current_user, community):
        refuse(403, _("Only the committee can manage households."))
    form, group_form = HouseholdForm(), ActionForm()
    status = 200
    if request.method == "POST":
        status = 400
        try:
            if "group-submit" in request.form:
                if not group_form.validate_on_submit():
                    raise DomainError(_("The form expired. Please try again."))
                created, added = services.households_from_addresses(current_user, community)
                flash(_("%(households)s households created, %(members)s residents added.",
                        households=created, members=added), "success")
                return redirect(url_for("voting.households"), code=303)
            if form.validate_on_submit():
                household = services.create_household(current_user, community, form.name.data, form.address.data)
                flash(_("Household added."), "success")
                return redirect(url_for("voting.household", household_id=household.id), code=303)
        except DomainError as error:
            db.session.rollback()
            flash(error.message, "error")
    return render_template("voting/households.html", community=community, form=form, group_form=group_form,
                           page=services.list_households(community, _page_number())), status


@bp.route("/households/<int:household_id>", methods=["GET", "POST"])
@login_required
def household(household_id):
    community = current_community()
    if not permissions.can_manage_households(current_user, community):
        refuse(403, _("Only the committee can manage households."))
    entry = services.get_household(community, household_id)
    form, remove_form = MemberForm(), ActionForm()
    status = 200
    if request.method == "POST":
        status = 400
        try:
            if "remove-submit" in request.form:
                value = request.form.get("remove-value", "")
                if not remove_form.validate_on_submit() or not value.isdigit() or len(value) > 10:
                    raise DomainError(_("Please check the form and try again."))
                services.remove_household_member(current_user, community, entry, int(value))
                flash(_("Removed from the household."), "success")
                return redirect(url_for("voting.household", household_id=entry.id), code=303)
            if form.validate_on_submit():
                services.add_household_member(current_user, community, entry, form.username.data)
                flash(_("Added to the household."), "success")
                return redirect(url_for("voting.household", household_id=entry.id), code=303)
        except DomainError as error:
            db.session.rollback()
            flash(error.message, "error")
    return render_template("voting/household.html", community=community, household=entry, form=form,
                           remove_form=remove_form,
                           suggestions=services.suggested_members(community, entry)), status
