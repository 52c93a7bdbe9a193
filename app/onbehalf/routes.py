from datetime import date

from flask import Response, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import func, select

from app.auth.models import User
from app.communities.scoping import permitted_community
from app.core.forms import form_page
from app.core.params import in_date_range, parse_id
from app.core.service import get_row
from app.core.spreadsheet import csv_text
from app.core.vocabulary import EntryChannel
from app.extensions import db
from app.matters.lifecycle import Status
from app.matters.models import Support
from app.matters.proposal_routes import MATTER_FIELDS
from app.tracker.records import record_url

from . import bp, permissions, services
from .forms import FindForm, OnBehalfCommentForm, OnBehalfRatingForm, ProposalForm, SupportForm


def _community():
    return permitted_community(
        permissions.can_see_entries, _("Only the committee and grid workers record acts for residents.")
    )


def _day():
    """The local day asked for in ?day=YYYY-MM-DD, or None."""
    try:
        day = date.fromisoformat(request.args.get("day", ""))
    except ValueError:
        return None
    return day if in_date_range(day) else None


def _worker_filter(community):
    """Whose entries a page lists: a worker their own; the committee anyone's (?worker=id) or all."""
    if not permissions.can_see_all_entries(current_user, community):
        return current_user
    return get_row(User, parse_id(request.args.get("worker", "")))


@bp.get("/")
@login_required
def index():
    community = _community()
    form = FindForm(request.args)
    worker, day = _worker_filter(community), _day()
    can_enter = permissions.can_enter_on_behalf(current_user, community)
    return render_template(
        "onbehalf/index.html",
        community=community,
        form=form,
        found=services.find_residents(community, form.q.data) if can_enter else [],
        can_enter=can_enter,
        sees_all=permissions.can_see_all_entries(current_user, community),
        worker=worker,
        day=day,
        entries=services.entries(community, worker=worker, day=day, limit=services.PAGE_MAX),
        summary=services.daily_summary(community, worker=worker),
        today=services.entered_today(current_user, community) if can_enter else 0,
        cap=services.daily_cap(community),
        matter_id=parse_id(request.args.get("matter", "")),
        channels=list(EntryChannel),
    )


@bp.get("/entries.csv")
@login_required
def entries_csv():
    community = _community()
    worker, day = _worker_filter(community), _day()
    text = csv_text(services.CSV_COLUMNS, services.csv_rows(services.entries(community, worker=worker, day=day)))
    response = Response(text, mimetype="text/csv")
    response.headers["Content-Disposition"] = f'attachment; filename="{community.slug}-on-behalf.csv"'
    response.headers["Cache-Control"] = "no-store"
    return response


def _resident(resident_id):
    community = _community()
    return community, services.get_resident(current_user, community, resident_id)


@bp.get("/residents/<int:resident_id>")
@login_required
def resident(resident_id):
    community, person = _resident(resident_id)
    return render_template(
        "onbehalf/resident.html",
        community=community,
        resident=person,
        entries=services.entries(community, resident=person, limit=services.PAGE_MAX),
        matter_id=parse_id(request.args.get("matter", "")),
    )


def _entry_page(community, person, form, enter, fields, to, template, **context):
    """The round trip of an entry for the resident: the service `enter` gets the worker, the
    community, the resident, `fields` and the form's channel and consent; `to(row)` is where the
    entry is seen."""
    return form_page(
        form,
        lambda: enter(current_user, community, person, channel=form.channel.data, agreed=form.agreed.data, **fields),
        _("Recorded for %(name)s. They will be told.", name=person.display_name),
        to,
        template,
        community=community,
        resident=person,
        **context,
    )


def _matter_url(matter):
    return url_for("matters.detail", matter_id=matter.id)


@bp.route("/residents/<int:resident_id>/propose", methods=["GET", "POST"])
@login_required
def propose(resident_id):
    community, person = _resident(resident_id)
    form = ProposalForm()
    fields = {name: getattr(form, name).data for name in MATTER_FIELDS}
    return _entry_page(community, person, form, services.propose, fields, _matter_url, "onbehalf/propose.html")


def _matter_choices(form, matters):
    form.matter.choices = [("", _("Choose…"))] + [(str(m.id), f"#{m.id} {m.title}") for m in matters]
    if request.method == "GET" and (wanted := parse_id(request.args.get("matter", ""))):
        form.matter.data = str(wanted)


@bp.route("/residents/<int:resident_id>/support", methods=["GET", "POST"])
@login_required
def support(resident_id):
    community, person = _resident(resident_id)
    form = SupportForm()
    _matter_choices(form, services.matters_to_support(community, person))
    fields = {"matter_id": form.matter.data}
    return _entry_page(community, person, form, services.support, fields, _matter_url, "onbehalf/support.html")


@bp.route("/residents/<int:resident_id>/comment", methods=["GET", "POST"])
@login_required
def comment(resident_id):
    community, person = _resident(resident_id)
    form = OnBehalfCommentForm()
    _matter_choices(form, services.matters_to_comment(community))
    fields = {"matter_id": form.matter.data, "stance": form.stance.data, "body": form.body.data}
    return _entry_page(
        community,
        person,
        form,
        services.comment,
        fields,
        lambda c: url_for("matters.comment_page", matter_id=c.matter_id, comment_id=c.id),
        "onbehalf/comment.html",
    )


@bp.route("/residents/<int:resident_id>/rate", methods=["GET", "POST"])
@login_required
def rate(resident_id):
    community, person = _resident(resident_id)
    form = OnBehalfRatingForm()
    records = services.records_to_rate(community, person)
    form.record.choices = [("", _("Choose…"))] + [(str(r.id), r.matter.title) for r in records]
    fields = {"record_id": form.record.data, "stars": form.stars.data, "comment": form.comment.data or ""}
    return _entry_page(
        community,
        person,
        form,
        services.rate,
        fields,
        lambda evaluation: record_url(evaluation.window.record, _anchor="evaluation"),
        "onbehalf/rate.html",
        records=records,
    )


def matter_panel(matter, user):
    """On a matter's page: how many of its supports were entered for residents, by channel (public),
    and for the committee and grid workers the way to record one."""
    rows = db.session.execute(
        select(Support.channel, func.count(Support.id))
        .where(Support.matter_id == matter.id, Support.entered_by_id.is_not(None))
        .group_by(Support.channel)
    ).all()
    can_enter = permissions.can_enter_on_behalf(user, matter.community) and matter.status != Status.DRAFT
    if not rows and not can_enter:
        return None
    return render_template(
        "onbehalf/_matter_panel.html",
        matter=matter,
        supports=sorted(rows, key=lambda row: str(row[0])),
        can_enter=can_enter,
    )
