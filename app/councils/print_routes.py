"""Printed paperwork of a meeting (A4, the browser's Print command; templates/_print.html): the
notice poster and the agenda handout (public, like the meeting page), the sign-in sheet (it names
every council member: the committee and whoever runs the meeting) and the locked minutes with
lines for the chair's and the secretary's signatures (public once locked)."""

from flask import render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from app.core import clock
from app.core.errors import refuse
from app.core.printing import sheet_qr
from app.core.urls import path_for
from app.rules import quorum as quorum_rules

from . import bp, common, minutes_record, permissions
from . import minutes as minutes_services
from .routes import _meeting

# Rows left blank on the sign-in sheet for people who attend without being council members (列席).
OBSERVER_ROWS = 3


def _sheet(template, meeting, back_endpoint, back_label, qr_endpoint, qr_caption, **context):
    return render_template(
        template,
        community=meeting.community,
        meeting=meeting,
        back_url=url_for(back_endpoint, meeting_id=meeting.id),
        back_label=back_label,
        issued_on=clock.local_today(),
        **sheet_qr(path_for(qr_endpoint, slug=meeting.community.slug, meeting_id=meeting.id), qr_caption),
        **context,
    )


@bp.get("/meetings/<int:meeting_id>/print/notice")
def print_meeting_notice(meeting_id):
    return _sheet(
        "councils/print_notice.html",
        _meeting(meeting_id),
        "councils.meeting",
        _("Back to the meeting page"),
        "councils.meeting",
        _("Scan for the agenda, the live record and the minutes:"),
    )


@bp.get("/meetings/<int:meeting_id>/print/agenda")
def print_agenda(meeting_id):
    return _sheet(
        "councils/print_agenda.html",
        _meeting(meeting_id),
        "councils.meeting",
        _("Back to the meeting page"),
        "councils.meeting",
        _("Scan to read each item in full and follow the meeting:"),
    )


@bp.get("/meetings/<int:meeting_id>/print/sign-in")
@login_required
def print_sign_in(meeting_id):
    meeting = _meeting(meeting_id)
    if not permissions.can_print_sign_in(current_user, meeting):
        refuse(403, _("Only the committee and whoever runs the meeting can print the sign-in sheet."))
    members = common.council_members(meeting.community)
    return _sheet(
        "councils/print_sign_in.html",
        meeting,
        "councils.meeting",
        _("Back to the meeting page"),
        "councils.member_view",
        # The projector's check-in code changes every minute, so paper cannot carry it: the printed
        # code opens the member view, which says how to check in.
        _(
            "Council members: scan to open the meeting on your phone. To check in by phone, scan the "
            "code on the projector (it changes every minute), or sign here."
        ),
        members=members,
        observer_rows=OBSERVER_ROWS,
        quorum=quorum_rules.check(0, len(members), meeting.ruleset.quorum),
    )


@bp.get("/meetings/<int:meeting_id>/minutes/print")
def print_minutes(meeting_id):
    meeting = _meeting(meeting_id)
    original = minutes_services.locked_original(meeting)
    if original is None:
        refuse(404, _("The minutes of this meeting are not approved and locked yet."))
    return _sheet(
        "councils/print_minutes.html",
        meeting,
        "councils.minutes",
        _("Back to the minutes"),
        "councils.minutes",
        _("Scan to read these minutes online with any corrections:"),
        minutes=original,
        content=minutes_record.hydrate(original.content),
        corrections=[c for c in minutes_services.corrections(meeting) if c.locked],
        comments=minutes_services.comments(original),
    )
