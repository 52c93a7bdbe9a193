"""Pages of casting a ballot. Casting is a plain form POST to /c/<slug>/rounds/<id> with the
CSRF token and either `option=<RoundOption id>` (repeated; approval and budget ballots) or
`answer-<RoundOption id>=yes|no|abstain` (yes/no ballots); it answers 303 to the receipt page.

The choices are shown to the voter once, on that receipt page: the POST puts them in the session
(the voter's own signed cookie, never the database) and the receipt page takes them out again.
Also: the voter's own ballots ("My ballots") and checking a receipt code."""

from flask import flash, make_response, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from app.communities.scoping import current_community
from app.core import shared_body
from app.core.errors import DomainError
from app.extensions import limiter

from . import ballot_page, ballot_reads, bp, casting, permissions, receipts
from .models import Method
from .routes import labels

JUST_CAST = "voting.just_cast"  # session key: {"round": id, "choices": [...]}, shown once


def _ballot_page(voting_round, *, entry=None, error=None, selected=None, answers=None, status=200):
    """The ballot form. It starts empty even for a voter who has voted: their choices are never
    shown again after the receipt page (a new ballot replaces the old one whatever it said).
    `entry`: the voter's register entry read with the round (ballot_reads.voting_round_for)."""
    community = current_community()
    shown = {
        "round": voting_round,
        "standing": casting.standing(current_user, voting_round, entry=entry),
        "state": voting_round.state(),
        "can_manage": permissions.can_manage_rounds(current_user, community),
        "authenticated": current_user.is_authenticated,
        "Method": Method,
        **labels(),
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
    voting_round, entry = ballot_reads.voting_round_for(current_community(), round_id, current_user)
    if request.method == "GET":
        return _ballot_page(voting_round, entry=entry)
    if not current_user.is_authenticated:
        return redirect(url_for("auth.login", next=request.path))
    # The form's token was checked before the view, by CSRFProtect (app/extensions.py), as on
    # every POST: a form object here would only check it again.
    selected = request.form.getlist("option")
    answers = {key[len("answer-") :]: value for key, value in request.form.items() if key.startswith("answer-")}
    try:
        choices = casting.choices_from_form(voting_round, selected, answers)
        cast = casting.cast_ballot(current_user, voting_round, choices, entry)
    except DomainError as error:  # the page reads the voter's standing again, after the rollback
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
    voting_round, participation = ballot_reads.receipt_round(current_community(), round_id, current_user)
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
            **labels(),
        )
    )
    response.headers["Cache-Control"] = "no-store"  # the choices are on this page once
    return response


@bp.get("/rounds/mine")
@login_required
def mine():
    community = current_community()
    return render_template(
        "voting/mine.html", community=community, participations=casting.my_ballots(current_user, community), **labels()
    )


@bp.get("/rounds/check")
@limiter.limit("30 per minute")
def check():
    community = current_community()
    code = (request.args.get("code") or "").strip()[:40]
    found = casting.find_receipt(community, code) if code else None
    return render_template("voting/check.html", community=community, code=code, found=found, **labels()), 200
