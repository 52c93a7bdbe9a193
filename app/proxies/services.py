"""Giving, recording and revoking written proxies, and what they counted for.

How a proxy counts (the quorum, the votes) is app.rules.proxies, applied by the councils through
`councils.common.add_proxy_finder`; this module keeps the proxies themselves. Every change is
audited in its transaction.
"""

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from app.auth.models import User
from app.core import clock, version_cache
from app.core.service import commit, get_or_404, insert_once, require
from app.councils.common import attended_ids, audit, chair_cannot_hold_proxy, council_member_ids, proxies_now
from app.extensions import db
from app.rules.choices import ProxyRule

from . import permissions
from .models import Channel, Proxy

TAKEN = _l("This member already gives or holds a written proxy for this meeting.")
CHAIR_HOLDS_NONE = _l(
    "The chair of this meeting holds no written proxy: under the rules the chair gives only the deciding vote "
    "on a tie, so the vote the proxy carries would be lost. Give it to another council member."
)


def in_force(meeting):
    """The proxies of the meeting not revoked, in the order given (read once per page view: the
    quorum, the votes and the proxies panel each ask)."""
    return version_cache.per_view(
        "proxies_in_force",
        meeting.id,
        lambda: db.session.scalars(
            select(Proxy).where(Proxy.meeting_id == meeting.id, Proxy.revoked_at.is_(None)).order_by(Proxy.id)
        ).all(),
    )


def pairs(meeting):
    """(giver id, holder id) of the proxies in force: what the councils count (add_proxy_finder)."""
    return [(p.giver_id, p.holder_id) for p in in_force(meeting)]


def get_proxy(meeting, proxy_id):
    return get_or_404(Proxy, proxy_id, meeting_id=meeting.id)


def _create(actor, meeting, giver_id, holder_id, channel):
    members = council_member_ids(meeting.community)
    require(giver_id in members, _l("Only a council member gives a written proxy."))
    require(holder_id in members, _l("A written proxy goes to another council member."))
    require(giver_id != holder_id, _l("A member cannot hold their own proxy."))
    require(not (holder_id == meeting.chair_id and chair_cannot_hold_proxy(meeting)), CHAIR_HOLDS_NONE)
    require(giver_id not in attended_ids(meeting), _l("This member has checked in and attends in person."))
    taken = {p.giver_id for p in in_force(meeting)} | {p.holder_id for p in in_force(meeting)}
    require(giver_id not in taken and holder_id not in taken, TAKEN)
    proxy = insert_once(
        Proxy(
            meeting_id=meeting.id,
            giver_id=giver_id,
            holder_id=holder_id,
            channel=channel,
            given_at=clock.now(),
            recorded_by_id=actor.id,
        ),
        TAKEN,
    )
    audit("proxy.given", proxy, actor, meeting, giver_id=giver_id, holder_id=holder_id, channel=channel)
    commit(TAKEN)
    return proxy


def give(user, meeting, holder_id):
    """A council member gives their proxy online, before the meeting opens."""
    require(
        permissions.can_give_proxy(user, meeting),
        _l("Written proxies are given by council members before the meeting opens, when the rules allow them."),
    )
    return _create(user, meeting, user.id, holder_id, Channel.ONLINE)


def record_paper(actor, meeting, giver_id, holder_id):
    """The chair, the secretary or the committee enters a proxy the member signed on paper."""
    require(
        permissions.can_record_proxy(actor, meeting),
        _l("Only the chair, the secretary or the committee records a paper proxy, before the meeting opens."),
    )
    return _create(actor, meeting, giver_id, holder_id, Channel.PAPER)


def revoke(actor, proxy):
    require(
        permissions.can_revoke_proxy(actor, proxy),
        _l("A proxy is revoked by its giver, the chair or the committee, before the meeting opens."),
    )
    proxy.revoked_at, proxy.revoked_by_id = clock.now(), actor.id
    audit("proxy.revoked", proxy, actor, proxy.meeting, giver_id=proxy.giver_id, holder_id=proxy.holder_id)
    commit()


def _name(user_id):
    user = db.session.get(User, user_id)
    return user.display_name if user else ""


def minutes_entries(meeting):
    """The proxies in the minutes (names, as the rest of the minutes): giver, holder, how it was
    given, and what it counted for: "quorum" or "votes" as the rules say ("quorum" for one the chair
    holds while keeping the deciding vote), "cancelled" when the giver checked in in person,
    "not_counted" when the holder did not attend, "none" when the rules applied at the meeting allow
    no proxies."""
    rule = meeting.ruleset.proxy_rule
    attended = attended_ids(meeting)
    entries = []
    for proxy in in_force(meeting):
        if proxy.giver_id in attended:
            counted = "cancelled"
        elif rule == ProxyRule.NONE:
            counted = "none"
        elif proxy.holder_id not in attended:
            counted = "not_counted"
        elif proxy.holder_id == meeting.chair_id and chair_cannot_hold_proxy(meeting):
            counted = str(ProxyRule.QUORUM)  # the chair keeps the deciding vote and casts none
        else:
            counted = str(rule)
        entries.append(
            {
                "giver": _name(proxy.giver_id),
                "holder": _name(proxy.holder_id),
                "channel": proxy.channel,
                "recorded_by": _name(proxy.recorded_by_id),
                "given_at": proxy.given_at.isoformat(timespec="seconds"),
                "counted": counted,
            }
        )
    return entries


def holder_votes(user, meeting, vote):
    """The givers whose vote `user` may cast in `vote` now (at most one), with whether it is cast."""
    counted = proxies_now(meeting).voting
    return [giver for giver, holder in counted.items() if holder == user.id and giver in vote.entitled]
