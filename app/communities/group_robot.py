"""The community's WeCom group robot (企业微信群机器人), set by the committee on the community's settings
page. Posting lives in app/notifications/wecom.py; this is who may set it, and its audit."""

from flask_babel import lazy_gettext as _l

from app.audit.services import record
from app.core.service import commit, require, rolls_back
from app.notifications import wecom

from . import permissions

ONLY_COMMITTEE = _l("Only the committee can set the community's group robot.")


@rolls_back
def set_group_robot(actor, community, url):
    """Connect (or change) the robot. The audit log notes that it changed, never the address: its key is a secret."""
    require(permissions.can_set_group_robot(actor, community), ONLY_COMMITTEE)
    if wecom.store(community.id, url, actor):
        record("community.group_robot_set", community, actor=actor, community=community)
    commit()


@rolls_back
def remove_group_robot(actor, community):
    require(permissions.can_set_group_robot(actor, community), ONLY_COMMITTEE)
    if wecom.clear(community.id):
        record("community.group_robot_removed", community, actor=actor, community=community)
    commit()


def group_robot_of(community):
    """(the address masked, when it was set) or None, for the settings page."""
    hook = wecom.webhook_of(community.id)
    return (wecom.masked(hook.url), hook.set_at) if hook else None
