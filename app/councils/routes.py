"""Review, the agenda list, meetings (public page, chair, projector and member views) and minutes.

Views are thin: they parse the request, call a service, and render or redirect. A refusal
(DomainError) is flashed and the page the action came from is shown again with status 400.
"""
from datetime import timedelta

from flask import flash, make_response, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import to_user_timezone, to_utc
from flask_login import current_user, login_required

from app.communities.permissions import is_committee
from app.communities.scoping import current_community
from app.core.errors import DomainError, refuse
from app.core.i18n import money
from app.core.qr import qr_svg
from app.core.urls import absolute_url
from app.extensions import db
from app.matters.lifecycle import Status, status_label
from app.matters.models import CATEGORY_LABELS, PROJECT_TYPE_LABELS
from app.rules import admissibility
from app.rules.describe import BASE_LABELS, MAJORITY_LABELS, quorum_phrase, rule_summary
from app.rules.services import current_ruleset

from . import bp, clock, permissions, services, votes
from . import minutes as minutes_services
from .forms import (
    AdmitForm,
    CloseVoteForm,
    CorrectionForm,
    DeclineForm,
    HandoverForm,
    MeetingForm,
    MotionForm,
    NotesForm,
    OpenVoteForm,
)
from .models import (
    CHECKIN_METHOD_LABELS,
    CHOICE_LABELS,
    ITEM_STATUS_LABELS,
    MEETING_STATUS_LABELS,
    MOTION_KIND_LABELS,
    MOTION_STATUS_LABELS,
    STANCE_LABELS,
    VOTE_MODE_LABELS,
    Choice,
    MeetingStatus,
    MotionVote,
    SpeakingTurn,
    Stance,
    VoteMode,
)

LIVE_VIEWS = ("chair", "projector", "member", "public")
POLL_MS = 2500


# ---------------------------------------------------------------- shared helpers

def category_label(value):
    return _(CATEGORY_LABELS[value]) if value in CATEGORY_LABELS else value


def check_text(check):
    return admissibility.message(check, gettext=_, money=money, label=category_label)


def vote_rule_text(result):
    """“simple majority of members present, quorum more than 1/2, rule set v3” for a result (row or dict)."""
    get = result.get if isinstance(result, dict) else lambda key: getattr(result, key)
    return rule_summary(majority_rule=get("majority_rule"), majority_base=get("base_kind"),
                        quorum_numerator=get("quorum_numerator"), quorum_denominator=get("quorum_denominator"),
                        quorum_strict=get("quorum_strict"), version=get("ruleset_version"), gettext=_)


def quorum_text(ruleset):
    """“more than 1/2” for a rule set (row, or the dict kept in locked minutes)."""
    get = ruleset.get if isinstance(ruleset, dict) else lambda key: getattr(ruleset, key)
    return quorum_phrase(get("quorum_numerator"), get("quorum_denominator"), get("quorum_strict"), _)


@bp.context_processor
def council_helpers():
    return {
        "status_label": status_label, "category_label": category_label, "check_text": check_text,
        "vote_rule_text": vote_rule_text, "quorum_text": quorum_text,
        "item_status_labels": ITEM_STATUS_LABELS, "meeting_status_labels": MEETING_STATUS_LABELS,
        "motion_kind_labels": MOTION_KIND_LABELS, "motion_status_labels": MOTION_STATUS_LABELS,
        "stance_labels": STANCE_LABELS, "choice_labels": CHOICE_LABELS, "vote_mode_labels": VOTE_MODE_LABELS,
        "majority_labels": MAJORITY_LABELS, "base_labels": BASE_LABELS, "type_labels": PROJECT_TYPE_LABELS,
        "checkin_method_labels": CHECKIN_METHOD_LABELS, "perm": permissions,
    }


def _form_errors(form):
    return "; ".join(str(e) for errors in form.errors.values() for e in errors if e)


# ---------------------------------------------------------------- review

