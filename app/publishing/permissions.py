"""Who may publish notices, object to them and answer objections."""
from datetime import datetime
from zoneinfo import ZoneInfo

from flask import current_app

from app.communities import permissions as community_permissions
from app.models_base import utcnow


def local_today(now=None):
    """Notice periods are calendar days where the community is (the configured time zone)."""
    zone = ZoneInfo(current_app.config.get("BABEL_DEFAULT_TIMEZONE", "Asia/Shanghai"))
    now = now or utcnow()
    return now.replace(tzinfo=ZoneInfo("UTC")).astimezone(zone).date() if isinstance(now, datetime) else now


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
