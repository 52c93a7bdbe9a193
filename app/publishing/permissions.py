"""Who may publish notices, object to them and answer objections."""
from zoneinfo import ZoneInfo

from flask import current_app

from app.communities import permissions as community_permissions
from app.models_base import utcnow


def local_date(moment):
    """The calendar day of a naive UTC time where the community is (the configured time zone)."""
    zone = ZoneInfo(current_app.config.get("BABEL_DEFAULT_TIMEZONE") or "Asia/Shanghai")
    return moment.replace(tzinfo=ZoneInfo("UTC")).astimezone(zone).date()


def local_today():
    """Notice periods are calendar days where the community is."""
    return local_date(utcnow())


def period_state(notice, today=None):
    today = today or local_today()
    if today < notice.period_start:
        return "upcoming"
    if today > notice.period_end:
        return "ended"
    return "open"


def can_publish_notices(user, community):
    return community_permissions.is_committee(user, community)


def can_answer_objections(user, community):
    return community_permissions.is_committee(user, community)


def can_object(user, notice):
    """A verified resident of the community (not the committee that published it), during the period."""
    if not community_permissions.is_verified_resident(user, notice.community):
        return False
    if community_permissions.is_committee(user, notice.community):
        return False
    return period_state(notice) == "open"
