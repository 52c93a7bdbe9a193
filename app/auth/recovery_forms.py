"""Forms of password recovery (recovery_routes.py)."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import PasswordField, StringField, SubmitField
from wtforms.validators import DataRequired, EqualTo, Length

from .passwords import MAX_LENGTH, MIN_LENGTH


class ForgotForm(FlaskForm):
    username = StringField(_l("Phone number or user name"), validators=[DataRequired(), Length(max=40)])
    submit = SubmitField(_l("Send me a link"))


class NewPasswordForm(FlaskForm):
    password = PasswordField(
        _l("New password"),
        validators=[DataRequired(), Length(max=MAX_LENGTH)],
        description=_l("At least %(count)s characters.", count=MIN_LENGTH),
    )
    confirm = PasswordField(
        _l("New password again"),
        validators=[DataRequired(), EqualTo("password", message=_l("The two passwords differ."))],
    )
    submit = SubmitField(_l("Save the new password"))


class CodeResetForm(NewPasswordForm):
    username = StringField(_l("Phone number or user name"), validators=[DataRequired(), Length(max=40)])
    code = StringField(
        _l("Reset code from the committee"),
        validators=[DataRequired(), Length(max=40)],
        description=_l("12 digits, valid for 24 hours."),
        render_kw={"inputmode": "numeric", "autocomplete": "one-time-code"},
    )


class IssueCodeForm(FlaskForm):
    submit = SubmitField(_l("Give a new reset code"))
