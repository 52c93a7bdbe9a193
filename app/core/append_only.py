"""Rows that stay as they were written: the database session refuses to update or delete them,
whichever code path tries (a vote's ballots and result, an adopted convention text, ...)."""

from sqlalchemy import event

UPDATE_AND_DELETE = ("before_update", "before_delete")


def _refuse(_mapper, _connection, target):
    raise PermissionError(f"{type(target).__name__} {target.id} is never changed")


def never_changed(*models, events=UPDATE_AND_DELETE):
    """Refuse `events` (by default any update and any delete) on rows of `models`."""
    for model in models:
        for name in events:
            event.listen(model, name, _refuse)
