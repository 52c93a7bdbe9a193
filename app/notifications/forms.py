from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, RadioField, SubmitField

from .preferences import Choice, Event

TIMING = [("now", _l("At once")), ("digest", _l("In one daily summary"))]


class PreferencesForm(FlaskForm):
    """For each kind of event: the channels (inbox, e-mail, SMS) and the timing; fields named `<event>_<what>`."""

    submit = SubmitField(_l("Save my choices"))

    def fill(self, choices):
        for event, choice in choices.items():
            for name in ("in_app", "email", "sms"):
                self[f"{event}_{name}"].data = getattr(choice, name)
            self[f"{event}_timing"].data = "digest" if choice.digest else "now"

    def choices(self):
        return {
            event: Choice(
                self[f"{event}_in_app"].data,
                self[f"{event}_email"].data,
                self[f"{event}_sms"].data,
                self[f"{event}_timing"].data == "digest",
            )
            for event in Event
        }


for _event in Event:
    setattr(PreferencesForm, f"{_event}_in_app", BooleanField(_l("In my inbox")))
    setattr(PreferencesForm, f"{_event}_email", BooleanField(_l("By e-mail")))
    setattr(PreferencesForm, f"{_event}_sms", BooleanField(_l("By SMS")))
    setattr(PreferencesForm, f"{_event}_timing", RadioField(_l("When"), choices=TIMING, default="now"))
