"""What holds the deletion of an account back."""

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, or_, select

from app.auth.models import User
from app.councils.models import Meeting, MeetingStatus
from app.extensions import db


def is_last_admin(user):
    """The site would be left without anyone able to create communities or appoint committees."""
    if not user.is_admin:
        return False
    others = db.session.scalar(select(func.count(User.id)).where(User.is_admin.is_(True), User.id != user.id))
    return not others


def runs_open_meeting(user):
    """Presides over or keeps the minutes of a meeting in session: it would be left without them."""
    return (
        db.session.scalar(
            select(Meeting.id)
            .where(
                Meeting.status == MeetingStatus.OPEN,
                or_(Meeting.chair_id == user.id, Meeting.secretary_id == user.id),
            )
            .limit(1)
        )
        is not None
    )


def deletion_refusal(user):
    """Why this account cannot be deleted now (a message for its owner), or None."""
    if is_last_admin(user):
        return _l("You are the only administrator. Make someone else an administrator first.")
    if runs_open_meeting(user):
        return _l("You are running a meeting that is in session. Close it or hand it over first.")
    return None