def _review_page(status=200, forms=None):
    community = current_community()
    if not permissions.can_review(current_user, community):
        refuse(403, _("Only the committee reviews micro-matters."))
    ruleset = current_ruleset(community)
    queue = []
    for matter in services.review_queue(community):
        admit_form, decline_form = (forms or {}).get(matter.id, (None, None))
        queue.append({
            "matter": matter,
            "checks": [c.as_dict() for c in services.checks_for(matter, ruleset)],
            "admit_form": admit_form or AdmitForm(prefix=f"a{matter.id}"),
            "decline_form": decline_form or DeclineForm(prefix=f"d{matter.id}"),
        })
    return render_template("councils/review.html", community=community, ruleset=ruleset, queue=queue,
                           recent=services.recent_reviews(community)), status


@bp.get("/review")
@login_required
def review():
    return _review_page()[0]


@bp.post("/review/<int:matter_id>/admit")
@login_required
def admit(matter_id):
    community = current_community()
    form = AdmitForm(prefix=f"a{matter_id}")
    if form.validate_on_submit():
        try:
            services.admit(current_user, community, matter_id, form.judged.data, form.note.data)
        except DomainError as error:
            flash(error.message, "error")
        else:
            flash(_("Admitted to the agenda list."), "success")
            return redirect(url_for("councils.review"))
    else:
        flash(_form_errors(form) or _("Please check the form."), "error")
    return _review_page(400, {matter_id: (form, None)})


@bp.post("/review/<int:matter_id>/decline")
@login_required
def decline(matter_id):
    community = current_community()
    form = DeclineForm(prefix=f"d{matter_id}")
    if form.validate_on_submit():
        try:
            services.decline(current_user, community, matter_id, form.reason.data)
        except DomainError as error:
            flash(error.message, "error")
        else:
            flash(_("Declined; the reason is published."), "success")
            return redirect(url_for("councils.review"))
    else:
        flash(_("Please give a reason; it will be published."), "error")
    return _review_page(400, {matter_id: (None, form)})


# ---------------------------------------------------------------- agenda list

@bp.get("/agenda/")
def agenda():
    community = current_community()
    waiting, done = services.agenda(community)
    return render_template("councils/agenda.html", community=community, waiting=waiting, done=done,
                           scheduled={item.id: services.scheduled_item(item) for item in waiting},
                           can_manage=permissions.can_manage_agenda(current_user, community),
                           can_review=permissions.can_review(current_user, community))


@bp.post("/agenda/<int:item_id>/move")
@login_required
def move_agenda_item(item_id):
    try:
        services.move_agenda_item(current_user, current_community(), item_id, request.form.get("direction"))
    except DomainError as error:
        flash(error.message, "error")
    return redirect(url_for("councils.agenda") + f"#a{item_id}")


# ---------------------------------------------------------------- meetings: list, schedule, public page

@bp.get("/meetings/")
def meetings():
    community = current_community()
    upcoming, past = services.meetings(community)
    return render_template("councils/meetings.html", community=community, upcoming=upcoming, past=past,
                           can_schedule=permissions.can_schedule(current_user, community),
                           minutes_of={m.id: minutes_services.original(m) for m in past})


def _meeting_form(community, form=None):
    form = form or MeetingForm()
    council = services.council_members(community)
    form.chair_id.choices = [(u.id, u.display_name) for u in council]
    form.secretary_id.choices = [(u.id, u.display_name) for u in services.secretary_candidates(community)]
    form.items.choices = [(item.id, item.matter.title) for item in services.schedulable_items(community)]
    return form


@bp.route("/meetings/new", methods=["GET", "POST"])
@login_required
def new_meeting():
    community = current_community()
    if not permissions.can_schedule(current_user, community):
        refuse(403, _("Only the committee schedules meetings."))
    form = _meeting_form(community)
    ruleset = current_ruleset(community)
    if request.method == "GET":
        chair = next((m for m in services.council_members(community)
                      if permissions.membership_of(m, community).role == "chair"), None)
        form.chair_id.data = chair.id if chair else None
        form.secretary_id.data = current_user.id
        starts = to_user_timezone(clock.now() + timedelta(days=ruleset.notice_days + 1))
        form.starts_at.data = starts.replace(hour=19, minute=0, second=0, microsecond=0, tzinfo=None)
        return render_template("councils/meeting_form.html", community=community, form=form, ruleset=ruleset)
    if form.validate_on_submit():
        try:
            meeting = services.schedule_meeting(
                current_user, community, title=form.title.data, starts_at=to_utc(form.starts_at.data),
                place=form.place.data, chair_id=form.chair_id.data, secretary_id=form.secretary_id.data,
                agenda_item_ids=form.items.data, urgent=form.urgent.data, urgent_reason=form.urgent_reason.data)
        except DomainError as error:
            flash(error.message, "error")
        else:
            flash(_("The meeting is scheduled and the council is notified."), "success")
            return redirect(url_for("councils.meeting", meeting_id=meeting.id))
    return render_template("councils/meeting_form.html", community=community, form=form, ruleset=ruleset), 400


