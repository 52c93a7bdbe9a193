"""Demo step: at the upcoming meeting one member who cannot come has given a written proxy
online to another (the demo's rules v2 count it for the quorum and the votes). Uses
context["meetings"] ([held, upcoming]) and ["council"] (chair first)."""

from app.councils.models import MeetingStatus

from . import services


def load(context):
    upcoming = [m for m in context.get("meetings", []) if m.status == MeetingStatus.SCHEDULED]
    council = context["council"]
    if upcoming and len(council) > 2:
        services.give(council[-1], upcoming[-1], council[1].id)
