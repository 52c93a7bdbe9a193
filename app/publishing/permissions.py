"""Who may publish notices, object to them and answer objections."""

from app.communities import permissions as community_permissions
from app.core import clock

from .models import NoticePeriod


def period_state(notice, today=None):
    today = today or clock.local_today()
    if today < notice.period_start:
        return NoticePeriod.UPCOMING
    if today > notice.period_end:
        return NoticePeriod.ENDED
    return NoticePeriod.OPEN


def can_publish_notices(user, community):
    return community_permissions.is_committee(user, community)


def can_answer_objections(user, community):
    return community_permissions.is_committee(user, community)


def has_objected(user, notice):
    """This person has lodged their one objection to the notice."""
    if user is None or not getattr(user, "is_authenticated", False):
        return False
    return any(o.author_id == user.id for o in notice.objections)


def may_object_here(user, notice):
    """A verified resident of the notice's community, not of the committee that published it."""
    return community_permissions.is_verified_resident(
        user, notice.community
    ) and not community_permissions.is_committee(user, notice.community)


def can_object(user, notice):
    """May object now: during the period, once per notice."""
    return (
        may_object_here(user, notice) and period_state(notice) == NoticePeriod.OPEN and not has_objected(user, notice)
    )


def can_reopen_objection(user, objection):
    """The committee may take an answered objection up again."""
    return objection.is_answered and can_answer_objections(user, objection.notice.community)