def _meeting(meeting_id):
    return services.get_meeting(current_community(), meeting_id)


@bp.get("/meetings/<int:meeting_id>")
def meeting(meeting_id):
    return _render_view(_meeting(meeting_id), "public")


# ---------------------------------------------------------------- live views

def _remaining_seconds(turn):
    if turn is None or turn.ends_at is None:
        return None
    return max(0, int((turn.ends_at - clock.now()).total_seconds()))


def _qr_svg(meeting):
    """This minute's check-in link (from PUBLIC_BASE_URL) and its QR code."""
    url = absolute_url(url_for("councils.checkin", meeting_id=meeting.id, token=services.checkin_code(meeting)))
    return url, qr_svg(url, _("QR code to check in"), scale=5)


def _live_key(meeting, view):
    """What a live region shows depends on: the meeting's revision, and for the projector the
    minute too (its QR code changes every minute)."""
    if view == "projector":
        return f"{meeting.revision}-{services.checkin_code(meeting)}"
    return str(meeting.revision)


def live_context(meeting, view, forms=None):
    """Everything the four live views show, computed fresh for each request or poll."""
    forms = forms or {}
    user = current_user
    community = meeting.community
    ruleset = meeting.ruleset
    item = services.current_item(meeting)
    motion = services.active_motion(item) if item else None
    last_motion = item.motions[-1] if item and item.motions else None
    turn = services.current_turn(item) if item else None
    vote = motion.vote if motion is not None and motion.vote is not None and motion.vote.is_open else None
    tied_vote = motion.vote if motion is not None and votes.awaiting_casting_vote(motion.vote) else None
    members = services.council_members(community)
    present = set(services.present_ids(meeting))
    attendance = {a.user_id: a for a in meeting.attendances}
    results = [m.vote.result for i in meeting.items for m in i.motions if m.vote and m.vote.result]
    last_result = max(results, key=lambda r: r.id) if results else None
    me = getattr(user, "id", None)
    ctx = {
        "community": community, "meeting": meeting, "view": view, "ruleset": ruleset,
        "quorum": services.quorum_now(meeting), "item": item, "motion": motion, "last_motion": last_motion,
        "turn": turn, "remaining": _remaining_seconds(turn), "queue": services.queue(item) if item else [],
        "vote": vote, "tied_vote": tied_vote, "live_key": _live_key(meeting, view), "members": members,
        "present": present, "attendance": attendance,
        "last_result": last_result, "poll_ms": POLL_MS, "checkin_open": services.checkin_is_open(meeting),
        "can_run": permissions.can_run_meeting(user, meeting), "presiding": permissions.is_presiding(user, meeting),
        "can_mark_absent": permissions.can_mark_absent(user, meeting),
        "is_member": permissions.can_take_part(user, meeting), "me": me, "me_present": me in present,
        "modes": votes.allowed_modes(ruleset), "Stance": Stance, "Choice": Choice, "VoteMode": VoteMode,
        "MeetingStatus": MeetingStatus,
    }
    if vote is not None:
        ctx["voted_count"] = votes.voted_count(vote)
        ctx["has_voted"] = votes.has_voted(vote, me) if me else False
        ctx["can_vote"] = me in vote.entitled
        ctx["keeps_casting_vote"] = me is not None and me == vote.casting_chair_id
        if vote.mode == VoteMode.NAMED:
            ctx["tally"] = votes.tally(vote)
            ctx["ballots"] = {b.user_id: b for b in vote.ballots}
    if item is not None and me is not None:
        ctx["my_turns"] = services.turns_taken(item, me)
        ctx["my_waiting"] = next((t for t in item.turns if t.user_id == me and t.status == "waiting"), None)
        ctx["seconded"] = motion is not None and any(s.user_id == me for s in motion.seconders)
    if view == "chair":
        ctx["handover_form"] = forms.get("handover") or _handover_form(meeting)
        ctx["open_vote_form"] = forms.get("open_vote") or OpenVoteForm(
            formdata=None, mode=str(votes.allowed_modes(ruleset)[0]))
        ctx["open_vote_form"].mode.choices = [(str(m), _(VOTE_MODE_LABELS[m])) for m in votes.allowed_modes(ruleset)]
        ctx["close_vote_form"] = forms.get("close_vote") or CloseVoteForm(formdata=None)
    if view == "member":
        ctx["motion_form"] = forms.get("motion") or MotionForm(formdata=None)
    if view == "projector":
        ctx["checkin_url"], ctx["qr_svg"] = _qr_svg(meeting)
    return ctx


