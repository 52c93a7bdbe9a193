"""Demo residents with different notification preferences (resident1 keeps the defaults)."""

from app.extensions import db

from .models import NotificationPreference
from .preferences import Event

# username -> {event: (in_app, email, sms, digest)}
PREFERENCES = {
    "resident2": {Event.FOLLOWING: (True, True, False, True)},  # followed matters in one daily summary
    "resident3": {Event.MEETINGS: (True, False, True, False), Event.ROUNDS: (True, False, True, False)},  # by SMS
    "resident4": {Event.FOLLOWING: (False, False, False, False), Event.RATINGS: (False, False, False, False)},
    "resident5": {event: (True, True, False, True) for event in Event},  # everything in the daily summary
}


def load(context):
    people = {user.username: user for user in context["residents"]}
    for username, choices in PREFERENCES.items():
        for event, (in_app, email, sms, digest) in choices.items():
            db.session.add(
                NotificationPreference(
                    user_id=people[username].id, event=str(event), in_app=in_app, email=email, sms=sms, digest=digest
                )
            )
    db.session.flush()
