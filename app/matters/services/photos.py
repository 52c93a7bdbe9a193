"""A micro-matter's photos: how many it may have, storing those sent with its form, and the photos
kept for their owner while a proposal form comes back with an error (kept PENDING_PHOTO_HOURS,
then forgotten by the outbox worker's chore)."""

from datetime import timedelta

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import selectinload
from werkzeug.exceptions import NotFound

from app.core import clock
from app.core.errors import FieldError
from app.core.params import parse_id
from app.core.photos import chosen, forget, removed_on_failure, save_all
from app.core.service import get_or_404, require
from app.extensions import db

from .. import permissions
from ..models import MatterPhoto, PendingPhoto
from .common import atomic, commit_change

PHOTOS_MAX = 5
PENDING_PHOTO_HOURS = 24  # a photo chosen in a form that came back with an error is kept this long


def get_photo(matter, matter_photo_id):
    return get_or_404(MatterPhoto, matter_photo_id, matter_id=matter.id)


def check_photo_count(count):
    """A micro-matter has at most PHOTOS_MAX photos, counting those kept for its form."""
    if count > PHOTOS_MAX:
        raise FieldError("photos", _l("At most %(n)s photos per micro-matter.", n=PHOTOS_MAX))


def store_photos(user, matter, files, written, pending=()):
    for photo in save_all(files, user, written):
        db.session.add(MatterPhoto(matter=matter, photo=photo))
    for row in pending:  # photos kept from an earlier try of the same form
        db.session.add(MatterPhoto(matter=matter, photo=row.photo))
        db.session.delete(row)


def photo_ids(values):
    """The ids among a form's values (photos to keep, drop or remove); anything else is left out."""
    return {parse_id(value) for value in values or ()} - {None}


def pending_photos(user, community, matter=None, ids=()):
    """The photos this person chose earlier in this form (`ids`: those the form sent back) and that
    are still kept for them; nobody else's, and none for another form or community."""
    wanted = photo_ids(ids)
    if not wanted or not getattr(user, "is_authenticated", False):
        return []
    target = PendingPhoto.matter_id.is_(None) if matter is None else PendingPhoto.matter_id == matter.id
    return db.session.scalars(
        select(PendingPhoto)
        .where(
            PendingPhoto.id.in_(wanted),
            PendingPhoto.user_id == user.id,
            PendingPhoto.community_id == community.id,
            target,
            PendingPhoto.expires_at > clock.utcnow(),
        )
        .options(selectinload(PendingPhoto.photo))
        .order_by(PendingPhoto.id)
    ).all()


def get_pending_photo(user, community, pending_id):
    """One kept photo, for its owner only: anyone else gets "not found"."""
    row = get_or_404(PendingPhoto, pending_id, community_id=community.id)
    if not getattr(user, "is_authenticated", False) or row.user_id != user.id or row.expires_at <= clock.utcnow():
        raise NotFound()
    return row


def _discard(rows):
    """Delete kept photos (rows and stored photos); the file names to forget after the commit."""
    names = []
    for row in rows:
        names.append(row.photo.stored_name)
        db.session.delete(row)
        db.session.delete(row.photo)
    return names


@atomic
def hold_photos(user, community, files, *, matter=None, keep=(), drop=()):
    """Keep the photos sent with a proposal form (checked and stored like any photo) for their owner,
    so that the form coming back with an error does not lose them; `keep`: the ids of those kept
    before that the form sent back, `drop`: those the person removed. Commits on its own: the photos
    survive whatever happens to the proposal. Returns the photos now kept for the form."""
    allowed = permissions.can_edit(user, matter) if matter else permissions.can_create(user, community)
    require(allowed, _l("Only verified residents of this community can propose micro-matters."))
    held = pending_photos(user, community, matter, keep)
    dropping = photo_ids(drop)
    dropped = [row for row in held if row.id in dropping]
    held = [row for row in held if row.id not in dropping]
    files = chosen(files)
    if not files and not dropped:
        return held
    check_photo_count(len(held) + len(files))
    unused = _discard(dropped)
    expires_at = clock.utcnow() + timedelta(hours=PENDING_PHOTO_HOURS)
    with removed_on_failure() as written:
        for photo in save_all(files, user, written):
            row = PendingPhoto(
                user_id=user.id,
                community_id=community.id,
                matter_id=matter.id if matter else None,
                photo=photo,
                expires_at=expires_at,
            )
            db.session.add(row)
            held.append(row)
        for row in held:  # kept as long as the person is still working on the form
            row.expires_at = expires_at
        commit_change()
    forget(unused)
    return held


def discard_pending_photos_of(user):
    """A deleted account's kept photos (no commit: the caller's); the file names to forget after it."""
    return _discard(db.session.scalars(select(PendingPhoto).where(PendingPhoto.user_id == user.id)).all())


def forget_expired_photos():
    """Remove the kept photos whose time is up (run by the outbox worker each round); how many."""
    rows = db.session.scalars(select(PendingPhoto).where(PendingPhoto.expires_at <= clock.utcnow())).all()
    if not rows:
        return 0
    unused = _discard(rows)
    commit_change()
    forget(unused)
    return len(rows)
