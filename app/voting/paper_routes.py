"""The paper ballots page of a round (in-person sessions, marks, tally sheets and the paper
count, app/voting/in_person.py, tally_sheets.py and paper.py), the tally sheet's CSV template, and
the page where a resident objects to their in-person mark."""

from flask import Response, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from app.communities.scoping import current_community, permitted_community
from app.core import clock
from app.core.errors import DomainError
from app.core.params import parse_id

from . import bp, in_person, paper, permissions, tally_sheets
from .forms import ConfirmSheetForm, ImportForm, MarkVoterForm, ObjectionForm, RejectSheetForm, SessionForm, SheetForm
from .models import Method
from .routes import community_round, labels


def _session_choices(sessions):
    return [(s.id, f"{s.place} · {in_person.when(s.starts_at)} – {in_person.when(s.ends_at)}") for s in sessions]


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
        in_person.declare_session(
            current_user,
            voting_round,
            place=form.place.data,
            starts_at=clock.to_utc(form.starts_at.data),
            ends_at=clock.to_utc(form.ends_at.data),
        )
        return _("The session is declared.")
    if action == "mark":
        session_id = form.session.data
        chosen = in_person.get_session(voting_round, session_id) if session_id else None
        in_person.mark_in_person(current_user, voting_round, form.username.data, chosen)
        return _("Marked as having voted in person; the resident is told.")
    if action in ("sheet", "import"):
        chosen = in_person.get_session(voting_round, form.session.data or 0)
        lines = (
            tally_sheets.parse_sheet(voting_round, form.lines.data)
            if action == "sheet"
            else tally_sheets.parse_sheet_csv(voting_round, form.file.data.read())
        )
        tally_sheets.enter_sheet(
            current_user, voting_round, chosen, lines, form.spoilt.data, source="form" if action == "sheet" else "csv"
        )
        return _("The tally sheet is entered. A second person must now confirm it.")
    if action == "confirm":
        tally_sheets.confirm_sheet(current_user, voting_round, sheet)
        return _("The tally sheet is confirmed and its ballots are in the box.")
    tally_sheets.reject_sheet(current_user, voting_round, sheet, form.reason.data or "")
    return _("The tally sheet is rejected. A corrected one can be entered.")


@bp.route("/rounds/<int:round_id>/paper", methods=["GET", "POST"], endpoint="paper")
@login_required
def paper_ballots(round_id):
    voting_round = community_round(round_id)
    community = permitted_community(
        permissions.can_scrutinise, _("Only the committee and the council can see the paper ballots page.")
    )
    now = clock.now()
    sessions = in_person.list_sessions(voting_round)
    started = _session_choices([s for s in sessions if s.starts_at <= now])
    forms = {
        "session": SessionForm(prefix="session"),
        "mark": MarkVoterForm(prefix="mark"),
        "sheet": SheetForm(prefix="sheet"),
        "import": ImportForm(prefix="csv"),
    }
    forms["mark"].session.choices = _session_choices(in_person.running_sessions(voting_round, now))
    forms["sheet"].session.choices = forms["import"].session.choices = started
    errors, sheet_errors, status = [], [], 200
    if request.method == "POST":
        action, status = request.form.get("action"), 400
        try:
            form, sheet = forms.get(action), None
            if action in ("confirm", "reject"):
                sheet = tally_sheets.get_sheet(voting_round, _posted_id("sheet"))
                form = (ConfirmSheetForm if action == "confirm" else RejectSheetForm)(prefix=f"{action}-{sheet.id}")
            flash(_paper_action(voting_round, action, form, sheet), "success")
            return redirect(url_for("voting.paper", round_id=voting_round.id), code=303)
        except tally_sheets.SheetProblems as error:
            errors.append(error.message)
            sheet_errors = error.errors
        except DomainError as error:
            errors.append(error.message)
    pending = [
        (
            sheet,
            tally_sheets.sheet_lines(voting_round, sheet),
            ConfirmSheetForm(prefix=f"confirm-{sheet.id}"),
            RejectSheetForm(prefix=f"reject-{sheet.id}"),
        )
        for sheet in tally_sheets.sheets(voting_round)
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
        objections=in_person.objections(voting_round),
        voters=in_person.in_person_voters(voting_round),
        format_when=in_person.when,
        may_record=permissions.can_record_paper(current_user, voting_round),
        may_confirm=permissions.can_scrutinise(current_user, community),
        Method=Method,
        **labels(),
    ), status


@bp.get("/rounds/<int:round_id>/paper/template.csv")
def paper_template(round_id):
    voting_round = community_round(round_id)
    body = ",".join(tally_sheets.CSV_HEADER) + "\n"
    return Response(
        body,
        mimetype="text/csv",
        headers={"Content-Disposition": f"attachment; filename=tally-sheet-round-{voting_round.id}.csv"},
    )


@bp.route("/rounds/<int:round_id>/paper/objection", methods=["GET", "POST"])
@login_required
def paper_objection(round_id):
    """Where the notification of an in-person mark leads: "that was not me"."""
    voting_round = community_round(round_id)
    form, errors, status = ObjectionForm(), [], 200
    if request.method == "POST":
        status = 400
        if not form.validate_on_submit():
            errors.append(_("Please check the form and try again."))
        else:
            try:
                in_person.object_to_mark(current_user, voting_round, form.note.data or "")
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
        mark=in_person.my_mark(current_user, voting_round),
        objection=in_person.my_objection(current_user, voting_round),
        format_when=in_person.when,
        **labels(),
    ), status
