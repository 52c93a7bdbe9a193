"""Motions, amendments, points of order and votes during a meeting, from the chair's and the
members' views. Thin views over votes.py, with meeting_routes.py's way of acting: on a refusal
the view the action came from is shown again (400), otherwise it redirects back to it."""

from flask import flash, request
from flask_babel import gettext as _
from flask_login import current_user, login_required

from app.core.service import get_or_404

from . import bp, common, votes
from .forms import RulingForm, live_form
from .meeting_routes import _act, _int_field, _item_action, _member_id, _on_item_of, _refused_form, _unconfirmed
from .models import Motion, MotionKind, MotionVote, PointOfOrder, VoteMode
from .routes import _meeting


def _moved(meeting_id, key, move, mine, theirs):
    """A motion, amendment or point of order from its LIVE_FORMS form `key`: from the member's own
    view, or from the chair's view for a member without a phone. `move(meeting, form, member_id)`
    records it (member_id None: the user's own); `mine` or `theirs` is the message."""
    for_member = request.form.get("view") == "chair"
    if for_member:
        key = "chair_" + key
    form = live_form(key)
    if not form.validate_on_submit():
        return _refused_form(_meeting(meeting_id), form, key, "chair" if for_member else "member")
    member_id = form.member_id.data if for_member else None
    return _act(meeting_id, lambda m: move(m, form, member_id), theirs if for_member else mine, {key: form})


@bp.post("/meetings/<int:meeting_id>/items/<int:item_id>/motions")
@login_required
def move_motion(meeting_id, item_id):
    return _moved(
        meeting_id,
        "motion",
        lambda m, form, member_id: votes.move_motion(
            current_user, m, common.get_item(m, item_id), form.kind.data, form.budget.data, form.text.data, member_id
        ),
        _("Your motion is moved."),
        _("The motion is recorded for the member."),
    )


@bp.post("/meetings/<int:meeting_id>/items/<int:item_id>/amend")
@login_required
def amend(meeting_id, item_id):
    return _moved(
        meeting_id,
        "amend",
        lambda m, form, member_id: votes.move_procedural(
            current_user, m, common.get_item(m, item_id), MotionKind.AMEND, form.text.data, form.budget.data, member_id
        ),
        _("Your amendment is moved."),
        _("The amendment is recorded for the member."),
    )


@bp.post("/meetings/<int:meeting_id>/items/<int:item_id>/procedure")
@login_required
def procedure(meeting_id, item_id):
    """A motion to defer the item to a later meeting or to adjourn the meeting."""
    kind = request.form.get("kind", "")
    if kind not in (MotionKind.DEFER, MotionKind.ADJOURN):
        kind = ""  # the service refuses it with its message
    for_member = "member_id" in request.form
    return _item_action(
        meeting_id,
        item_id,
        lambda m, i: votes.move_procedural(current_user, m, i, kind, member_id=_member_id()),
        _("The motion is recorded for the member.") if for_member else _("Your motion is moved."),
    )


@bp.post("/meetings/<int:meeting_id>/points-of-order")
@login_required
def point_of_order(meeting_id):
    return _moved(
        meeting_id,
        "point",
        lambda m, form, member_id: votes.raise_point_of_order(current_user, m, form.text.data, member_id),
        _("Your point of order is raised; the chair rules on it."),
        _("The point of order is recorded for the member."),
    )


@bp.post("/meetings/<int:meeting_id>/points-of-order/<int:point_id>/ruling")
@login_required
def rule_on_point(meeting_id, point_id):
    meeting = _meeting(meeting_id)
    point = get_or_404(PointOfOrder, point_id, meeting_id=meeting.id)
    form = RulingForm(prefix=f"ruling{point.id}")
    if not form.validate_on_submit():
        return _refused_form(meeting, form, f"ruling{point.id}", "chair")
    return _act(
        meeting_id,
        lambda m: votes.rule_on_point(current_user, m, point, form.upheld.data == "yes", form.reason.data),
        _("The ruling is recorded."),
        {f"ruling{point.id}": form},
    )


def _motion(meeting, motion_id):
    return _on_item_of(meeting, Motion, motion_id)


