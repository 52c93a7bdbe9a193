"""Getting back into an account: a link sent by e-mail, or a one-time code the committee gives a resident
without e-mail in person (printed or read out).

A link or code opens one password change, once, for a limited time (an hour, a day). Only a hash of
it is stored, keyed with SECRET_KEY, so the database alone cannot be used to guess the short codes.
The answers never tell whether an account exists. A new password follows services.set_new_password,
ends every session of the account, and the owner is told.
"""

import hashlib
import hmac
import secrets
import unicodedata
from datetime import timedelta

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import select, update

from app.audit.services import record
from app.core import clock
from app.core.errors import FieldError
from app.core.i18n import N_
from app.core.service import commit, require, rolls_back
from app.core.urls import path_for
from app.extensions import db
from app.notifications import outbox
from app.notifications.services import notify

from . import permissions
from .models import PasswordReset
from .services import find_user, set_new_password

EMAIL, CODE = "email", "code"
LINK_VALID = timedelta(hours=1)
CODE_VALID = timedelta(hours=24)
CODE_DIGITS = 12  # digits are the easiest to read out and to type on a phone; 10^12 under the rate limits

LINK_MESSAGE = N_(
    "Someone asked to reset the password of your account %(username)s. To choose a new password, open "
    "this link within one hour; it works once. If it was not you, ignore this email: your password stays."
)
WHY_LINK = N_("You receive this email because someone asked to reset the password of your Weiyi account.")
CODE_ISSUED_MESSAGE = N_(
    "The committee of %(community)s gave out a one-time code to reset your password. "
    "If you did not ask for it, tell the committee."
)
RESET_MESSAGES = {
    EMAIL: N_("Your password was changed with the link sent to your email. If it was not you, tell your committee."),
    CODE: N_("Your password was changed with a code from the committee. If it was not you, tell your committee."),
}
ISSUE_REFUSED = _l(
    "Only the committee gives reset codes, to verified members of its community. The accounts of "
    "committee members and administrators cannot be reset with a code: they use the email link."
)
LINK_REFUSED = _l("This link does not work (any more). Links work once, for one hour. Ask for a new one.")
CODE_REFUSED = _l(
    "The user name or the code is wrong, or the code was used or is older than 24 hours. "
    "Check both, or ask the committee for a new code."
)


def _hash(kind, secret, user_id=0):
    key = current_app.config["SECRET_KEY"].encode()
    return hmac.new(key, f"{kind}:{user_id}:{secret}".encode(), hashlib.sha256).hexdigest()


def _live(token_hash):
    """The unused, unexpired reset with this hash, or None."""
    return db.session.scalar(
        select(PasswordReset).where(
            PasswordReset.token_hash == token_hash,
            PasswordReset.used_at.is_(None),
            PasswordReset.expires_at > clock.utcnow(),
        )
    )


def _end_outstanding(user, kind=None):
    """Links and codes of this user not used yet stop working (a new code replaces the last one)."""
    statement = update(PasswordReset).where(
        PasswordReset.user_id == user.id,
        PasswordReset.used_at.is_(None),
        PasswordReset.expires_at > clock.utcnow(),
    )
    if kind:
        statement = statement.where(PasswordReset.kind == kind)
    db.session.execute(statement.values(expires_at=clock.utcnow()))


# ---------------------------------------------------------------- by e-mail


@rolls_back
def send_link(username):
    """E-mail a reset link when `username` names an account with an e-mail address; otherwise nothing.
    The caller answers the same either way."""
    user = find_user(username or "")
    if user is None or not (user.email or "").strip():
        return
    token = secrets.token_urlsafe(32)
    now = clock.utcnow()
    db.session.add(
        PasswordReset(
            user_id=user.id,
            kind=EMAIL,
            token_hash=_hash(EMAIL, token),
            created_at=now,
            expires_at=now + LINK_VALID,
        )
    )
    # Straight to the outbox, not the inbox: the link is a key and must not stay on the site.
    outbox.enqueue(
        user, LINK_MESSAGE, {"username": user.username}, path_for("auth.reset_with_link", token=token), why=WHY_LINK
    )
    commit()


def link_works(token):
    return _live(_hash(EMAIL, token)) is not None


@rolls_back
def reset_with_link(token, password):
    reset = _live(_hash(EMAIL, token))
    require(reset is not None, LINK_REFUSED)
    _set_password(reset, password)


# ---------------------------------------------------------------- a code from the committee


def format_code(code):
    return " ".join(code[i : i + 4] for i in range(0, len(code), 4))


def _normal_code(text):
    """The digits typed, whatever the spaces, dashes or full-width digits; "" when it is not a code."""
    digits = "".join(ch for ch in unicodedata.normalize("NFKC", text or "") if ch not in " -")
    return digits if len(digits) == CODE_DIGITS and digits.isascii() and digits.isdigit() else ""


@rolls_back
def issue_code(actor, membership):
    """A new one-time code for the member (the committee gives it in person); the code itself is
    returned once and kept nowhere."""
    require(permissions.can_issue_reset_code(actor, membership), ISSUE_REFUSED)
    user, community = membership.user, membership.community
    _end_outstanding(user, CODE)
    code = "".join(secrets.choice("0123456789") for _ in range(CODE_DIGITS))
    now = clock.utcnow()
    db.session.add(
        PasswordReset(
            user_id=user.id,
            kind=CODE,
            token_hash=_hash(CODE, code, user.id),
            issued_by_id=actor.id,
            community_id=community.id,
            created_at=now,
            expires_at=now + CODE_VALID,
        )
    )
    record("user.reset_code_issued", user, actor=actor, community=community, user_id=user.id)
    notify([user], CODE_ISSUED_MESSAGE, community=community.name)
    commit()
    return format_code(code)


@rolls_back
def reset_with_code(username, code, password):
    """The same refusal for an unknown name, a wrong, used or expired code: nothing tells them apart."""
    user = find_user(username or "")
    digits = _normal_code(code)
    reset = _live(_hash(CODE, digits, user.id if user else 0)) if digits else None
    if reset is None or user is None:
        raise FieldError("code", CODE_REFUSED)
    _set_password(reset, password)


# ---------------------------------------------------------------- both


def _set_password(reset, password):
    user = reset.user
    set_new_password(user, password)  # a refused password leaves the link or code unused
    # Claimed in one statement: of two requests with the same link or code, one wins.
    claimed = db.session.execute(
        update(PasswordReset)
        .where(PasswordReset.id == reset.id, PasswordReset.used_at.is_(None))
        .values(used_at=clock.utcnow())
    ).rowcount
    require(claimed == 1, LINK_REFUSED if reset.kind == EMAIL else CODE_REFUSED)
    _end_outstanding(user)
    user.rotate_session_token()  # every device logged in to the account is logged out
    record(
        "user.password_reset",
        user,
        actor=user,
        community=reset.community_id,
        kind=reset.kind,
        issued_by_id=reset.issued_by_id,
    )
    notify([user], RESET_MESSAGES[reset.kind], path_for("auth.login"))
    commit()
    return user
