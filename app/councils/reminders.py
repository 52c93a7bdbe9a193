"""Council members are reminded of a meeting the day before (sent by the notifications worker)."""

from datetime import timedelta

from sqlalchemy import select

from app.core import clock
from app.core.i18n import N_
from app.core.urls import path_for
from app.extensions import db
from app.notifications.reminders import Due

from .common import council_members
from .models import Meeting, MeetingStatus

AHEAD = timedelta(hours=24)


def due_reminders(now):
    meetings = db.session.scalars(
        select(Meeting).where(
            Meeting.status == MeetingStatus.SCHEDULED, Meeting.starts_at > now, Meeting.starts_at <= now + AHEAD
        )
    )
    return [
        Due(
            "meeting_eve",
            meeting.id,
            council_members(meeting.community),
            N_("Reminder: council meeting “%(title)s” on %(when)s at %(place)s."),
            path_for("councils.meeting", slug=meeting.community.slug, meeting_id=meeting.id),
            "meetings",
            {
                "title": meeting.title,
                "when": clock.to_local(meeting.starts_at).strftime("%Y-%m-%d %H:%M"),
                "place": meeting.place,
            },
        )
        for meeting in meetings
    ]
