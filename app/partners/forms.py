from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, SelectField, StringField, SubmitField
from wtforms.validators import InputRequired, Length

from app.core.forms import date_field, number_field, text_field

from .delivery_tasks import MAX_PEOPLE
from .models import PartnerKind

HOURS_HINT = _l("In hours, for example 2 or 1.5.")
PEOPLE_MESSAGE = _l("Please give a whole number from 1 to %(n)s.", n=MAX_PEOPLE)


def people_field(label, description=None):
    return number_field(
        label,
        1,
        MAX_PEOPLE,
        message=PEOPLE_MESSAGE,
        render_kw={"min": 1, "max": MAX_PEOPLE, "inputmode": "numeric"},
        description=description,
    )


def hours_field(label):
    # Text, not a number field: the service reads "1,5" and full-width digits and explains a refusal.
    return StringField(label, validators=[Length(max=20)], render_kw={"inputmode": "decimal"}, description=HOURS_HINT)


class PartnerForm(FlaskForm):
    kind = SelectField(_l("Kind of partner"), choices=PartnerKind.choices(), validators=[InputRequired()])
    name = text_field(_l("Name"), 80, required=True)
    description = text_field(_l("What they do"), 2000, area=True, description=_l("Shown on the public profile."))
    contact = text_field(_l("Contact (name and phone)"), 120, description=_l("Only the committee sees it."))
    submit = SubmitField(_l("Save the partner"))


class VolunteerForm(FlaskForm):
    skills = text_field(
        _l("What I can do"), 200, description=_l("For example: carrying, accompanying older people, simple repairs.")
    )
    availability = text_field(
        _l("When I am available"), 200, description=_l("For example: weekends, weekday evenings.")
    )
    show_name = BooleanField(_l("My name may be shown publicly among those who delivered a project"))
    submit = SubmitField(_l("Save"))


class TaskForm(FlaskForm):
    title = text_field(
        _l("Task"),
        80,
        required=True,
        description=_l("For example: carrying chairs, accompanying older people on a trial, regular upkeep."),
    )
    people_needed = people_field(_l("People needed"))
    task_date = date_field(_l("Date"))
    hours = hours_field(_l("Length"))
    submit = SubmitField(_l("Add the task"))


class PartnerSignupForm(FlaskForm):
    partner_id = SelectField(_l("Partner"), coerce=int, validators=[InputRequired()])
    people = people_field(_l("People it sends"))
    submit = SubmitField(_l("Sign the partner up"))


class HoursForm(FlaskForm):
    hours = hours_field(_l("Hours served"))
    submit = SubmitField(_l("Confirm the hours"))
