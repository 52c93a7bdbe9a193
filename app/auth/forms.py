from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, EmailField, PasswordField, StringField, SubmitField
from wtforms.validators import DataRequired, EqualTo, Length, Optional, Regexp, ValidationError

from app.core.errors import FieldError
from app.core.text import DISPLAY_NAME_MAX, clean_display_name

USERNAME_PATTERN = r"^(1\d{10}|[A-Za-z][A-Za-z0-9_]{2,29})$"


def valid_display_name(_form, field):
    """The display-name rule of app/core/text.py, shown next to the field."""
    try:
        clean_display_name(field.data)
    except FieldError as error:
        raise ValidationError(str(error.message)) from None


class RegisterForm(FlaskForm):
    username = StringField(
        _l("Phone number or user name"),
        validators=[
            DataRequired(),
            Regexp(
                USERNAME_PATTERN,
                message=_l("Use an 11-digit mobile number, or 3–30 letters, digits or _ starting with a letter."),
            ),
        ],
        description=_l("You log in with this. It is never shown to other people."),
    )
    display_name = StringField(
        _l("Name shown to others"),
        validators=[DataRequired(), valid_display_name],
        render_kw={"maxlength": DISPLAY_NAME_MAX},
        description=_l("For example 王阿姨 or 3栋 李先生."),
    )
    password = PasswordField(
        _l("Password"), validators=[DataRequired(), Length(min=8, max=128)], description=_l("At least 8 characters.")
    )
    confirm = PasswordField(
        _l("Password again"), validators=[DataRequired(), EqualTo("password", message=_l("The two passwords differ."))]
    )
    # Recorded with the notice's version by the privacy feature (app/privacy).
    consent = BooleanField(
        _l("I have read the privacy notice and agree to it."),
        validators=[DataRequired(message=_l("Please read the privacy notice and tick the box to agree."))],
    )
    submit = SubmitField(_l("Register"))


class LoginForm(FlaskForm):
    username = StringField(_l("Phone number or user name"), validators=[DataRequired(), Length(max=40)])
    password = PasswordField(_l("Password"), validators=[DataRequired(), Length(max=128)])
    remember = BooleanField(_l("Keep me logged in on this device"))
    submit = SubmitField(_l("Log in"))


class ProfileForm(FlaskForm):
    display_name = StringField(
        _l("Name shown to others"),
        validators=[DataRequired(), valid_display_name],
        render_kw={"maxlength": DISPLAY_NAME_MAX},
    )
    email = EmailField(
        _l("Email for notifications (optional)"),
        validators=[
            Optional(),
            Length(max=120),
            Regexp(r"^[^@\s]+@[^@\s]+\.[^@\s]+$", message=_l("This does not look like an email address.")),
        ],
    )
    current_password = PasswordField(_l("Current password (only to change it)"), validators=[Optional()])
    new_password = PasswordField(_l("New password"), validators=[Optional(), Length(min=8, max=128)])
    submit = SubmitField(_l("Save"))


class LogoutForm(FlaskForm):
    submit = SubmitField(_l("Log out"))
