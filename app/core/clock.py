"""The one clock: "now" as the models store it (naive UTC) and the community's local calendar.

Times live in the database as naive UTC; dates a resident reads or types (notice periods,
milestones, "today") are calendar days in the community's time zone, the configured TIMEZONE
(BABEL_DEFAULT_TIMEZONE, so templates' date filters agree). The demo loaders write the past by
shifting now() for a block (shifted, shifted_to); tests freeze time with freezegun instead.
"""

from contextlib import contextmanager
from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

from flask import current_app

_offset = timedelta(0)


def utcnow():
    """The real server time, naive UTC: column defaults and the audit chain, which the demo's
    shift must not reach."""
    return datetime.now(UTC).replace(tzinfo=None)


def now():
    """The time services act at, naive UTC (the real time, or the demo's shifted one)."""
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


def shifted_to(moment):
    """Within the block, now() runs from `moment` (naive UTC) on."""
    return shifted(moment - utcnow())


def local_zone():
    return ZoneInfo(current_app.config.get("BABEL_DEFAULT_TIMEZONE") or "Asia/Shanghai")


def to_local(moment):
    """A naive UTC time as a naive wall-clock time where the community is."""
    return moment.replace(tzinfo=UTC).astimezone(local_zone()).replace(tzinfo=None)


def to_utc(local_moment):
    """A naive wall-clock time where the community is as the naive UTC the models store."""
    return local_moment.replace(tzinfo=local_zone()).astimezone(UTC).replace(tzinfo=None)


def local_date(moment):
    """The calendar day of a naive UTC time where the community is."""
    return to_local(moment).date()


def local_today():
    """Today where the community is: notice periods, milestones, "not in the future"."""
    return local_date(now())


def end_of_local_day(day):
    """The naive UTC instant at which the local day `day` ends."""
    return to_utc(datetime.combine(day + timedelta(days=1), time(0)))
