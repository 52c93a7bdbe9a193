"""Tracker pages under /c/<slug>/: the public record and list, the committee's update page,
rating, the public timeline of a micro-matter and the committee dashboard.
Views parse the request, call a service, render or redirect."""

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required

from app.communities.scoping import current_community, permitted_community
from app.core import clock
from app.core.errors import DomainError, refuse
from app.core.forms import fields_of, show_refusal, submitted
from app.core.service import get_or_404, get_row
from app.core.uploads import StoredPhoto, send_photo
from app.extensions import db
from app.matters import lifecycle
from app.matters.lifecycle import status_label
from app.matters.models import MicroMatter

from . import bp, dashboards, delivery, figures, hooks, permissions, rating, rules, timeline
from . import records as record_services
from .forms import (
    AcceptanceForm,
    CancelForm,
    ConfirmForm,
    DetailsForm,
    EndWindowForm,
    MilestoneDoneForm,
    MilestoneForm,
    RatingForm,
    ReasonForm,
    SpendingForm,
    UpdateForm,
    WindowForm,
)
from .models import ImplementationRecord, RecordState


def _labels():
    return {
        "state_labels": RecordState.labels(),
        "status_label": status_label,
        "RecordState": RecordState,
        "perm": permissions,
    }


@bp.app_template_global("tracker_can_dashboard")
def can_dashboard(community):
    return permissions.can_view_dashboard(current_user, community)


@bp.app_template_global("tracker_bar_widths")
def bar_widths(rows, width):
    """Bar lengths for the SVG charts: rows are (label, value, shown value)."""
    return figures.bar_widths([row[1] or 0 for row in rows], width)


def _form_errors_flash(form):
    """Field errors are shown next to their fields; anything else needs a message of its own."""
    if not form.errors:
        flash(_("Please check the form."), "error")


def _record(record_id):
    return record_services.get_record(current_community(), record_id)


def _record_page_context(record):
    today = clock.local_today()
    windows = [(w, rating.window_summary(w)) for w in reversed(record.windows)]
    return dict(
        community=current_community(),
        record=record,
        matter=record.matter,
        today=today,
        overdue=record_services.is_overdue(record, today),
        decision_link=record_services.decision_link(record),
        windows=windows,
        can_manage=permissions.can_manage_record(current_user, record),
        can_rate=permissions.can_rate(current_user, record),
        has_rated=permissions.has_rated(current_user, record.current_window),
        manages=permissions.manages_record(current_user, record),
        min_group=rules.MIN_GROUP,
        **_labels(),
    )


# ---------------------------------------------------------------- public pages


@bp.get("/tracker/")
def index():
    community = current_community()
    state = request.args.get("state")
    state = state if state in set(RecordState) else None
    only_overdue = request.args.get("overdue") == "1"
    records = record_services.records_of(community, state)
    overdue_ids = record_services.overdue_record_ids(community_id=community.id)
    if only_overdue:
        records = [r for r in records if r.id in overdue_ids]
    return render_template(
        "tracker/index.html",
        community=community,
        records=records,
        overdue_ids=overdue_ids,
        state=state,
        only_overdue=only_overdue,
        can_dashboard=permissions.can_view_dashboard(current_user, community),
        **_labels(),
    )


@bp.get("/tracker/<int:record_id>")
def record(record_id):
    return render_template("tracker/record.html", **_record_page_context(_record(record_id)))


@bp.get("/tracker/photos/<int:photo_id>")
def photo(photo_id):
    """Evidence photos of this community's records (public, like the records)."""
    if record_services.photo_community_id(photo_id) != current_community().id:
        refuse(404)
    return send_photo(get_row(StoredPhoto, photo_id))


@bp.get("/matters/<int:matter_id>/timeline")
def matter_timeline(matter_id):
    community = current_community()
    matter = get_or_404(MicroMatter, matter_id, community_id=community.id)
    if matter.status == "draft":
        refuse(404)
    events, supports = timeline.build(matter)
    return render_template(
        "tracker/timeline.html",
        community=community,
        matter=matter,
        events=events,
        supports=supports,
        record=record_services.record_for_matter(matter),
        **_labels(),
    )


