"""Password recovery pages: a link by e-mail (/auth/forgot), a code from the committee (/auth/reset-code),
and the committee's page that gives a member a code (/c/<slug>/members/<id>/reset-code)."""

from flask import flash, make_response, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from app.communities.models import Membership
from app.communities.scoping import community_blueprint, current_community
from app.core.errors import DomainError, FieldError, refuse
from app.core.service import get_or_404
from app.core.urls import absolute_url, path_for
from app.extensions import limiter

from . import bp, permissions, recovery
from .recovery_forms import CodeResetForm, ForgotForm, IssueCodeForm, NewPasswordForm

code_bp = community_blueprint("recovery", __name__, "/members")


def _account_key():
    """The account typed, whoever types it: a person's mailbox is not flooded, nor their code guessed
    from many addresses."""
    return "reset-account:" + (request.form.get("username") or "").strip().lower()


def _no_store(page, status=200):
    response = make_response(page, status)
    response.headers["Cache-Control"] = "no-store"  # a reset link or code must not stay in a cache
    return response


def _new_password_saved():
    flash(_("Your new password is saved. Please log in with it."), "success")
    return redirect(url_for("auth.login"))


@bp.route("/forgot", methods=["GET", "POST"])
@limiter.limit("10 per hour", methods=["POST"])
@limiter.limit("5 per hour", methods=["POST"], key_func=_account_key)
def forgot_password():
    form = ForgotForm()
    if form.validate_on_submit():
        recovery.send_link(form.username.data)
        # The same answer whether or not the account exists or has an e-mail address.
        return render_template("auth/forgot_sent.html")
    return render_template("auth/forgot.html", form=form), 400 if form.errors else 200


@bp.route("/reset/<token>", methods=["GET", "POST"])
@limiter.limit("20 per hour", methods=["POST"])
def reset_with_link(token):
    form = NewPasswordForm()
    if not recovery.link_works(token):
        return _no_store(render_template("auth/reset_link.html", form=None), 404)
    if form.validate_on_submit():
        try:
            recovery.reset_with_link(token, form.password.data)
        except FieldError as error:
            form[error.field].errors.append(error.message)
        except DomainError as error:
            form.password.errors.append(error.message)
        else:
            return _new_password_saved()
    return _no_store(render_template("auth/reset_link.html", form=form), 400 if form.errors else 200)


@bp.route("/reset-code", methods=["GET", "POST"])
@limiter.limit("10 per hour", methods=["POST"])
@limiter.limit("50 per day", methods=["POST"], key_func=_account_key)
def reset_with_code():
    form = CodeResetForm()
    if form.validate_on_submit():
        try:
            recovery.reset_with_code(form.username.data, form.code.data, form.password.data)
        except FieldError as error:
            form[error.field].errors.append(error.message)
        except DomainError as error:
            form.code.errors.append(error.message)
        else:
            return _new_password_saved()
    return render_template("auth/reset_code.html", form=form), 400 if form.errors else 200


@code_bp.route("/<int:membership_id>/reset-code", methods=["GET", "POST"])
@login_required
def issue_code(membership_id):
    membership = get_or_404(Membership, membership_id, community_id=current_community().id)
    if not membership.is_verified:
        refuse(404)
    if not permissions.can_issue_reset_code(current_user, membership):
        refuse(403, str(recovery.ISSUE_REFUSED))
    form, code = IssueCodeForm(), None
    if form.validate_on_submit():
        try:
            code = recovery.issue_code(current_user, membership)
        except DomainError as error:
            flash(error.message, "error")
    page = render_template(
        "auth/reset_code_issue.html",
        community=current_community(),
        membership=membership,
        form=form,
        code=code,
        hours=int(recovery.CODE_VALID.total_seconds() // 3600),
        reset_page=absolute_url(path_for("auth.reset_with_code")),
    )
    return _no_store(page)
