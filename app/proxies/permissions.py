"""Who may give, record and revoke written proxies. Used by views, services and templates."""

from app.communities.permissions import is_committee, is_council_member
from app.councils.models import MeetingStatus
from app.councils.permissions import can_run_meeting
from app.rules.choices import ProxyRule


def proxies_allowed(meeting):
    """The rules of the meeting allow written proxies, and it has not opened yet."""
    return meeting.status == MeetingStatus.SCHEDULED and meeting.ruleset.proxy_rule != ProxyRule.NONE


def can_give_proxy(user, meeting):
    """A council member gives their own proxy online."""
    return proxies_allowed(meeting) and is_council_member(user, meeting.community)


def can_record_proxy(user, meeting):
    """The chair or secretary of the meeting, or the committee, enter a proxy given on paper."""
    return proxies_allowed(meeting) and (can_run_meeting(user, meeting) or is_committee(user, meeting.community))


def can_revoke_proxy(user, proxy):
    """Its giver, or whoever may record proxies, before the meeting opens."""
    if proxy.revoked_at is not None or not proxies_allowed(proxy.meeting):
        return False
    return (getattr(user, "id", None) == proxy.giver_id and can_give_proxy(user, proxy.meeting)) or can_record_proxy(
        user, proxy.meeting
    )