# ---------------------------------------------------------------- rating


@bp.route("/tracker/<int:record_id>/rate", methods=["GET", "POST"])
@login_required
def rate(record_id):
    record = _record(record_id)
    form = RatingForm()
    done = submitted(
        form,
        lambda: rating.rate(current_user, record, stars=form.stars.data, comment=form.comment.data or ""),
        _("Thank you: your rating was recorded."),
        url_for("tracker.record", record_id=record.id, _anchor="evaluation"),
    )
    if done:  # not form_page: the record page's context is built only when the page is shown
        return done
    return render_template("tracker/rate.html", form=form, **_record_page_context(record)), (
        400 if form.is_submitted() else 200
    )


# ---------------------------------------------------------------- the committee's page

FORM_CLASSES = {
    "details": DetailsForm,
    "milestone": MilestoneForm,
    "update": UpdateForm,
    "spending": SpendingForm,
    "pause": ReasonForm,
    "respond": ReasonForm,
    "rectify": ReasonForm,
    "cancel": CancelForm,
    "accept": AcceptanceForm,
    "evaluation": WindowForm,
    "confirm": ConfirmForm,
    "end_window": EndWindowForm,
}


def _form(name, record, bound=True):
    """The form `name` of the committee's page: bound to the request when it was the one sent,
    otherwise blank (the plan and the progress show the record's current values)."""
    form_class = FORM_CLASSES[name]
    if bound:
        return form_class(prefix=name)
    if name == "details":
        return form_class(prefix=name, formdata=None, obj=record)
    if name == "update":
        return form_class(prefix=name, formdata=None, data={"percent": record.progress_percent})
    return form_class(prefix=name, formdata=None)


def _managed(record_id):
    record = _record(record_id)
    if not permissions.can_manage_record(current_user, record):
        refuse(403, _("Only committee members of this community can update implementation records."))
    return record


def _manage_page(record, forms=None, done_forms=None, status=200):
    forms = dict(forms or {})
    for name in FORM_CLASSES:
        forms.setdefault(name, _form(name, record, bound=False))
    done_forms = dict(done_forms or {})
    for milestone in record.milestones:
        if not milestone.is_done:
            done_forms.setdefault(milestone.id, MilestoneDoneForm(prefix=f"m{milestone.id}", formdata=None))
    context = _record_page_context(record)
    context.update(
        forms=forms,
        done_forms=done_forms,
        needs_response=rating.needs_response(record),
        phase_milestones=record_services.phase_milestones(record),
        early_close_min=rating.early_close_minimum(record)[0],
        start_held=lifecycle.held_back(record.matter, "start_implementation")
        if record.state == RecordState.PLANNED
        else None,
    )
    return render_template("tracker/manage.html", **context), status


@bp.get("/tracker/<int:record_id>/manage")
@login_required
def manage(record_id):
    return _manage_page(_managed(record_id))


def _handle(record, form, call, success, anchor, **page):
    """Validate `form`, run the service, redirect on success or give the page back with the errors
    (`page`: where on the page the refused form goes, e.g. forms={name: form})."""
    if form.validate_on_submit():
        try:
            call(form)
        except DomainError as error:
            show_refusal(form, error)
        else:
            flash(str(success), "success")
            return redirect(url_for("tracker.manage", record_id=record.id, _anchor=anchor))
    else:
        _form_errors_flash(form)
    return _manage_page(db.session.get(ImplementationRecord, record.id), status=400, **page)


def _action(path, form_name, anchor, success):
    """A committee action from the manage page, POST /tracker/<record_id>/<path> with the form
    `form_name`: the decorated function calls the service with (form, record); then back to the
    page at `anchor` with `success`, or the page again with the errors."""

    def register(act):
        @login_required
        def view(record_id):
            record = _managed(record_id)
            form = _form(form_name, record)
            return _handle(record, form, lambda f: act(f, record), success, anchor, forms={form_name: form})

        bp.add_url_rule(f"/tracker/<int:record_id>/{path}", act.__name__, view, methods=["POST"])
        return act

    return register


