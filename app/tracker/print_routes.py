"""The paper rating form of an implemented micro-matter (A4, templates/_print.html), for residents
who judge the result on paper: the stars from 1 to 5 and room for a comment."""

from flask import render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from app.core.errors import refuse
from app.core.printing import sheet_qr
from app.core.urls import path_for

from . import bp, permissions
from .forms import STAR_CHOICES
from .routes import _record

COMMENT_LINES = 6


@bp.get("/tracker/<int:record_id>/rating-form")
@login_required
def print_rating_form(record_id):
    record = _record(record_id)
    if not permissions.can_print_rating_form(current_user, record):
        refuse(403, _("Only committee members of this community can print rating forms."))
    return render_template(
        "tracker/print_rating.html",
        community=record.community,
        record=record,
        matter=record.matter,
        window=record.current_window,
        stars=STAR_CHOICES,
        comment_lines=COMMENT_LINES,
        back_url=url_for("tracker.manage", record_id=record.id),
        back_label=_("Back to the record's page"),
        **sheet_qr(
            path_for("tracker.record", slug=record.community.slug, record_id=record.id),
            _("Scan to see the project's progress, photos and spending, and to rate online:"),
        ),
    )
