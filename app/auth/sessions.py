"""How long a login lasts: SESSION_IDLE_MINUTES without a request, SESSION_ABSOLUTE_HOURS in all.

Both times live in the signed session cookie, so no table is needed and a copied cookie ages like
the original. "Keep me logged in" only lets the cookie outlive the browser (a permanent session);
the limits hold all the same, and a login restored any other way (Flask-Login's remember cookie,
from before these limits) carries no times and is ended.
"""

from datetime import UTC

from app.core import clock

LOGIN_AT = "_login_at"
SEEN_AT = "_seen_at"
# The last-seen time is refreshed at most once a minute, so that not every response re-sends the cookie.
SEEN_RESOLUTION_SECONDS = 60


def _now():
    return int(clock.utcnow().replace(tzinfo=UTC).timestamp())


def start(session, remember):
    session[LOGIN_AT] = session[SEEN_AT] = _now()
    session.permanent = bool(remember)


def expired(session, idle_minutes, absolute_hours):
    login_at, seen_at = session.get(LOGIN_AT), session.get(SEEN_AT)
    if not isinstance(login_at, int) or not isinstance(seen_at, int):
        return True
    now = _now()
    return now - seen_at > idle_minutes * 60 or now - login_at > absolute_hours * 3600


def touch(session):
    now = _now()
    if now - session.get(SEEN_AT, 0) >= SEEN_RESOLUTION_SECONDS:
        session[SEEN_AT] = now


def signed_in(login_id):
    """The session a fresh login of `login_id` (User.get_id()) leaves, for tools that sign a cookie
    instead of logging in (benches, tests): without the times the login would be ended at once."""
    now = _now()
    return {"_user_id": login_id, "_fresh": True, LOGIN_AT: now, SEEN_AT: now}