@_action("details", "details", "plan", _l("The plan was saved."))
def details(f, record):
    delivery.update_details(
        current_user,
        record,
        **fields_of(f, "responsible_unit", "contact", "planned_start", "planned_end"),
    )


@_action("milestones", "milestone", "milestones", _l("The milestone was added."))
def add_milestone(f, record):
    delivery.add_milestone(current_user, record, title=f.title.data, planned_date=f.planned_date.data)


@bp.post("/tracker/<int:record_id>/milestones/<int:milestone_id>/done")
@login_required
def milestone_done(record_id, milestone_id):
    record = _managed(record_id)
    if not any(m.id == milestone_id for m in record.milestones):
        refuse(404)
    form = MilestoneDoneForm(prefix=f"m{milestone_id}")
    return _handle(
        record,
        form,
        lambda f: delivery.complete_milestone(
            current_user,
            record,
            milestone_id,
            done_on=f.done_on.data,
            note=f.note.data or "",
            photos=f.photos.data,
        ),
        _("The milestone was marked done."),
        "milestones",
        done_forms={milestone_id: form},
    )


@_action("updates", "update", "progress", _l("The update was posted."))
def post_update(f, record):
    delivery.post_update(current_user, record, body=f.body.data or "", percent=f.percent.data, photos=f.photos.data)


@_action("spending", "spending", "spending", _l("The spending was recorded."))
def spending(f, record):
    delivery.record_spending(
        current_user,
        record,
        **fields_of(f, "amount", "spent_on", "purpose"),
        over_budget_reason=f.over_budget_reason.data or "",
    )


def _state_change(path, form_name, change, success):
    """A change of the record's state from the manage page: the service `change(user, record)`, given
    the form's published reason when the form asks for one; the endpoint is the service's name."""

    def act(f, record):
        change(current_user, record, *((f.reason.data,) if "reason" in f else ()))

    act.__name__ = change.__name__
    _action(path, form_name, "state", success)(act)


for _path, _form_name, _change, _success in (
    ("start", "confirm", delivery.start, _l("Work has started.")),
    ("pause", "pause", delivery.pause, _l("The work is paused.")),
    ("resume", "confirm", delivery.resume, _l("The work has resumed.")),
    ("evaluation/end", "end_window", rating.end_window, _l("The rating has ended.")),
    ("respond", "respond", rating.respond, _l("Your answer was published.")),
    ("rectify", "rectify", delivery.rectify, _l("The rectification was opened.")),
    ("cancel", "cancel", delivery.cancel, _l("The micro-matter was cancelled.")),
    ("close", "confirm", delivery.close, _l("The record is closed.")),
):
    _state_change(_path, _form_name, _change, _success)


@_action("accept", "accept", "state", _l("The acceptance was recorded."))
def accept(f, record):
    delivery.accept(current_user, record, accepted_on=f.accepted_on.data, note=f.note.data)


@_action("evaluation", "evaluation", "state", _l("Residents can now rate the project."))
def open_evaluation(f, record):
    rating.open_evaluation(current_user, record, closes_on=f.closes_on.data)


# ---------------------------------------------------------------- committee dashboard


@bp.get("/dashboard")
@login_required
def dashboard():
    community = permitted_community(
        permissions.can_view_dashboard, _("The dashboard is for the committee of this community.")
    )
    figures, rows = dashboards.community_dashboard(community)
    panels = hooks.dashboard_panels(community)
    return render_template(
        "tracker/dashboard.html", community=community, figures=figures, rows=rows, panels=panels, **_labels()
    )


# ---------------------------------------------------------------- on the micro-matter's page


def matter_panel(matter, user):
    if matter.status in lifecycle.BEFORE_REVIEW:  # no record yet: no query
        return None
    record = record_services.record_for_matter(matter)
    overdue = record_services.is_overdue(record) if record is not None else False
    return render_template("tracker/_matter_panel.html", matter=matter, record=record, overdue=overdue, **_labels())
