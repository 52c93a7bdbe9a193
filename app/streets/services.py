"""The street office's services: streets, their communities and staff (site admins), and the
street staff's public notes on exceptions. Every change is audited."""

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from werkzeug.exceptions import NotFound

from app.audit.services import record
from app.auth.services import find_user
from app.communities.models import Community
from app.communities.services import SLUG_PATTERN
from app.core import clock
from app.core.errors import FieldError
from app.core.service import commit, get_or_404, require, rolls_back
from app.core.text import checked_text, clean_plain
from app.extensions import db

from . import exceptions, permissions
from .models import Street, StreetNote, StreetStaff

NOTE_MAX = 1000


def get_street(slug):
    street = db.session.scalar(select(Street).where(Street.slug == slug))
    if street is None:
        raise NotFound()
    return street


def all_streets():
    return db.session.scalars(select(Street).order_by(Street.name)).all()


def unassigned_communities():
    return db.session.scalars(select(Community).where(Community.street_id.is_(None)).order_by(Community.name)).all()


def community_of(street, community_id):
    """One of the street's communities, or 404 (a community of another street is not found here)."""
    return get_or_404(Community, community_id, street_id=street.id)


def _require_manager(actor):
    require(permissions.can_manage_streets(actor), _l("Only a site administrator can manage streets."))


@rolls_back(conflict=_l("This web address is already used by another street."))
def create_street(actor, *, slug, name, district):
    _require_manager(actor)
    slug = (slug or "").strip()
    if not SLUG_PATTERN.match(slug):
        raise FieldError("slug", _l("The web address may contain lower-case letters, digits and -."))
    if db.session.scalar(select(Street.id).where(Street.slug == slug)):
        raise FieldError("slug", _l("This web address is already used by another street."))
    street = Street(slug=slug, name=clean_plain(name), district=clean_plain(district))
    db.session.add(street)
    record("street.created", street, actor=actor, slug=slug, name=street.name)
    commit()
    return street


@rolls_back
def assign_community(actor, street, community_id):
    """Put a community under this street (moving it from another street, if it had one)."""
    _require_manager(actor)
    community = get_or_404(Community, community_id)
    previous = community.street_id
    require(previous != street.id, _l("This community already belongs to this street."))
    community.street_id = street.id
    record("street.community_assigned", street, actor=actor, community=community, previous_street_id=previous)
    commit()
    return community


@rolls_back
def unassign_community(actor, street, community_id):
    _require_manager(actor)
    community = community_of(street, community_id)
    community.street_id = None
    record("street.community_unassigned", street, actor=actor, community=community)
    commit()
    return community


@rolls_back(conflict=_l("This person is already staff of this street."))
def grant_staff(actor, street, username):
    _require_manager(actor)
    user = find_user(username or "")
    if user is None:
        raise FieldError("username", _l("No account with this phone number or user name."))
    if permissions.is_street_staff(user, street):
        raise FieldError("username", _l("This person is already staff of this street."))
    grant = StreetStaff(street_id=street.id, user_id=user.id, granted_by_id=actor.id, granted_at=clock.now())
    db.session.add(grant)
    record("street.staff_granted", street, actor=actor, user_id=user.id)
    commit()
    return grant


@rolls_back
def withdraw_staff(actor, street, grant_id):
    _require_manager(actor)
    grant = get_or_404(StreetStaff, grant_id, street_id=street.id)
    record("street.staff_withdrawn", street, actor=actor, user_id=grant.user_id)
    db.session.delete(grant)
    commit()


# ---------------------------------------------------------------- notes on exceptions


def notes_of(street):
    """{exception key: [StreetNote]} of the street, oldest first."""
    notes = {}
    query = select(StreetNote).where(StreetNote.street_id == street.id).order_by(StreetNote.id)
    for note in db.session.scalars(query):
        notes.setdefault(note.exception_key, []).append(note)
    return notes


def note_list(community):
    """The street's notes on this community, newest first, for the community's dashboard."""
    return db.session.scalars(
        select(StreetNote).where(StreetNote.community_id == community.id).order_by(StreetNote.id.desc())
    ).all()


@rolls_back
def add_note(actor, street, community_id, key, body, year):
    """A public note on one of the community's current exceptions (the key must be one of them)."""
    require(permissions.can_note_exception(actor, street), _l("Only the street's staff can add a note."))
    community = community_of(street, community_id)
    body = checked_text(
        body, "body", NOTE_MAX, _l("Write the note."), too_long=_l("At most %(n)s characters.", n=NOTE_MAX)
    )
    current = {e.key for found in exceptions.exceptions_of([community], year).values() for e in found}
    require(key in current, _l("This exception is no longer on the list; reload the page."))
    note = StreetNote(street_id=street.id, community_id=community.id, exception_key=key, body=body, author_id=actor.id)
    db.session.add(note)
    record("street.note_added", note, actor=actor, community=community, key=key)
    commit()
    return note
