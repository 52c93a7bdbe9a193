from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, HiddenField, PasswordField, RadioField, SubmitField
from wtforms.validators import DataRequired, Length

EXPORT_FORMATS = (("json", _l("JSON (one file, for programs)")), ("csv", _l("CSV (a zip of tables, for spreadsheets)")))


class ConsentForm(FlaskForm):
    next = HiddenField()
    submit = SubmitField(_l("I agree"))


class ExportForm(FlaskForm):
    format = RadioField(_l("Format"), choices=EXPORT_FORMATS, default="json", validators=[DataRequired()])
    submit = SubmitField(_l("Download my data"))


class DeleteAccountForm(FlaskForm):
    understood = BooleanField(
        _l("I understand that this cannot be undone."),
        validators=[DataRequired(message=_l("Please confirm that you understand."))],
    )
    password = PasswordField(
        _l("Your password"),
        validators=[DataRequired(), Length(max=128)],
        description=_l("To confirm that it is you."),
    )
    submit = SubmitField(_l("Delete my account"))
