from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import SelectField, SubmitField
from wtforms.validators import InputRequired

from app.core.forms import choice_field, confirm_field, date_field, reason_field, text_field
from app.core.params import form_id

from .models import ChosenHow


def _person_field(label):
    # The service says who may be chosen (a verified member; a substitute off the council).
    return SelectField(
        label, coerce=form_id, validate_choice=False, validators=[InputRequired(message=_l("Choose the person."))]
    )


def _chosen_by_field():
    return text_field(
        _l("By which meeting or round"),
        120,
        description=_l("Optional, e.g. “2026年3月居民会议”. Shown publicly."),
    )


class TermForm(FlaskForm):
    user_id = _person_field(_l("Council member"))
    starts_on = date_field(_l("Term starts"))
    ends_on = date_field(_l("Term ends (last day)"))
    chosen_how = choice_field(
        _l("How chosen"),
        ChosenHow.choices([ChosenHow.ELECTED, ChosenHow.APPOINTED]),
        _l("Say whether the member was elected or appointed."),
    )
    chosen_by = _chosen_by_field()
    submit = SubmitField(_l("Record the term"))


class SubstituteForm(FlaskForm):
    user_id = _person_field(_l("Substitute"))
    chosen_by = _chosen_by_field()
    submit = SubmitField(_l("Add to the end of the list"))


class EndTermForm(FlaskForm):
    reason = reason_field(
        _l("Reason (kept with the term, told to the member)"), _l("Please give a reason; it is kept with the term.")
    )
    confirm = confirm_field()
    submit = SubmitField(_l("End the term now"))


class ButtonForm(FlaskForm):
    """A one-button form (remove, move up): only its CSRF token."""
