"""Accounts: registration, credentials, profile changes."""

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from app.audit.services import record
from app.core.errors import DomainError
from app.core.text import clean_plain
from app.extensions import db

from .models import User


def find_user(username):
    return db.session.scalar(select(User).where(func.lower(User.username) == username.strip().lower()))


def register(username, display_name, password):
    username = username.strip()
    if find_user(username):
        raise DomainError(_l("This phone number or user name is already registered."))
    user = User(username=username, display_name=clean_plain(display_name))
    user.set_password(password)
    db.session.add(user)
    record("user.registered", user, actor=user)
    db.session.commit()
    return user


def authenticate(username, password):
    user = find_user(username)
    if user is None or not user.check_password(password):
        return None
    return user


def remember_locale(user, locale):
    """The language chosen before logging in is kept for e-mails and later visits."""
    if locale and user.locale != locale:
        user.locale = locale
        db.session.commit()


def update_profile(user, display_name, email, current_password, new_password):
    if new_password:
        if not current_password or not user.check_password(current_password):
            raise DomainError(_l("The current password is wrong."))
        user.set_password(new_password)
        user.rotate_session_token()
    user.display_name = clean_plain(display_name)
    user.email = (email or "").strip() or None
    record("user.profile_updated", user, actor=user, password_changed=bool(new_password) or None)
    db.session.commit()


def end_sessions(user):
    """Logging out rotates the token every session cookie of this user carries."""
    user.rotate_session_token()
    db.session.commit()