def _handover_form(meeting, form=None):
    form = form or HandoverForm(formdata=None)
    present = set(services.present_ids(meeting))
    candidates = [u for u in services.council_members(meeting.community)
                  if u.id not in (meeting.chair_id, meeting.secretary_id)
                  and (meeting.status != MeetingStatus.OPEN or u.id in present)]
    form.to_user_id.choices = [(u.id, u.display_name) for u in candidates]
    return form


def _check_view(meeting, view):
    if view in ("chair", "projector"):
        if not current_user.is_authenticated:
            refuse(403, _("Please log in first."))
        if not permissions.can_run_meeting(current_user, meeting):
            refuse(403, _("Only the chair or the secretary of this meeting can use this view."))
    elif view == "member":
        if not current_user.is_authenticated:
            refuse(403, _("Please log in first."))
        if not permissions.can_take_part(current_user, meeting):
            refuse(403, _("This view is for council members."))


def _usable_view(meeting, view):
    """After a refusal, show the view the action came from, or one this person may see."""
    if view in ("chair", "projector") and not permissions.can_run_meeting(current_user, meeting):
        view = "member"
    if view == "member" and not permissions.can_take_part(current_user, meeting):
        view = "public"
    return view


def _render_view(meeting, view, status=200, forms=None):
    if status >= 400:
        view = _usable_view(meeting, view)
    _check_view(meeting, view)
    ctx = live_context(meeting, view, forms)
    if view == "public":
        ctx["minutes"] = minutes_services.original(meeting)
        ctx["can_schedule"] = permissions.can_schedule(current_user, meeting.community)
    response = make_response(render_template(f"councils/meeting_{view}.html", **ctx), status)
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.get("/meetings/<int:meeting_id>/chair")
@login_required
def chair_view(meeting_id):
    return _render_view(_meeting(meeting_id), "chair")


@bp.get("/meetings/<int:meeting_id>/projector")
@login_required
def projector_view(meeting_id):
    return _render_view(_meeting(meeting_id), "projector")


@bp.get("/meetings/<int:meeting_id>/member")
@login_required
def member_view(meeting_id):
    return _render_view(_meeting(meeting_id), "member")


@bp.get("/meetings/<int:meeting_id>/live/<view>")
def live(meeting_id, view):
    """The live region of a view; 204 when nothing changed since the revision the page has."""
    if view not in LIVE_VIEWS:
        refuse(404)
    meeting = _meeting(meeting_id)
    _check_view(meeting, view)
    if request.args.get("since") == _live_key(meeting, view):
        response = make_response("", 204)
    else:
        response = make_response(render_template(f"councils/_live_{view}.html", **live_context(meeting, view)))
    response.headers["Cache-Control"] = "no-store"
    return response


def _act(meeting_id, action, success=None, forms_on_error=None):
    """Run a meeting action; on refusal show the page it came from again (400) with the message."""
    meeting = _meeting(meeting_id)
    view = request.form.get("view")
    view = view if view in LIVE_VIEWS else "public"
    try:
        action(meeting)
    except DomainError as error:
        flash(error.message, "error")
        return _render_view(meeting, view, 400, forms_on_error)
    if success:
        flash(success, "success")
    endpoint = {"chair": "councils.chair_view", "projector": "councils.projector_view",
                "member": "councils.member_view"}.get(view, "councils.meeting")
    return redirect(url_for(endpoint, meeting_id=meeting_id))


