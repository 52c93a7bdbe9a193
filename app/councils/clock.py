"""The time meeting services use. The demo runs a past meeting by shifting it."""
from contextlib import contextmanager
from datetime import timedelta

from app.models_base import utcnow

_offset = timedelta(0)


def now():
    return utcnow() + _offset


@contextmanager
def shifted(delta):
    """Within the block, now() is `delta` away from the real time (used only by the demo loader)."""
    global _offset
    previous = _offset
    _offset = delta
    try:
        yield
    finally:
        _offset = previous
