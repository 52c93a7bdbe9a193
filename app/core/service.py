"""The service kit: one refusal, one transaction, one scoped look-up.

A service checks its rules with `require`, writes its change and calls `commit`; a refusal is a
DomainError (FieldError when it concerns one form field) and nothing is written.
"""

from functools import wraps

from flask_babel import lazy_gettext as _l
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm.exc import StaleDataError
from werkzeug.exceptions import NotFound

from app.extensions import db

from .errors import DomainError
from .params import MAX_ID  # ids beyond the integer column are simply not found (PostgreSQL would refuse the query)


def require(condition, message):
    if not condition:
        raise DomainError(message)


def commit(conflict_message=None, stale_message=None):
    """Commit; a unique constraint or a concurrent change becomes a refusal, never a 500."""
    try:
        db.session.commit()
    except IntegrityError as exc:
        db.session.rollback()
        raise DomainError(conflict_message or _l("This was already recorded.")) from exc
    except StaleDataError as exc:
        db.session.rollback()
        raise DomainError(
            stale_message or _l("This was changed by someone else in the meantime. Please try again.")
        ) from exc


def rolls_back(service=None, *, conflict=None):
    """For a service that writes: when it refuses or fails, its half-done writes are rolled back
    before the error reaches the view, so no view has to clean up after a service.

    `@rolls_back(conflict=message)`: a race the database catches on the way (a duplicate row, a
    row changed meanwhile) is refused with that message instead of failing."""
    if service is None:
        return lambda service: rolls_back(service, conflict=conflict)

    @wraps(service)
    def wrapper(*args, **kwargs):
        try:
            return service(*args, **kwargs)
        except (IntegrityError, StaleDataError) as exc:
            db.session.rollback()
            if conflict is None:
                raise
            raise DomainError(conflict) from exc
        except Exception:
            db.session.rollback()
            raise

    return wrapper


def insert_once(obj, conflict_message):
    """Add a row guarded by a unique constraint; a duplicate is refused with the message."""
    db.session.add(obj)
    try:
        db.session.flush()
    except IntegrityError as exc:
        db.session.rollback()
        raise DomainError(conflict_message) from exc
    return obj


def get_row(model, row_id):
    """The row with this id, or None (also for an id no row can have)."""
    if not isinstance(row_id, int) or not 0 < row_id <= MAX_ID:
        return None
    return db.session.get(model, row_id)


def get_or_404(model, row_id, **owner):
    """The row with this id belonging to `owner` (e.g. community_id=community.id), or 404: an id
    from another community or meeting is not found here."""
    row = get_row(model, row_id)
    if row is None or any(getattr(row, column) != value for column, value in owner.items()):
        raise NotFound()
    return row
