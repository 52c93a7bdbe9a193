"""Who may do what at the street office. Street staff read; acting inside a community stays with
the roles of that community (a street officer who is also its committee acts as committee)."""

from sqlalchemy import select

from app.communities.permissions import is_admin
from app.core import version_cache
from app.extensions import db

from .models import Street, StreetStaff


def is_street_staff(user, street):
    """Granted to this street by a site admin."""
    if street is None or not getattr(user, "is_authenticated", False):
        return False
    return (
        db.session.scalar(
            select(StreetStaff.id).where(StreetStaff.street_id == street.id, StreetStaff.user_id == user.id).limit(1)
        )
        is not None
    )


def can_manage_streets(user):
    """Create streets, assign communities, grant and withdraw street staff: site admins."""
    return is_admin(user)


def can_read_street(user, street):
    """The dashboard, the exception lists, the notes and their CSV."""
    return is_admin(user) or is_street_staff(user, street)


def can_note_exception(user, street):
    """A public note on one of the street's exceptions: its staff (a site admin manages, not notes)."""
    return is_street_staff(user, street)


def streets_of(user):
    """The streets the user is staff of."""
    if not getattr(user, "is_authenticated", False):
        return []
    return db.session.scalars(
        select(Street).join(StreetStaff, StreetStaff.street_id == Street.id).where(StreetStaff.user_id == user.id)
    ).all()


def menu_streets(user):
    """((slug, name), ...) of the streets the user is staff of, for the menu of every page: kept per
    their data version (grants change it, app/core/versions.py PERSONAL_TABLES; streets the site's)."""
    if not getattr(user, "is_authenticated", False):
        return []
    return version_cache.personal(
        "menu_streets", user.id, lambda: tuple((street.slug, street.name) for street in streets_of(user))
    )
