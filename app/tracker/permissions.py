"""Who may do what with implementation records. Used by views, services and templates alike."""

from sqlalchemy import select

from app.communities.permissions import is_admin, is_committee, is_verified_resident
from app.extensions import db

from .models import Evaluation, RecordState


def can_manage_record(user, record):
    """Only committee members of the record's own community update it."""
    return record is not None and is_committee(user, record.community)


def manages_record(user, record):
    """The committee members who manage the work: they do not judge their own project."""
    return can_manage_record(user, record)


def can_view_dashboard(user, community):
    return is_committee(user, community) or is_admin(user)


def can_view_admin_dashboard(user):
    return is_admin(user)


def has_rated(user, window):
    if window is None or not getattr(user, "is_authenticated", False):
        return False
    return (
        db.session.scalar(select(Evaluation.id).where(Evaluation.window_id == window.id, Evaluation.user_id == user.id))
        is not None
    )


def can_rate(user, record):
    """Verified residents of the community, once each, only while the window is open; not the
    committee members who manage the work."""
    window = record.current_window if record is not None else None
    return (
        record is not None
        and record.state == RecordState.EVALUATION
        and window is not None
        and window.is_open()
        and is_verified_resident(user, record.community)
        and not manages_record(user, record)
        and not has_rated(user, window)
    )


def can_print_rating_form(user, record):
    """The paper rating form, for residents who rate on paper: printed by those who manage the record."""
    return can_manage_record(user, record)
