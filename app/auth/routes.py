from flask import current_app, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_limiter.util import get_remote_address
from flask_login import current_user, login_required, login_user, logout_user

from app.communities.models import MembershipStatus, Role
from app.communities.services import memberships_of
from app.core.errors import DomainError, FieldError
from app.core.redirects import redirect_back
from app.extensions import limiter

from . import bp, services, sessions
from .forms import LoginForm, LogoutForm, ProfileForm, RegisterForm


def _login_account_key():
    # Account and address together: guessing from one address is stopped, while the owner, elsewhere,
    # can still log in (a key on the account alone let anyone lock anyone out).
    account = (request.form.get("username") or "").strip().lower()
    return f"login-account:{account}@{get_remote_address()}"


def _empty_session():
    """Forget everything but the visitor's display preferences; returns them."""
    preferences = {k: session[k] for k in ("lang", "large_text") if k in session}
    session.clear()
    session.update(preferences)
    return preferences


def _start_session(user, remember=False):
    # A fresh session at login: nothing from before the login survives (fixation).
    preferences = _empty_session()
    login_user(user)
    sessions.start(session, remember)
    services.remember_locale(user, preferences.get("lang"))


@bp.before_app_request
def end_expired_session():
    """The idle and absolute limits of a login (sessions.py), checked on every request."""
    if request.endpoint == "static" or not current_user.is_authenticated:
        return
    config = current_app.config
    own = session._get_current_object()  # (read three times: each use of the proxy looks it up again)
    if sessions.expired(own, config["SESSION_IDLE_MINUTES"], config["SESSION_ABSOLUTE_HOURS"]):
        _empty_session()
        logout_user()  # also clears an old remember-me cookie
        flash(_("Your login timed out to keep your account safe. Please log in again."), "info")
    else:
        sessions.touch(own)


@bp.route("/register", methods=["GET", "POST"])
@limiter.limit("10 per hour", methods=["POST"])
def register():
    form = RegisterForm()
    if form.validate_on_submit():
        try:
            user = services.register(form.username.data, form.display_name.data, form.password.data)
        except FieldError as error:
            form[error.field].errors.append(error.message)
        except DomainError as error:
            form.username.errors.append(error.message)
        else:
            _start_session(user)
            flash(_("Welcome! Now ask to join your community."), "success")
            return redirect_back("front.index")
    return render_template("auth/register.html", form=form), 400 if form.errors else 200


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit("20 per minute", methods=["POST"])
@limiter.limit("10 per 5 minutes", methods=["POST"], key_func=_login_account_key)
def login():
    form = LoginForm()
    if form.validate_on_submit():
        user = services.authenticate(form.username.data, form.password.data)
        if user is None:
            form.password.errors.append(_("Wrong phone number/user name or password."))
        else:
            _start_session(user, remember=form.remember.data)
            flash(_("You are logged in."), "success")
            return redirect_back("front.index")
    return render_template("auth/login.html", form=form), 400 if form.errors else 200


@bp.post("/logout")
def logout():
    form = LogoutForm()
    if form.validate_on_submit() and current_user.is_authenticated:
        services.end_sessions(current_user)
        logout_user()
        session.clear()
        flash(_("You are logged out."), "info")
    return redirect(url_for("front.index"))


@bp.route("/profile", methods=["GET", "POST"])
@login_required
def profile():
    form = ProfileForm(obj=current_user)
    if form.validate_on_submit():
        try:
            services.update_profile(
                current_user,
                form.display_name.data,
                form.email.data,
                form.current_password.data,
                form.new_password.data,
            )
        except FieldError as error:
            form[error.field].errors.append(error.message)
        except DomainError as error:
            form.current_password.errors.append(error.message)
        else:
            if form.new_password.data:
                login_user(current_user._get_current_object())  # new token: keep this device logged in
            flash(_("Saved."), "success")
            return redirect(url_for("auth.profile"))
    return render_template(
        "auth/profile.html",
        form=form,
        memberships=memberships_of(current_user),
        role_labels=Role.labels(),
        membership_labels=MembershipStatus.labels(),
    ), 400 if form.errors else 200
