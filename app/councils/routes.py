"""Review, the agenda list, meetings (list, scheduling, the public page, the chair, projector and
member views). What is done during a meeting is in meeting_routes.py and motion_routes.py, the
minutes in minutes_routes.py.

Views are thin: they parse the request, call a service, and render or redirect. A refusal
(DomainError) is flashed and the page the action came from is shown again with status 400.
"""

from datetime import timedelta

from flask import flash, make_response, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from app.communities.scoping import current_community, permitted_community
from app.core import clock
from app.core.errors import DomainError, refuse
from app.core.forms import fields_of, form_page, submitted
from app.core.i18n import money
from app.matters.lifecycle import BEFORE_REVIEW, Status, status_label
from app.matters.models import Category, ProjectType
from app.rules import admissibility
from app.rules.phrases import quorum_phrase, rule_summary
from app.rules.services import current_ruleset

from . import bp, common, live_views, permissions
from . import meetings as meeting_services
from . import minutes as minutes_services
from . import review as review_services
from .forms import (
    AdmitForm,
    DeclineForm,
    MeetingForm,
)
from .models import CheckinMethod, Choice, ItemStatus, MeetingStatus, MotionKind, MotionStatus, Stance, VoteMode

# ---------------------------------------------------------------- shared helpers


def check_text(check):
    return admissibility.message(check, gettext=_, money=money, label=Category.label_of)


def vote_rule_text(result):
    """“simple majority of members present, quorum more than 1/2, rule set v3” for a result (row or dict)."""
    get = result.get if isinstance(result, dict) else lambda key: getattr(result, key)
    return rule_summary(
        majority_rule=get("majority_rule"),
        majority_base=get("base_kind"),
        quorum_numerator=get("quorum_numerator"),
        quorum_denominator=get("quorum_denominator"),
        quorum_strict=get("quorum_strict"),
        version=get("ruleset_version"),
        gettext=_,
    )


def quorum_text(ruleset):
    """“more than 1/2” for a rule set (row, or the dict kept in locked minutes)."""
    get = ruleset.get if isinstance(ruleset, dict) else lambda key: getattr(ruleset, key)
    return quorum_phrase(get("quorum_numerator"), get("quorum_denominator"), get("quorum_strict"), _)


@bp.context_processor
def council_helpers():
    return {
        "status_label": status_label,
        "category_label": Category.label_of,
        "check_text": check_text,
        "vote_rule_text": vote_rule_text,
        "quorum_text": quorum_text,
        "item_status_labels": ItemStatus.labels(),
        "meeting_status_labels": MeetingStatus.labels(),
        "motion_kind_labels": MotionKind.labels(),
        "motion_status_labels": MotionStatus.labels(),
        "stance_labels": Stance.labels(),
        "choice_labels": Choice.labels(),
        "vote_mode_labels": VoteMode.labels(),
        "type_labels": ProjectType.labels(),
        "checkin_method_labels": CheckinMethod.labels(),
        "perm": permissions,
    }


def _form_errors(form):
    return "; ".join(str(e) for errors in form.errors.values() for e in errors if e)


# ---------------------------------------------------------------- review


def _review_page(status=200, forms=None):
    community = permitted_community(permissions.can_review, _("Only the committee reviews micro-matters."))
    ruleset = current_ruleset(community)
    queue = []
    for matter in review_services.review_queue(community):
        admit_form, decline_form = (forms or {}).get(matter.id, (None, None))
        queue.append(
            {
                "matter": matter,
                "checks": [c.as_dict() for c in review_services.checks_for(matter, ruleset)],
                "admit_form": admit_form or AdmitForm(prefix=f"a{matter.id}"),
                "decline_form": decline_form or DeclineForm(prefix=f"d{matter.id}"),
            }
        )
    return render_template(
        "councils/review.html",
        community=community,
        ruleset=ruleset,
        queue=queue,
        recent=review_services.recent_reviews(community),
    ), status


@bp.get("/review")
@login_required
def review():
    return _review_page()[0]


def _review_decision(matter_id, form, call, success, forms, invalid):
    """Admit or decline from the review queue: back to the queue, or the queue again (400) with the
    form's errors and the service's refusal flashed above it."""
    done = submitted(form, call, success, url_for("councils.review"), fields=False)
    if done:
        return done
    if form.errors:
        flash(_form_errors(form) or invalid, "error")
    return _review_page(400, {matter_id: forms})


@bp.post("/review/<int:matter_id>/admit")
@login_required
def admit(matter_id):
    form = AdmitForm(prefix=f"a{matter_id}")
    return _review_decision(
        matter_id,
        form,
        lambda: review_services.admit(current_user, current_community(), matter_id, form.judged.data, form.note.data),
        _("Admitted to the agenda list."),
        (form, None),
        _("Please check the form."),
    )


@bp.post("/review/<int:matter_id>/decline")
@login_required
def decline(matter_id):
    form = DeclineForm(prefix=f"d{matter_id}")
    return _review_decision(
        matter_id,
        form,
        lambda: review_services.decline(current_user, current_community(), matter_id, form.reason.data),
        _("Declined; the reason is published."),
        (None, form),
        _("Please give a reason; it will be published."),
    )


# ---------------------------------------------------------------- agenda list


