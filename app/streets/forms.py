from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import HiddenField, SelectField, StringField, SubmitField, TextAreaField
from wtforms.validators import DataRequired, Length

from .services import NOTE_MAX


class StreetForm(FlaskForm):
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=80)])
    slug = StringField(
        _l("Web address (letters, digits, -)"),
        validators=[DataRequired(), Length(min=3, max=60)],
        description=_l("Used in links: /street/<address>/"),
    )
    district = StringField(_l("District"), validators=[Length(max=80)])
    submit = SubmitField(_l("Create street"))


class AssignForm(FlaskForm):
    community = SelectField(_l("Community"), coerce=int, validate_choice=False)
    submit = SubmitField(_l("Add to this street"))


class GrantForm(FlaskForm):
    username = StringField(_l("Phone number or user name"), validators=[DataRequired(), Length(max=40)])
    submit = SubmitField(_l("Grant street staff"))


class NoteForm(FlaskForm):
    community_id = HiddenField()
    key = HiddenField()
    body = TextAreaField(_l("Public note"), validators=[DataRequired(), Length(max=NOTE_MAX)])
    submit = SubmitField(_l("Add the note"))
