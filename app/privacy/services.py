"""Residents' rights over their data (PIPL): the notice and consent to it, the download of one's
data, and deleting one's account."""

import secrets

from flask_babel import lazy_gettext as _l
from sqlalchemy import delete, select, update

from app.audit.services import record
from app.auth.models import PasswordReset
from app.communities.services import end_memberships_of
from app.core.errors import DomainError, FieldError
from app.core.photos import forget
from app.core.service import commit, rolls_back
from app.council_terms.models import Substitute
from app.extensions import db
from app.matters.models import Follow
from app.matters.services.photos import discard_pending_photos_of
from app.notifications.models import DigestItem, Notification, NotificationPreference, Outbox, SentReminder, SmsNumber
from app.partners.models import Volunteer
from app.streets.models import StreetStaff

from . import permissions
from .models import Consent

# The version of the privacy notice (templates/privacy/notice.html). Change it whenever the notice
# changes what is kept, why, who sees it or for how long: everyone who agreed to an earlier version
# is asked again at their next login.
NOTICE_VERSION = "2026-11"

PSEUDONYM = "已注销用户 #{code}"  # stored, not translated: it stands where a name stood
# Not a hash any password can match (werkzeug's check refuses a hash without its "$" parts).
UNUSABLE_PASSWORD = "!"  # noqa: S105  # nosec B105


def latest_consent(user):
    return db.session.scalar(select(Consent).where(Consent.user_id == user.id).order_by(Consent.id.desc()).limit(1))


def needs_new_consent(user):
    """Agreed to an earlier version of the notice than the one in force. (Accounts that never agreed,
    made before the notice existed or by the demo and create-admin, are not asked here.)"""
    consent = latest_consent(user)
    return consent is not None and consent.version != NOTICE_VERSION


def record_consent(user):
    """In the caller's transaction: registration's, or give_consent's."""
    consent = Consent(user_id=user.id, version=NOTICE_VERSION)
    db.session.add(consent)
    record("privacy.consented", consent, actor=user, version=NOTICE_VERSION)
    return consent


def on_registered(user, **_extra):
    """Receiver of auth.services.user_registered: the form's consent box was ticked."""
    record_consent(user)


@rolls_back
def give_consent(user):
    consent = latest_consent(user)
    if consent is not None and consent.version == NOTICE_VERSION:
        return consent  # agreed already (a second tab, a double click)
    consent = record_consent(user)
    commit()
    return consent


@rolls_back
def note_export(user, fmt):
    """Who downloaded their data and when is kept, never the data itself."""
    record("privacy.data_exported", user, actor=user, format=fmt)
    commit()


@rolls_back
def delete_account(user, password):
    """Remove what identifies the person; keep what they contributed to public decisions.

    Their matters, comments, supports, ratings and objections stay under a pseudonym; the ballot box
    never knew them; the audit log is never edited (its entries point at the account, which no
    longer names anyone) and gets one more entry. Memberships end (their committees are told); the
    inbox, e-mails and SMS waiting to be sent, the number for SMS, follows and open password resets go.
    Afterwards nobody can log in to the account.
    """
    if not password or not user.check_password(password):
        raise FieldError("password", _l("The password is wrong."))
    refusal = permissions.deletion_refusal(user)
    if refusal:
        raise DomainError(refusal)
    pseudonym = PSEUDONYM.format(code=secrets.token_hex(3).upper())
    end_memberships_of(user, pseudonym)
    # Reset links and codes still open would lead back into the account.
    for model in (
        Follow,
        Notification,
        Outbox,
        PasswordReset,
        SmsNumber,
        NotificationPreference,
        DigestItem,
        SentReminder,
        StreetStaff,  # a street's grant gives rights; the person's public notes stay under the pseudonym
        Substitute,  # a standing place on a council's substitutes' list, not a contribution
    ):
        db.session.execute(delete(model).where(model.user_id == user.id))
    # Volunteer rows stay (confirmed hours still count for the tasks) without what describes the person.
    db.session.execute(
        update(Volunteer).where(Volunteer.user_id == user.id).values(skills="", availability="", show_name=False)
    )
    user.username = f"~deleted-{user.id}"  # unique, and a name registration never accepts
    user.display_name = pseudonym
    user.email = None
    user.locale = None
    user.is_admin = False
    user.password_hash = UNUSABLE_PASSWORD
    user.rotate_session_token()  # every session of the account ends
    unused = discard_pending_photos_of(user)  # photos kept for a form never saved
    record("user.deleted", user, actor=user)
    commit()
    forget(unused)
    return pseudonym