def _int_field(name):
    value = request.form.get(name, "")
    return int(value) if value.isdigit() else None


@bp.post("/meetings/<int:meeting_id>/open")
@login_required
def open_meeting(meeting_id):
    return _act(meeting_id, lambda m: services.open_meeting(current_user, m), _("The meeting is open."))


@bp.post("/meetings/<int:meeting_id>/close")
@login_required
def close_meeting(meeting_id):
    meeting = _meeting(meeting_id)
    try:
        services.close_meeting(current_user, meeting)
    except DomainError as error:
        flash(error.message, "error")
        return _render_view(meeting, "chair" if request.form.get("view") == "chair" else "public", 400)
    flash(_("The meeting is closed. The draft minutes are ready."), "success")
    return redirect(url_for("councils.minutes", meeting_id=meeting_id))


@bp.post("/meetings/<int:meeting_id>/attendance")
@login_required
def attendance(meeting_id):
    user_id = _int_field("user_id")
    action = request.form.get("action")
    if action == "out":
        return _act(meeting_id, lambda m: services.check_out(current_user, m, user_id))
    if action == "absent":
        return _act(meeting_id, lambda m: services.mark_absent(current_user, m, user_id),
                    _("The member is marked absent."))
    return _act(meeting_id, lambda m: services.check_in(current_user, m, user_id))


def _checkin_page(meeting, token, status=200):
    return render_template("councils/checkin.html", community=meeting.community, meeting=meeting, token=token,
                           is_member=permissions.can_take_part(current_user, meeting),
                           present=current_user.id in services.present_ids(meeting),
                           checkin_open=services.checkin_is_open(meeting),
                           code_valid=services.checkin_code_valid(meeting, token)), status


@bp.route("/meetings/<int:meeting_id>/checkin/<token>", methods=["GET", "POST"])
@login_required
def checkin(meeting_id, token):
    meeting = _meeting(meeting_id)
    if request.method == "POST":
        try:
            services.self_check_in(current_user, meeting, token)
        except DomainError as error:
            if services.checkin_code_valid(meeting, token):  # else the page itself says the code expired
                flash(error.message, "error")
            return _checkin_page(meeting, token, 400)
        flash(_("You are checked in."), "success")
        return redirect(url_for("councils.member_view", meeting_id=meeting.id))
    return _checkin_page(meeting, token, 200 if services.checkin_code_valid(meeting, token) else 400)


@bp.post("/meetings/<int:meeting_id>/handover")
@login_required
def handover(meeting_id):
    meeting = _meeting(meeting_id)
    form = _handover_form(meeting, HandoverForm())
    if not form.validate_on_submit():
        flash(_form_errors(form) or _("Please check the form."), "error")
        return _render_view(meeting, "chair", 400, {"handover": form})
    return _act(meeting_id, lambda m: services.hand_over_chair(current_user, m, form.to_user_id.data,
                                                               form.reason.data),
                _("The chair was handed over."), {"handover": form})


def _item_action(meeting_id, item_id, func, success=None):
    def action(meeting):
        func(meeting, services.get_item(meeting, item_id))
    return _act(meeting_id, action, success)


@bp.post("/meetings/<int:meeting_id>/items/<int:item_id>/open")
@login_required
def open_item(meeting_id, item_id):
    return _item_action(meeting_id, item_id, lambda m, i: services.open_item(current_user, m, i))


@bp.post("/meetings/<int:meeting_id>/items/<int:item_id>/close")
@login_required
def close_item(meeting_id, item_id):
    return _item_action(meeting_id, item_id, lambda m, i: services.close_item(current_user, m, i),
                        _("The item was closed without a decision; it stays on the agenda list."))


@bp.post("/meetings/<int:meeting_id>/items/<int:item_id>/speak")
@login_required
def speak(meeting_id, item_id):
    stance = request.form.get("stance", "")
    return _item_action(meeting_id, item_id, lambda m, i: services.ask_to_speak(current_user, m, i, stance),
                        _("You are on the speakers list."))


@bp.post("/meetings/<int:meeting_id>/items/<int:item_id>/next-speaker")
@login_required
def next_speaker(meeting_id, item_id):
    return _item_action(meeting_id, item_id, lambda m, i: services.next_speaker(current_user, m, i))


