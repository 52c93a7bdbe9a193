from flask import Response, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required, logout_user

from app.core import clock
from app.core.errors import DomainError, FieldError
from app.core.redirects import is_safe_next, redirect_back

from . import bp, export, permissions, services
from .forms import ConsentForm, DeleteAccountForm, ExportForm

ASK = "privacy_ask"  # session flag: show the consent page on the next page view (set at login)


def remember_to_ask(_sender, user, **_extra):
    """Receiver of flask_login's user_logged_in: someone who agreed to an earlier notice is asked
    again once, on the page the login leads to (never blocking: "not now" carries on)."""
    if services.needs_new_consent(user):
        session[ASK] = True


@bp.before_app_request
def ask_for_consent():
    if (
        request.method == "GET"
        and session.get(ASK)
        and request.endpoint not in (None, "static")
        and not request.endpoint.startswith(("privacy.", "api.", "core."))
    ):
        session.pop(ASK)
        return redirect(url_for("privacy.consent", next=request.full_path.rstrip("?")))
    return None


def _private(response, status=200):
    """Pages and files with someone's personal data are never kept by a browser or a proxy."""
    response = response if isinstance(response, Response) else Response(response)
    response.status_code = status
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.get("/")
def notice():
    return render_template(
        "privacy/notice.html",
        version=services.NOTICE_VERSION,
        consent=services.latest_consent(current_user) if current_user.is_authenticated else None,
    )


@bp.route("/consent", methods=["GET", "POST"])
@login_required
def consent():
    later = request.args.get("next")
    later = later if is_safe_next(later) else None
    form = ConsentForm(next=later or "")
    if form.validate_on_submit():
        services.give_consent(current_user)
        flash(_("Thank you. Your agreement to this version of the privacy notice is recorded."), "success")
        return redirect_back("auth.profile")
    return render_template(
        "privacy/consent.html",
        form=form,
        version=services.NOTICE_VERSION,
        consent=services.latest_consent(current_user),
        later=later or url_for("front.index"),
    )


@bp.route("/my-data", methods=["GET", "POST"])
@login_required
def my_data():
    form = ExportForm()
    if form.validate_on_submit():
        fmt = form.format.data
        services.note_export(current_user, fmt)
        stamp = clock.utcnow().strftime("%Y%m%d")
        if fmt == "json":
            body, mimetype, name = export.as_json(current_user, services.NOTICE_VERSION), "application/json", "json"
        else:
            body, mimetype, name = export.as_zip(current_user), "application/zip", "zip"
        response = Response(body, mimetype=mimetype)
        response.headers["Content-Disposition"] = f'attachment; filename="weiyi-my-data-{stamp}.{name}"'
        return _private(response)
    return _private(render_template("privacy/my_data.html", form=form), 400 if form.errors else 200)


@bp.route("/delete-account", methods=["GET", "POST"])
@login_required
def delete_account():
    form = DeleteAccountForm()
    refusal = permissions.deletion_refusal(current_user)
    if form.validate_on_submit():
        try:
            services.delete_account(current_user, form.password.data)
        except FieldError as error:
            getattr(form, error.field).errors.append(error.message)
        except DomainError as error:
            flash(error.message, "error")
        else:
            logout_user()
            session.clear()
            flash(_("Your account is deleted. What you wrote for your community stays, without your name."), "info")
            return redirect(url_for("front.index"))
    page = render_template("privacy/delete.html", form=form, refusal=refusal)
    return _private(page, 400 if form.errors or request.method == "POST" else 200)
