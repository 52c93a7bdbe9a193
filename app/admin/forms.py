from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import IntegerField, SelectField, StringField, SubmitField
from wtforms.validators import DataRequired, Length, NumberRange

from app.communities.models import CommunityKind, Role


class CommunityForm(FlaskForm):
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=80)])
    slug = StringField(
        _l("Web address (letters, digits, -)"),
        validators=[DataRequired(), Length(min=3, max=60)],
        description=_l("Used in links and QR codes: /c/<address>/"),
    )
    kind = SelectField(_l("Kind"), choices=CommunityKind.choices())
    district = StringField(_l("Street / district"), validators=[DataRequired(), Length(max=80)])
    register_size = IntegerField(
        _l("People on the resident register"), validators=[DataRequired(), NumberRange(min=1, max=1_000_000)]
    )
    annual_budget = IntegerField(
        _l("Micro-matter budget this year (yuan)"), validators=[NumberRange(min=0, max=100_000_000)], default=0
    )
    submit = SubmitField(_l("Create community"))


class AppointForm(FlaskForm):
    username = StringField(_l("Phone number or user name"), validators=[DataRequired(), Length(max=40)])
    role = SelectField(_l("Role"), choices=Role.choices())
    submit = SubmitField(_l("Appoint"))
