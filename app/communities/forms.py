from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import HiddenField, SelectField, SubmitField
from wtforms.validators import DataRequired

from app.core.forms import reason_field, text_field

from .models import Role


class JoinForm(FlaskForm):
    address = text_field(
        _l("Your address in the community (building, unit, room)"),
        120,
        required=True,
        description=_l("The committee checks it against the resident register."),
    )
    submit = SubmitField(_l("Ask to join"))


class VerifyForm(FlaskForm):
    membership_id = HiddenField(validators=[DataRequired()])
    submit = SubmitField(_l("Verify"))


class DeclineForm(FlaskForm):
    membership_id = HiddenField(validators=[DataRequired()])
    reason = text_field(_l("Reason (shown to the person)"), 300, required=True)
    submit = SubmitField(_l("Decline"))


class RoleForm(FlaskForm):
    membership_id = HiddenField(validators=[DataRequired()])
    role = SelectField(_l("Role"), choices=Role.choices())
    submit = SubmitField(_l("Change role"))


class RemoveForm(FlaskForm):
    reason = reason_field(
        _l("Reason (shown to the person)"),
        _l("Please give a reason; the member is told it."),
        description=_l("For example: moved out of the community in March."),
    )
    submit = SubmitField(_l("Remove from the community"))
