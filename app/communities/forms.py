from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import HiddenField, SelectField, StringField, SubmitField, TextAreaField
from wtforms.validators import DataRequired, Length

from .models import Role


class JoinForm(FlaskForm):
    address = StringField(
        _l("Your address in the community (building, unit, room)"),
        validators=[DataRequired(), Length(max=120)],
        description=_l("The committee checks it against the resident register."),
    )
    submit = SubmitField(_l("Ask to join"))


class VerifyForm(FlaskForm):
    membership_id = HiddenField(validators=[DataRequired()])
    submit = SubmitField(_l("Verify"))


class DeclineForm(FlaskForm):
    membership_id = HiddenField(validators=[DataRequired()])
    reason = StringField(_l("Reason (shown to the person)"), validators=[DataRequired(), Length(max=300)])
    submit = SubmitField(_l("Decline"))


class RoleForm(FlaskForm):
    membership_id = HiddenField(validators=[DataRequired()])
    role = SelectField(_l("Role"), choices=Role.choices())
    submit = SubmitField(_l("Change role"))


class RemoveForm(FlaskForm):
    reason = TextAreaField(
        _l("Reason (shown to the person)"),
        validators=[DataRequired(message=_l("Please give a reason; the member is told it.")), Length(max=300)],
        description=_l("For example: moved out of the community in March."),
    )
    submit = SubmitField(_l("Remove from the community"))
