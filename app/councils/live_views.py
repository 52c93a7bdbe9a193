"""What the four views of a meeting show (public page, chair, projector, member): the context
built fresh for each request or poll, who may see which view, and the rendered page."""

from flask import make_response, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import bindparam, select
from sqlalchemy.orm import joinedload, selectinload

from app.core import clock
from app.core.errors import refuse
from app.core.qr import qr_svg
from app.core.urls import absolute_url
from app.extensions import db

from . import attendance as attendance_services
from . import common, permissions, votes
from . import meetings as meeting_services
from . import minutes as minutes_services
from . import speakers as speaker_services
from .forms import OpenVoteForm, RulingForm, live_form
from .models import AgendaItem, Choice, Meeting, MeetingItem, MeetingStatus, Motion, MotionVote, Stance, VoteMode

LIVE_VIEWS = ("chair", "projector", "member", "public")
# Each view's page (routes.py): an action sends its author back to the view it came from.
VIEW_ENDPOINTS = {
    "public": "councils.meeting",
    "chair": "councils.chair_view",
    "projector": "councils.projector_view",
    "member": "councils.member_view",
}
POLL_MS = 2500


def _remaining_seconds(turn):
    if turn is None or turn.ends_at is None:
        return None
    return max(0, int((turn.ends_at - clock.now()).total_seconds()))


def _qr_svg(meeting):
    """This minute's check-in link (from PUBLIC_BASE_URL) and its QR code."""
    url = absolute_url(
        url_for("councils.checkin", meeting_id=meeting.id, token=attendance_services.checkin_code(meeting))
    )
    return url, qr_svg(url, _("QR code to check in"), scale=5)


def live_key(meeting, view):
    """What a live region shows depends on: the meeting's revision, a turn whose time is up (shown
    over before its end is stored), and for the projector the minute too (its QR code changes every
    minute)."""
    key = str(meeting.revision)
    if meeting.status == MeetingStatus.OPEN and (time_up := speaker_services.time_up_turn_id(meeting)):
        key += f"-up{time_up}"
    if view == "projector":
        key += f"-{attendance_services.checkin_code(meeting)}"
    return key


# The meeting with what its views show (items, motions, votes, results, speakers, attendance, points
# of order): one statement per kind, not one per row as the views walk them. Built once: SQLAlchemy
# keeps the cache key of a statement object, which it would otherwise work out on every poll.
_FOR_VIEW = (
    select(Meeting)
    .where(Meeting.id == bindparam("meeting_id"), Meeting.community_id == bindparam("community_id"))
    .options(
        joinedload(Meeting.ruleset),
        joinedload(Meeting.chair),
        joinedload(Meeting.secretary),
        joinedload(Meeting.attendances),  # the one collection joined to the meeting's single row
        selectinload(Meeting.points_of_order),
        selectinload(Meeting.items).options(
            joinedload(MeetingItem.agenda_item).joinedload(AgendaItem.matter),
            selectinload(MeetingItem.turns),
            selectinload(MeetingItem.motions).options(
                joinedload(Motion.vote).joinedload(MotionVote.result), selectinload(Motion.seconders)
            ),
        ),
    )
)


def meeting_for_view(community, meeting_id, refresh=False):
    """The meeting with what its views show, or 404. `refresh`: what the session holds of it is read
    again (populate_existing)."""
    meeting = (
        db.session.scalars(
            _FOR_VIEW,
            {"meeting_id": meeting_id, "community_id": community.id},
            execution_options={"populate_existing": refresh},
        )
        .unique()
        .first()
    )
    if meeting is None:
        refuse(404)
    return meeting


class Viewer:
    """Who looks at a meeting's view, asked once per request: the views, the check of who may
    see which and the templates all ask."""

    def __init__(self, meeting, user=None):
        user = current_user if user is None else user
        self.user = user
        self.signed_in = bool(getattr(user, "is_authenticated", False))
        self.can_run = permissions.can_run_meeting(user, meeting)
        self.presiding = permissions.is_presiding(user, meeting)
        self.is_member = permissions.can_take_part(user, meeting)


