"""What is done during a meeting, from the chair, secretary or member views: opening and closing
it, attendance and check-in, handing over the chair, items and speakers (motions, points of
order and votes: motion_routes.py).

Each action is a thin view: on a refusal (DomainError) the view it came from is shown again
with status 400 and the message; otherwise it redirects back to that view.
"""

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from app.core.errors import DomainError, refuse
from app.core.params import parse_id
from app.extensions import db

from . import attendance as attendance_services
from . import bp, common, live_views, permissions
from . import meetings as meeting_services
from . import speakers as speaker_services
from .forms import live_form
from .models import SpeakingTurn
from .routes import _form_errors, _meeting


def _view():
    """The view an action came from (the page shown again on a refusal)."""
    view = request.form.get("view")
    return view if view in live_views.LIVE_VIEWS else "public"


def _act(meeting_id, action, success=None, forms_on_error=None):
    """Run a meeting action; on refusal show the page it came from again (400) with the message."""
    meeting = _meeting(meeting_id)
    view = _view()
    try:
        action(meeting)
    except DomainError as error:
        flash(error.message, "error")
        return live_views.refused(meeting, view, forms_on_error)
    if success:
        flash(success, "success")
    return redirect(url_for(live_views.VIEW_ENDPOINTS[view], meeting_id=meeting_id))


def _int_field(name):
    return parse_id(request.form.get(name, ""))


def _member_id():
    """The member the presiding chair records an act for; None when members act themselves."""
    if "member_id" not in request.form:
        return None
    member_id = _int_field("member_id")
    if member_id is None:
        raise DomainError(_("Choose the member."))
    return member_id


def _refused_form(meeting, form, key, view):
    """A form that did not validate: `view` again (400) with its errors, the form kept as `key`."""
    flash(_form_errors(form) or _("Please check the form."), "error")
    return live_views.refused(meeting, view, {key: form})


def _unconfirmed(meeting_id, key):
    """An irreversible action's form (LIVE_FORMS' `key`) without its tick box: the page again (400)
    with the reason."""
    form = live_form(key)
    if form.validate_on_submit():
        return None
    return _refused_form(_meeting(meeting_id), form, key, _view())


@bp.post("/meetings/<int:meeting_id>/open")
@login_required
def open_meeting(meeting_id):
    return _act(meeting_id, lambda m: meeting_services.open_meeting(current_user, m), _("The meeting is open."))


@bp.post("/meetings/<int:meeting_id>/close")
@login_required
def close_meeting(meeting_id):
    refused = _unconfirmed(meeting_id, "close_meeting")
    if refused is not None:
        return refused
    meeting = _meeting(meeting_id)
    try:
        meeting_services.close_meeting(current_user, meeting)
    except DomainError as error:
        flash(error.message, "error")
        return live_views.refused(meeting, "chair" if request.form.get("view") == "chair" else "public")
    flash(_("The meeting is closed. The draft minutes are ready."), "success")
    return redirect(url_for("councils.minutes", meeting_id=meeting_id))


@bp.post("/meetings/<int:meeting_id>/attendance")
@login_required
def attendance(meeting_id):
    user_id = _int_field("user_id")
    action = request.form.get("action")
    if action == "out":
        return _act(meeting_id, lambda m: attendance_services.check_out(current_user, m, user_id))
    if action == "absent":
        return _act(
            meeting_id,
            lambda m: attendance_services.mark_absent(current_user, m, user_id),
            _("The member is marked absent."),
        )
    return _act(meeting_id, lambda m: attendance_services.check_in(current_user, m, user_id))


def _checkin_page(meeting, token, status=200):
    return render_template(
        "councils/checkin.html",
        community=meeting.community,
        meeting=meeting,
        token=token,
        is_member=permissions.can_take_part(current_user, meeting),
        present=current_user.id in common.present_ids(meeting),
        checkin_open=attendance_services.checkin_is_open(meeting),
        code_valid=attendance_services.checkin_code_valid(meeting, token),
    ), status


@bp.route("/meetings/<int:meeting_id>/checkin/<token>", methods=["GET", "POST"])
@login_required
def checkin(meeting_id, token):
    meeting = _meeting(meeting_id)
    if request.method == "POST":
        try:
            attendance_services.self_check_in(current_user, meeting, token)
        except DomainError as error:
            if attendance_services.checkin_code_valid(meeting, token):  # else the page itself says the code expired
                flash(error.message, "error")
            return _checkin_page(meeting, token, 400)
        flash(_("You are checked in."), "success")
        return redirect(url_for("councils.member_view", meeting_id=meeting.id))
    return _checkin_page(meeting, token, 200 if attendance_services.checkin_code_valid(meeting, token) else 400)


@bp.post("/meetings/<int:meeting_id>/handover")
@login_required
def handover(meeting_id):
    meeting = _meeting(meeting_id)
    form = live_views.handover_form(meeting, live_form("handover"))
    if not form.validate_on_submit():
        return _refused_form(meeting, form, "handover", "chair")
    return _act(
        meeting_id,
        lambda m: attendance_services.hand_over_chair(current_user, m, form.to_user_id.data, form.reason.data),
        _("The chair was handed over."),
        {"handover": form},
    )


def _on_item_of(meeting, model, row_id):
    """A speaking turn or a motion on an item of this meeting, or 404."""
    row = db.session.get(model, row_id)
    if row is None or row.item.meeting_id != meeting.id:
        refuse(404)
    return row


def _item_action(meeting_id, item_id, func, success=None):
    def action(meeting):
        func(meeting, common.get_item(meeting, item_id))

    return _act(meeting_id, action, success)


@bp.post("/meetings/<int:meeting_id>/items/<int:item_id>/open")
@login_required
def open_item(meeting_id, item_id):
    return _item_action(meeting_id, item_id, lambda m, i: meeting_services.open_item(current_user, m, i))


@bp.post("/meetings/<int:meeting_id>/items/<int:item_id>/close")
@login_required
def close_item(meeting_id, item_id):
    return _item_action(
        meeting_id,
        item_id,
        lambda m, i: meeting_services.close_item(current_user, m, i),
        _("The item was closed without a decision; it stays on the agenda list."),
    )


@bp.post("/meetings/<int:meeting_id>/items/<int:item_id>/speak")
@login_required
def speak(meeting_id, item_id):
    stance = request.form.get("stance", "")
    for_member = "member_id" in request.form
    return _item_action(
        meeting_id,
        item_id,
        lambda m, i: speaker_services.ask_to_speak(current_user, m, i, stance, _member_id()),
        _("The member is on the speakers list.") if for_member else _("You are on the speakers list."),
    )


@bp.post("/meetings/<int:meeting_id>/items/<int:item_id>/next-speaker")
@login_required
def next_speaker(meeting_id, item_id):
    return _item_action(meeting_id, item_id, lambda m, i: speaker_services.next_speaker(current_user, m, i))


@bp.post("/meetings/<int:meeting_id>/items/<int:item_id>/end-turn")
@login_required
def end_turn(meeting_id, item_id):
    return _item_action(meeting_id, item_id, lambda m, i: speaker_services.end_turn(current_user, m, i))


@bp.post("/meetings/<int:meeting_id>/turns/<int:turn_id>/withdraw")
@login_required
def withdraw_turn(meeting_id, turn_id):
    def action(meeting):
        speaker_services.withdraw_request(current_user, meeting, _on_item_of(meeting, SpeakingTurn, turn_id))

    return _act(meeting_id, action)