@bp.get("/agenda/")
def agenda():
    community = current_community()
    waiting, done = review_services.agenda(community)
    return render_template(
        "councils/agenda.html",
        community=community,
        waiting=waiting,
        done=done,
        scheduled={item.id: review_services.scheduled_item(item) for item in waiting},
        can_manage=permissions.can_manage_agenda(current_user, community),
        can_review=permissions.can_review(current_user, community),
    )


@bp.post("/agenda/<int:item_id>/move")
@login_required
def move_agenda_item(item_id):
    try:
        review_services.move_agenda_item(current_user, current_community(), item_id, request.form.get("direction"))
    except DomainError as error:
        flash(error.message, "error")
    return redirect(url_for("councils.agenda") + f"#a{item_id}")


# ---------------------------------------------------------------- meetings: list, schedule, public page


@bp.get("/meetings/")
def meetings():
    community = current_community()
    upcoming, past = meeting_services.meetings(community)
    return render_template(
        "councils/meetings.html",
        community=community,
        upcoming=upcoming,
        past=past,
        can_schedule=permissions.can_schedule(current_user, community),
        minutes_of={m.id: minutes_services.original(m) for m in past},
    )


def _meeting_form(community, form=None):
    form = form or MeetingForm()
    council = common.council_members(community)
    form.chair_id.choices = [(u.id, u.display_name) for u in council]
    form.secretary_id.choices = [(u.id, u.display_name) for u in common.secretary_candidates(community)]
    form.items.choices = [(item.id, item.subject.title) for item in review_services.schedulable_items(community)]
    return form


@bp.route("/meetings/new", methods=["GET", "POST"])
@login_required
def new_meeting():
    community = permitted_community(permissions.can_schedule, _("Only the committee schedules meetings."))
    form = _meeting_form(community)
    ruleset = current_ruleset(community)
    if request.method == "GET":
        chair = next(
            (m for m in common.council_members(community) if permissions.membership_of(m, community).role == "chair"),
            None,
        )
        form.chair_id.data = chair.id if chair else None
        form.secretary_id.data = current_user.id
        starts = clock.to_local(clock.now() + timedelta(days=ruleset.notice_days + 1))
        form.starts_at.data = starts.replace(hour=19, minute=0, second=0, microsecond=0)
    return form_page(
        form,
        lambda: meeting_services.schedule_meeting(
            current_user,
            community,
            **fields_of(form, "title", "place", "chair_id", "secretary_id", "urgent", "urgent_reason"),
            starts_at=clock.to_utc(form.starts_at.data),
            agenda_item_ids=form.items.data,
        ),
        _("The meeting is scheduled and the council is notified."),
        lambda meeting: url_for("councils.meeting", meeting_id=meeting.id),
        "councils/meeting_form.html",
        fields=False,
        community=community,
        ruleset=ruleset,
    )


def _meeting(meeting_id):
    return common.get_meeting(current_community(), meeting_id)


def _meeting_for_view(meeting_id):
    return live_views.meeting_for_view(current_community(), meeting_id)


@bp.get("/meetings/<int:meeting_id>")
def meeting(meeting_id):
    return live_views.render_view(_meeting_for_view(meeting_id), "public")


def _signed_in_view(view):
    @login_required
    def page(meeting_id):
        return live_views.render_view(_meeting_for_view(meeting_id), view)

    return page


# The chair's, the projector's and a member's page: /meetings/<id>/chair is councils.chair_view, ...
for _view in ("chair", "projector", "member"):
    bp.add_url_rule(f"/meetings/<int:meeting_id>/{_view}", f"{_view}_view", _signed_in_view(_view), methods=["GET"])


@bp.get("/meetings/<int:meeting_id>/live/<view>")
def live(meeting_id, view):
    """The live region of a view; 204 when nothing changed since the revision the page has."""
    if view not in live_views.LIVE_VIEWS:
        refuse(404)
    meeting = _meeting(meeting_id)  # the cheap answer first: most polls find nothing changed
    live_views.check_view(meeting, view)
    if request.args.get("since") == live_views.live_key(meeting, view):
        response = make_response("", 204)
    else:
        meeting = _meeting_for_view(meeting_id)  # the same meeting, now with what the region shows
        response = make_response(
            render_template(f"councils/_live_{view}.html", **live_views.live_context(meeting, view))
        )
    response.headers["Cache-Control"] = "no-store"
    return response


# ---------------------------------------------------------------- the matter page panel


def matter_panel(matter, user):
    """Shown on the micro-matter's page: its review, agenda entry and the council's motions and votes."""
    if matter.status in BEFORE_REVIEW:  # not reviewed yet: no query
        return None
    review, agenda_item = review_services.review_and_agenda_item(matter)
    if review is None and agenda_item is None:
        return None
    items = agenda_item.meeting_items if agenda_item else []
    return render_template(
        "councils/_matter_panel.html",
        matter=matter,
        review=review,
        agenda_item=agenda_item,
        meeting_items=items,
        check_text=check_text,
        vote_rule_text=vote_rule_text,
        motion_kind_labels=MotionKind.labels(),
        motion_status_labels=MotionStatus.labels(),
        item_status_labels=ItemStatus.labels(),
        Status=Status,
        scheduled=review_services.scheduled_item(agenda_item) if agenda_item else None,
    )