@bp.post("/meetings/<int:meeting_id>/items/<int:item_id>/end-turn")
@login_required
def end_turn(meeting_id, item_id):
    return _item_action(meeting_id, item_id, lambda m, i: services.end_turn(current_user, m, i))


@bp.post("/meetings/<int:meeting_id>/turns/<int:turn_id>/withdraw")
@login_required
def withdraw_turn(meeting_id, turn_id):
    def action(meeting):
        turn = db.session.get(SpeakingTurn, turn_id)
        if turn is None or turn.item.meeting_id != meeting.id:
            refuse(404)
        services.withdraw_request(current_user, meeting, turn)
    return _act(meeting_id, action)


@bp.post("/meetings/<int:meeting_id>/items/<int:item_id>/motions")
@login_required
def move_motion(meeting_id, item_id):
    form = MotionForm()
    if not form.validate_on_submit():
        meeting = _meeting(meeting_id)
        flash(_form_errors(form) or _("Please check the form."), "error")
        return _render_view(meeting, "member", 400, {"motion": form})

    def action(meeting):
        votes.move_motion(current_user, meeting, services.get_item(meeting, item_id), form.kind.data,
                          form.budget.data, form.text.data)
    return _act(meeting_id, action, _("Your motion is moved."), {"motion": form})


def _motion(meeting, motion_id):
    from .models import Motion

    motion = db.session.get(Motion, motion_id)
    if motion is None or motion.item.meeting_id != meeting.id:
        refuse(404)
    return motion


@bp.post("/meetings/<int:meeting_id>/motions/<int:motion_id>/second")
@login_required
def second(meeting_id, motion_id):
    return _act(meeting_id, lambda m: votes.second_motion(current_user, m, _motion(m, motion_id)),
                _("You seconded the motion."))


@bp.post("/meetings/<int:meeting_id>/motions/<int:motion_id>/withdraw")
@login_required
def withdraw_motion(meeting_id, motion_id):
    return _act(meeting_id, lambda m: votes.withdraw_motion(current_user, m, _motion(m, motion_id)),
                _("The motion was withdrawn."))


@bp.post("/meetings/<int:meeting_id>/motions/<int:motion_id>/vote")
@login_required
def open_vote(meeting_id, motion_id):
    mode = request.form.get("mode", "")
    return _act(meeting_id, lambda m: votes.open_vote(current_user, m, _motion(m, motion_id), mode),
                _("The vote is open."))


def _vote(meeting, vote_id):
    vote = db.session.get(MotionVote, vote_id)
    if vote is None or vote.meeting_id != meeting.id:
        refuse(404)
    return vote


@bp.post("/meetings/<int:meeting_id>/votes/<int:vote_id>/ballot")
@login_required
def ballot(meeting_id, vote_id):
    choice = request.form.get("choice", "")
    return _act(meeting_id, lambda m: votes.cast_vote(current_user, m, _vote(m, vote_id), choice),
                _("Your vote is recorded."))


@bp.post("/meetings/<int:meeting_id>/votes/<int:vote_id>/hand")
@login_required
def hand(meeting_id, vote_id):
    member_id, choice = _int_field("user_id"), request.form.get("choice", "")
    return _act(meeting_id, lambda m: votes.record_hand(current_user, m, _vote(m, vote_id), member_id, choice))


@bp.post("/meetings/<int:meeting_id>/votes/<int:vote_id>/close")
@login_required
def close_vote(meeting_id, vote_id):
    form = CloseVoteForm()
    if not form.validate_on_submit():
        flash(_form_errors(form) or _("Please check the form."), "error")
        return _render_view(_meeting(meeting_id), "chair", 400, {"close_vote": form})

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
        flash(_("The vote is tied. Under the rules the presiding chair, who did not vote, now gives the deciding "
                "vote."), "success")
    elif vote.motion.item.matter.status != Status.ON_AGENDA:
        flash(_("The micro-matter left the agenda list while the vote was open, so the vote is void."), "error")
    else:
        flash(_("The secret ballot box did not hold exactly one choice per member who voted (a vote was "
                "interrupted), so the vote is void and counts nothing. Move the motion again."), "error")


