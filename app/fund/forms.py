from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, RadioField, StringField, SubmitField, TextAreaField
from wtforms.validators import InputRequired, Length

from app.core.forms import date_field, text_field

from .ledger import SourceKind


class SourceForm(FlaskForm):
    source_kind = RadioField(
        _l("Where the money comes from"),
        choices=SourceKind.choices(),
        default=SourceKind.ALLOCATION.value,
        validators=[InputRequired(message=_l("Choose where the money comes from."))],
    )
    # Text, not a number field: the service reads "50,000" or "¥50000" and explains anything else.
    amount = StringField(
        _l("Amount (yuan)"),
        validators=[InputRequired(message=_l("Please give the amount.")), Length(max=20)],
        render_kw={"inputmode": "numeric", "autocomplete": "off"},
        description=_l("A whole number of yuan, for example 50000."),
    )
    entry_date = date_field(_l("Date received"))
    donor = text_field(
        _l("Donor or charity fund"), 120, description=_l("Charity co-funding only: for example 杏林社区基金.")
    )
    matching_percent = text_field(
        _l("Matching share (%)"),
        4,
        render_kw={"inputmode": "numeric"},
        description=_l("Charity co-funding only, optional: the share of each project's cost it pays, e.g. 30."),
    )
    note = text_field(_l("Note"), 300, description=_l("Other sources: where the money comes from."))
    submit = SubmitField(_l("Record the source"))


class ReverseForm(FlaskForm):
    reason = TextAreaField(
        _l("Reason for the correction"),
        validators=[InputRequired(message=_l("Please give the reason; it will be published.")), Length(max=300)],
    )
    confirm = BooleanField(_l("I understand that the correction is published and cannot be undone."))
    submit = SubmitField(_l("Record the correction"))


class CloseYearForm(FlaskForm):
    confirm = BooleanField(_l("I understand that a closed year cannot be opened again."))
    submit = SubmitField(_l("Close the year"))
