"""What review, meetings, speakers, votes and minutes share: the guards, scoped look-ups, and the
council's members and quorum (the transaction and refusals are app.core.service).

Every service function checks who acts (permissions), applies the consultation rules, writes
the audit log in the same transaction and commits. A refusal raises DomainError and nothing
is written.
"""

from flask import g, has_request_context
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from app.audit.services import record
from app.auth.models import User
from app.communities.models import Membership, MembershipStatus, Role
from app.core import version_cache
from app.core.service import get_or_404, require
from app.extensions import db
from app.matters.models import MicroMatter
from app.rules import proxies as proxy_rules

from . import permissions
from .models import ItemStatus, Meeting, MeetingItem, MeetingStatus

COUNCIL_ROLES = (Role.COUNCIL_MEMBER, Role.CHAIR)


def bump(meeting):
    """Every action changes the meeting's revision, so live views know to refresh."""
    meeting.revision = Meeting.revision + 1


def audit(action, obj, actor, meeting, **data):
    """Audit an action of a meeting: every entry names its community and the meeting."""
    record(action, obj, actor=actor, community=meeting.community_id, meeting_id=meeting.id, **data)


def verified_users(community, roles, *, holding=True):
    """Users who are verified members of the community now, by name: those with one of `roles`, or
    (`holding` False) those with none of them."""
    role = Membership.role.in_(list(roles)) if holding else Membership.role.not_in(list(roles))
    return db.session.scalars(
        select(User)
        .join(Membership, Membership.user_id == User.id)
        .where(Membership.community_id == community.id, Membership.status == MembershipStatus.VERIFIED, role)
        .order_by(User.display_name, User.id)
    ).all()


def council_members(community):
    """Users who are council members (incl. the council chair) of the community now (read once
    per page view: the meeting views ask for them from several places)."""
    return version_cache.per_view("council_members", community.id, lambda: verified_users(community, COUNCIL_ROLES))


def council_member_ids(community):
    return version_cache.per_view(
        "council_member_ids", community.id, lambda: frozenset(u.id for u in council_members(community))
    )


def secretary_candidates(community):
    return verified_users(community, [*COUNCIL_ROLES, Role.COMMITTEE])


def present_ids(meeting):
    """Council members checked in and not gone."""
    members = council_member_ids(meeting.community)
    return [a.user_id for a in meeting.attendances if a.left_at is None and a.user_id in members]


def acting_member(actor, meeting, member_id=None):
    """Who moves, seconds or asks to speak, and who entered it: the actor themselves (member_id
    None), or a council member checked in as present for whom the presiding chair records it.
    Returns (member, entered_by_id)."""
    if member_id is None:
        return actor, None
    require(
        permissions.can_enter_for_member(actor, meeting),
        _l("Only the presiding chair records this for a member without a phone."),
    )
    _is_open(meeting)
    require(
        member_id in present_ids(meeting),
        _l("The chair records this only for a council member checked in as present."),
    )
    return db.session.get(User, member_id), actor.id


def entered_ref(member, entered_by_id):
    """What an audit entry adds when the chair entered the act for the member."""
    return {"member_id": member.id, "entered_by_chair": True} if entered_by_id else {}


# Written proxies plug in here (app.proxies): finder(meeting) -> [(giver id, holder id)] not revoked.
_proxy_finders: list = []


def add_proxy_finder(finder):
    if finder not in _proxy_finders:
        _proxy_finders.append(finder)


def proxy_pairs(meeting):
    return version_cache.per_view(
        "proxy_pairs", meeting.id, lambda: [pair for finder in _proxy_finders for pair in finder(meeting)]
    )


def attended_ids(meeting):
    """Who checked in in person at some time of the meeting (not marked absent by the chair)."""
    return {a.user_id for a in meeting.attendances if not a.marked_absent_by_id}


def proxies_now(meeting, ruleset=None):
    """The written proxies that count now under the rules (app.rules.proxies.count)."""
    ruleset = ruleset or meeting.ruleset
    return proxy_rules.count(
        ruleset.proxy_rule,
        council_member_ids(meeting.community),
        present_ids(meeting),
        proxy_pairs(meeting),
        attended_ids(meeting),
        casting_chair=meeting.chair_id if proxy_rules.chair_cannot_hold(ruleset.proxy_rule, ruleset.tie_rule) else None,
    )


def chair_cannot_hold_proxy(meeting):
    """The meeting's rules leave the chair only the deciding vote while a proxy carries a vote, so
    the presiding chair holds no proxy (app.rules.proxies.chair_cannot_hold)."""
    return proxy_rules.chair_cannot_hold(meeting.ruleset.proxy_rule, meeting.ruleset.tie_rule)


def barred_from_the_chair(meeting):
    """Who may not take the chair: under chair_cannot_hold_proxy, the holders of a written proxy of
    the meeting that its giver has not cancelled by coming."""
    if not chair_cannot_hold_proxy(meeting):
        return set()
    attended = attended_ids(meeting)
    return {holder for giver, holder in proxy_pairs(meeting) if giver not in attended}


def quorum_now(meeting, ruleset=None):
    """Members present in person, plus the absent ones whose written proxy counts."""
    ruleset = ruleset or meeting.ruleset
    members = len(council_member_ids(meeting.community))
    return proxy_rules.quorum(proxies_now(meeting, ruleset), len(present_ids(meeting)), members, ruleset.quorum)


def get_meeting(community, meeting_id):
    """The meeting, held for the rest of the request: the session forgets rows nobody holds, and an
    action looks its meeting up more than once (for its form, then for the action)."""
    meeting = get_or_404(Meeting, meeting_id, community_id=community.id)
    if has_request_context():
        g.setdefault("_councils_meetings", {})[meeting.id] = meeting
    return meeting


def get_item(meeting, item_id):
    return get_or_404(MeetingItem, item_id, meeting_id=meeting.id)


def _matter(community, matter_id):
    return get_or_404(MicroMatter, matter_id, community_id=community.id)


def _run(actor, meeting):
    require(
        permissions.can_run_meeting(actor, meeting), _l("Only the chair or the secretary of this meeting can do this.")
    )


def _is_open(meeting):
    require(meeting.status == MeetingStatus.OPEN, _l("The meeting is not in session."))


def under_discussion(item):
    """Refuses unless the agenda item is the one open for discussion now."""
    require(item.status == ItemStatus.OPEN, _l("This item is not under discussion."))


def voters_now(meeting):
    """Who votes in a vote opened now: the members present in person and, under the rule "votes",
    the givers of the written proxies that count (through their holders); and how many absent
    members count for the quorum only (rule "quorum")."""
    counted = proxies_now(meeting)
    return proxy_rules.entitled(counted, present_ids(meeting)), counted.for_quorum - len(counted.voting)


def proxy_voter(user, meeting, vote, for_id=None):
    """Whose vote `user` casts: their own, or by written proxy that of `for_id` (one whose proxy
    `user` holds and that counts now under the rule "votes", entitled when the vote opened). A
    member who gave a proxy and did not come votes only through its holder."""
    if for_id is None:
        gave = {giver for giver, _holder in proxy_pairs(meeting)}
        require(
            user.id in attended_ids(meeting) or user.id not in gave,
            _l("You gave a written proxy for this meeting: its holder votes for you, or check in to vote yourself."),
        )
        return user.id
    require(
        proxies_now(meeting).voting.get(for_id) == user.id and for_id in vote.entitled,
        _l("You hold no written proxy of this member that counts in this vote."),
    )
    return for_id