def live_context(meeting, view, forms=None, viewer=None):
    """What the live view `view` shows (and nothing it does not), computed fresh for each request
    or poll; the council's members, who is present and the quorum are worked out once."""
    forms = forms or {}
    viewer = viewer or Viewer(meeting)
    me = getattr(viewer.user, "id", None)
    ruleset = meeting.ruleset
    item = meeting_services.current_item(meeting)
    motion = speaker_services.active_motion(item) if item else None
    turn = speaker_services.turn_on_floor(meeting, item) if item else None
    vote = motion.vote if motion is not None and motion.vote is not None and motion.vote.is_open else None
    members = common.council_members(meeting.community)
    present = set(common.present_ids(meeting))
    results = [m.vote.result for i in meeting.items for m in i.motions if m.vote and m.vote.result]
    ctx = {
        "community": meeting.community,
        "meeting": meeting,
        "view": view,
        "ruleset": ruleset,
        "quorum": common.quorum_now(meeting),
        "item": item,
        "motion": motion,
        "turn": turn,
        "remaining": _remaining_seconds(turn),
        "vote": vote,
        "live_key": live_key(meeting, view),
        "last_result": max(results, key=lambda r: r.id) if results else None,
        "poll_ms": POLL_MS,
        # The motions the one before the meeting was moved on (voted after it).
        "pending_motions": [m for m in item.motions if m.active and m is not motion] if item else [],
        "unruled": [p for p in meeting.points_of_order if p.ruled_at is None],
        "MeetingStatus": MeetingStatus,
        "VoteMode": VoteMode,
    }
    if vote is not None:
        if vote.mode == VoteMode.SECRET:
            ctx["voted_count"] = votes.voted_count(vote)
        else:  # the ballots read once for the count, the own ballot and the tally
            ctx["voted_count"] = len(vote.ballots)
    if view == "public":
        ctx["can_run"], ctx["is_member"] = viewer.can_run, viewer.is_member
        return ctx
    ctx["queue"] = speaker_services.queue(item) if item else []
    ctx["tied_vote"] = motion.vote if motion is not None and votes.awaiting_casting_vote(motion.vote) else None
    if view == "projector":
        ctx["checkin_open"] = attendance_services.checkin_is_open(meeting)
        ctx["checkin_url"], ctx["qr_svg"] = _qr_svg(meeting)
        return ctx
    ctx.update(
        me=me,
        presiding=viewer.presiding,
        points=meeting.points_of_order,
        may_move=votes.may_move(item),
    )
    if vote is not None:
        ctx["ballot_form"] = _shown(forms, "ballot")
        if vote.mode == VoteMode.SECRET:
            ctx["has_voted"] = votes.has_voted(vote, me) if me else False
        else:
            ctx["has_voted"] = me is not None and any(b.user_id == me for b in vote.ballots)
        ctx["can_vote"] = me in vote.entitled
    if view == "member":
        ctx.update(_for_the_member(meeting, item, motion, vote, me, present, forms))
    else:
        ctx.update(_for_the_chair(meeting, item, motion, vote, viewer, members, present, forms))
    return ctx


def _for_the_member(meeting, item, motion, vote, me, present, forms):
    """What only the member's view shows: their own turns, seconding and vote, and their forms."""
    ctx = {
        "me_present": me in present,
        "motion_form": _shown(forms, "motion"),
        "amendment_form": _shown(forms, "amend"),
        "point_form": _shown(forms, "point"),
    }
    if vote is not None:
        ctx["keeps_casting_vote"] = me is not None and me == vote.casting_chair_id
    if item is not None:  # the motions this item's subject takes
        kinds = item.subject.motion_kinds
        ctx["motion_form"].kind.choices = [c for c in ctx["motion_form"].kind.choices if c[0] in kinds]
        if me is not None:
            ctx["my_turns"] = speaker_services.turns_taken(item, me)
            ctx["my_waiting"] = next((t for t in item.turns if t.user_id == me and t.status == "waiting"), None)
            ctx["seconded"] = motion is not None and any(s.user_id == me for s in motion.seconders)
    return ctx


