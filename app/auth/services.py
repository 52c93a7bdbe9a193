"""Accounts: registration, credentials, profile changes."""

from datetime import timedelta

from blinker import Namespace
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from app.audit.services import record
from app.core import clock
from app.core.errors import DomainError, FieldError
from app.core.i18n import N_
from app.core.text import clean_display_name
from app.core.urls import path_for
from app.extensions import db
from app.notifications.models import Notification
from app.notifications.services import notify

from .models import User
from .passwords import needs_rehash, password_problem, verify_nobody

FAILED_LOGIN_MESSAGE = N_(
    "Someone tried to log in to your account with a wrong password. If it was not you, choose a stronger password on your profile page."
)
# The owner hears of failed logins at most this often, however many there are.
FAILED_LOGIN_NOTICE_EVERY = timedelta(hours=1)

# Sent inside the registration's transaction, after the account has its id: receiver(user). The
# privacy feature records the consent the form asked for.
user_registered = Namespace().signal("user-registered")


def find_user(username):
    return db.session.scalar(select(User).where(func.lower(User.username) == username.strip().lower()))


def register(username, display_name, password):
    username = username.strip()
    if find_user(username):
        raise DomainError(_l("This phone number or user name is already registered."))
    user = User(username=username, display_name=clean_display_name(display_name))
    set_new_password(user, password)
    db.session.add(user)
    record("user.registered", user, actor=user)
    user_registered.send(user)
    db.session.commit()
    return user


def set_new_password(user, password, field="password"):
    """The one way a person's password is set: the rules of passwords.password_problem hold, or
    FieldError(field) says why not and nothing changes."""
    problem = password_problem(password, user.username)
    if problem:
        raise FieldError(field, problem)
    user.set_password(password)


def authenticate(username, password):
    """The account these credentials open, or None.

    An unknown name costs the same password check as a known one, so that the answer's timing does
    not tell which names (often phone numbers) are registered. A hash made with weaker parameters
    than today's is re-made from the password just proven right."""
    user = find_user(username)
    if user is None:
        verify_nobody(password)
        return None
    if not user.check_password(password):
        _tell_owner_of_failed_login(user)
        return None
    if needs_rehash(user.password_hash):
        user.set_password(password)
        db.session.commit()
    return user


def _tell_owner_of_failed_login(user):
    told_recently = db.session.scalar(
        select(Notification.id)
        .where(
            Notification.user_id == user.id,
            Notification.message == FAILED_LOGIN_MESSAGE,
            Notification.created_at > clock.utcnow() - FAILED_LOGIN_NOTICE_EVERY,
        )
        .limit(1)
    )
    if told_recently is None:
        notify([user], FAILED_LOGIN_MESSAGE, path_for("auth.profile"))
        db.session.commit()


def remember_locale(user, locale):
    """The language chosen before logging in is kept for e-mails and later visits."""
    if locale and user.locale != locale:
        user.locale = locale
        db.session.commit()


def update_profile(user, display_name, email, current_password, new_password):
    display_name = clean_display_name(display_name)
    if new_password:
        if not current_password or not user.check_password(current_password):
            raise DomainError(_l("The current password is wrong."))
        set_new_password(user, new_password, field="new_password")
        user.rotate_session_token()
    user.display_name = display_name
    user.email = (email or "").strip() or None
    record("user.profile_updated", user, actor=user, password_changed=bool(new_password) or None)
    db.session.commit()


def end_sessions(user):
    """Logging out rotates the token every session cookie of this user carries."""
    user.rotate_session_token()
    db.session.commit()