@bp.post("/meetings/<int:meeting_id>/motions/<int:motion_id>/second")
@login_required
def second(meeting_id, motion_id):
    success = _("The seconding is recorded for the member.") if "member_id" in request.form else None
    return _act(
        meeting_id,
        lambda m: votes.second_motion(current_user, m, _motion(m, motion_id), _member_id()),
        success or _("You seconded the motion."),
    )


@bp.post("/meetings/<int:meeting_id>/motions/<int:motion_id>/withdraw")
@login_required
def withdraw_motion(meeting_id, motion_id):
    return _act(
        meeting_id,
        lambda m: votes.withdraw_motion(current_user, m, _motion(m, motion_id)),
        _("The motion was withdrawn."),
    )


@bp.post("/meetings/<int:meeting_id>/motions/<int:motion_id>/vote")
@login_required
def open_vote(meeting_id, motion_id):
    mode = request.form.get("mode", "")
    return _act(
        meeting_id, lambda m: votes.open_vote(current_user, m, _motion(m, motion_id), mode), _("The vote is open.")
    )


def _vote(meeting, vote_id):
    return get_or_404(MotionVote, vote_id, meeting_id=meeting.id)


def _ticked_choice(meeting_id, vote_id, key):
    """A ballot or a deciding vote, which cannot be changed once given: (the page refusing it without
    the tick box of LIVE_FORMS' `key`, else None; the choice sent). An unknown vote is a 404, ticked
    or not."""
    _vote(_meeting(meeting_id), vote_id)
    return _unconfirmed(meeting_id, key), request.form.get("choice", "")


@bp.post("/meetings/<int:meeting_id>/votes/<int:vote_id>/ballot")
@login_required
def ballot(meeting_id, vote_id):
    refused, choice = _ticked_choice(meeting_id, vote_id, "ballot")
    if refused is not None:
        return refused
    return _act(
        meeting_id, lambda m: votes.cast_vote(current_user, m, _vote(m, vote_id), choice), _("Your vote is recorded.")
    )


@bp.post("/meetings/<int:meeting_id>/votes/<int:vote_id>/hand")
@login_required
def hand(meeting_id, vote_id):
    member_id, choice = _int_field("user_id"), request.form.get("choice", "")
    return _act(meeting_id, lambda m: votes.record_hand(current_user, m, _vote(m, vote_id), member_id, choice))


@bp.post("/meetings/<int:meeting_id>/votes/<int:vote_id>/close")
@login_required
def close_vote(meeting_id, vote_id):
    form = live_form("close_vote")
    if not form.validate_on_submit():
        return _refused_form(_meeting(meeting_id), form, "close_vote", "chair")

    def action(meeting):
        vote = _vote(meeting, vote_id)
        counts = None
        if vote.mode == VoteMode.ANALOG:
            values = (form.yes.data, form.no.data, form.abstain.data)
            counts = None if any(v is None for v in values) else values
        _flash_result(vote, votes.close_vote(current_user, meeting, vote, counts))

    return _act(meeting_id, action, None, {"close_vote": form})


def _flash_result(vote, result):
    if result is not None:
        flash(_("Passed.") if result.passed else _("Not passed."), "success")
    elif votes.awaiting_casting_vote(vote):
        flash(
            _("The vote is tied. Under the rules the presiding chair, who did not vote, now gives the deciding vote."),
            "success",
        )
    elif not vote.motion.item.subject.on_agenda:
        flash(_("The micro-matter left the agenda list while the vote was open, so the vote is void."), "error")
    else:
        flash(
            _(
                "The secret ballot box did not hold exactly one choice per member who voted (a vote was "
                "interrupted), so the vote is void and counts nothing. Move the motion again."
            ),
            "error",
        )


@bp.post("/meetings/<int:meeting_id>/votes/<int:vote_id>/decide")
@login_required
def decide(meeting_id, vote_id):
    refused, choice = _ticked_choice(meeting_id, vote_id, "decide")
    if refused is not None:
        return refused

    def action(meeting):
        vote = _vote(meeting, vote_id)
        _flash_result(vote, votes.cast_deciding_vote(current_user, meeting, vote, choice))

    return _act(meeting_id, action)