def _for_the_chair(meeting, item, motion, vote, viewer, members, present, forms):
    """What only the chair's console shows: attendance, the named vote by member, and its forms."""
    ruleset = meeting.ruleset
    modes = votes.allowed_modes(ruleset)
    ctx = {
        "members": members,
        "present": present,
        "attendance": {a.user_id: a for a in meeting.attendances},
        "checkin_open": attendance_services.checkin_is_open(meeting),
        "can_mark_absent": viewer.presiding and viewer.can_run,
        "can_call_speakers": item is not None and speaker_services.can_be_called(item),
        "Stance": Stance,
        "Choice": Choice,
        "handover_form": forms.get("handover") or handover_form(meeting),
        "open_vote_form": forms.get("open_vote") or OpenVoteForm(formdata=None, mode=str(modes[0])),
        "close_vote_form": _shown(forms, "close_vote"),
        "close_meeting_form": _shown(forms, "close_meeting"),
        "decide_form": _shown(forms, "decide"),
        "ruling_forms": {
            p.id: forms.get(f"ruling{p.id}") or RulingForm(formdata=None, prefix=f"ruling{p.id}")
            for p in meeting.points_of_order
            if p.ruled_at is None
        },
    }
    ctx["open_vote_form"].mode.choices = VoteMode.choices(modes)
    if vote is not None and vote.mode == VoteMode.NAMED:
        ctx["tally"] = votes.count_choices(vote.ballots)
        ctx["ballots"] = {b.user_id: b for b in vote.ballots}
    if item is not None and viewer.presiding and meeting.status == MeetingStatus.OPEN:
        ctx.update(_for_members(meeting, item, motion, members, present, forms))
    return ctx


def _shown(forms, key):
    """The form refused under `key`, with what was typed and its errors, or a blank one."""
    return forms.get(key) or live_form(key, formdata=None)


def _for_members(meeting, item, motion, members, present, forms):
    """What the presiding chair may record for a member present without a phone (the services
    check again): a motion, a seconding of the motion waiting for seconders, a speaker request."""
    in_room = [(u.id, u.display_name) for u in members if u.id in present and u.id != meeting.chair_id]
    form = _shown(forms, "chair_motion")
    form.member_id.choices = in_room
    form.kind.choices = [c for c in form.kind.choices if c[0] in item.subject.motion_kinds]
    seconders = {s.user_id for s in motion.seconders} if motion else set()
    amendment = _shown(forms, "chair_amend")
    point = _shown(forms, "chair_point")
    amendment.member_id.choices = point.member_id.choices = in_room
    return {
        "chair_motion_form": form,
        "chair_amendment_form": amendment,
        "chair_point_form": point,
        "in_room": in_room,
        "may_second": [
            (uid, name) for uid, name in in_room if motion and uid != motion.mover_id and uid not in seconders
        ],
    }


def handover_form(meeting, form=None):
    form = form or live_form("handover", formdata=None)
    present = set(common.present_ids(meeting))
    barred = common.barred_from_the_chair(meeting)
    candidates = [
        u
        for u in common.council_members(meeting.community)
        if u.id not in (meeting.chair_id, meeting.secretary_id)
        and u.id not in barred
        and (meeting.status != MeetingStatus.OPEN or u.id in present)
    ]
    form.to_user_id.choices = [(u.id, u.display_name) for u in candidates]
    return form


def check_view(meeting, view, viewer=None):
    if view == "public":
        return
    viewer = viewer or Viewer(meeting)
    if not viewer.signed_in:
        refuse(403, _("Please log in first."))
    if view in ("chair", "projector") and not viewer.can_run:
        refuse(403, _("Only the chair or the secretary of this meeting can use this view."))
    if view == "member" and not viewer.is_member:
        refuse(403, _("This view is for council members."))


def _usable_view(viewer, view):
    """After a refusal, show the view the action came from, or one this person may see."""
    if view in ("chair", "projector") and not viewer.can_run:
        view = "member"
    if view == "member" and not viewer.is_member:
        view = "public"
    return view


def render_view(meeting, view, status=200, forms=None):
    viewer = Viewer(meeting)
    if status >= 400:
        view = _usable_view(viewer, view)
    check_view(meeting, view, viewer)
    ctx = live_context(meeting, view, forms, viewer)
    if view == "public":
        ctx["minutes"] = minutes_services.original(meeting)
    response = make_response(render_template(f"councils/meeting_{view}.html", **ctx), status)
    response.headers["Cache-Control"] = "no-store"
    return response


def refused(meeting, view, forms=None):
    """The page a refused action came from, again (400), as it is stored: the meeting with what its
    views show read again in a few statements (replacing what the action loaded one row at a time,
    and anything it changed before it was refused; nothing is written)."""
    with db.session.no_autoflush:
        meeting = meeting_for_view(meeting.community, meeting.id, refresh=True)
    return render_view(meeting, view, 400, forms)