@bp.post("/meetings/<int:meeting_id>/votes/<int:vote_id>/decide")
@login_required
def decide(meeting_id, vote_id):
    choice = request.form.get("choice", "")

    def action(meeting):
        vote = _vote(meeting, vote_id)
        _flash_result(vote, votes.cast_deciding_vote(current_user, meeting, vote, choice))
    return _act(meeting_id, action)


# ---------------------------------------------------------------- minutes

def _minutes_page(meeting, status=200, notes_form=None, correction_form=None):
    original = minutes_services.original(meeting)
    can_draft = permissions.can_see_draft_minutes(current_user, meeting)
    if original is None or (not original.locked and not can_draft):
        refuse(404, _("The minutes of this meeting are not published yet."))
    content = original.content if original.locked else minutes_services.build_content(meeting)
    corrections = [c for c in minutes_services.corrections(meeting) if c.locked or can_draft]
    draft_correction = next((c for c in corrections if not c.locked), None)
    if notes_form is None:
        target = draft_correction if original.locked else original
        notes_form = NotesForm(formdata=None, notes=target.notes if target else "")
    response = make_response(render_template(
        "councils/minutes.html", community=meeting.community, meeting=meeting, minutes=original,
        content=minutes_services.hydrate(content), corrections=corrections, draft_correction=draft_correction,
        notes_form=notes_form, correction_form=correction_form or CorrectionForm(formdata=None),
        is_committee=is_committee(current_user, meeting.community)), status)
    return response


@bp.get("/meetings/<int:meeting_id>/minutes")
def minutes(meeting_id):
    return _minutes_page(_meeting(meeting_id))


def _minutes_action(meeting_id, minutes_id, func, success, form_kind=None):
    meeting = _meeting(meeting_id)
    record = minutes_services.get_minutes(meeting, minutes_id)
    form = NotesForm() if form_kind == "notes" else CorrectionForm() if form_kind == "correction" else None
    try:
        if form is not None and not form.validate_on_submit():
            raise DomainError(_form_errors(form) or _("Please check the form."))
        func(record, form)
    except DomainError as error:
        flash(error.message, "error")
        return _minutes_page(meeting, 400, notes_form=form if form_kind == "notes" else None,
                             correction_form=form if form_kind == "correction" else None)
    flash(success, "success")
    return redirect(url_for("councils.minutes", meeting_id=meeting_id))


@bp.post("/meetings/<int:meeting_id>/minutes/<int:minutes_id>/notes")
@login_required
def minutes_notes(meeting_id, minutes_id):
    return _minutes_action(meeting_id, minutes_id,
                           lambda m, form: minutes_services.save_notes(current_user, m, form.notes.data),
                           _("The notes are saved."), "notes")


@bp.post("/meetings/<int:meeting_id>/minutes/<int:minutes_id>/lock")
@login_required
def minutes_lock(meeting_id, minutes_id):
    return _minutes_action(meeting_id, minutes_id, lambda m, form: minutes_services.lock(current_user, m),
                           _("Approved and locked. The minutes are public and can no longer change."))


@bp.post("/meetings/<int:meeting_id>/minutes/<int:minutes_id>/correct")
@login_required
def minutes_correct(meeting_id, minutes_id):
    return _minutes_action(
        meeting_id, minutes_id,
        lambda m, form: minutes_services.start_correction(current_user, m, form.notes.data),
        _("A correction is drafted; the chair approves and locks it."), "correction")


# ---------------------------------------------------------------- the matter page panel

def matter_panel(matter, user):
    """Shown on the micro-matter's page: its review, agenda entry and the council's motions and votes."""
    from sqlalchemy import select

    from .models import AgendaItem

    review = services.latest_review(matter)
    agenda_item = db.session.scalar(select(AgendaItem).where(AgendaItem.matter_id == matter.id))
    if review is None and agenda_item is None:
        return None
    items = agenda_item.meeting_items if agenda_item else []
    return render_template("councils/_matter_panel.html", matter=matter, review=review, agenda_item=agenda_item,
                           meeting_items=items, check_text=check_text, vote_rule_text=vote_rule_text,
                           motion_kind_labels=MOTION_KIND_LABELS, motion_status_labels=MOTION_STATUS_LABELS,
                           item_status_labels=ITEM_STATUS_LABELS, Status=Status,
                           scheduled=services.scheduled_item(agenda_item) if agenda_item else None)
