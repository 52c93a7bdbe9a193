from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import SelectField, SubmitField
from wtforms.validators import InputRequired

from app.core.params import form_id


class GiveProxyForm(FlaskForm):
    holder_id = SelectField(_l("I give my written proxy to"), coerce=form_id, validators=[InputRequired()])
    submit = SubmitField(_l("Give my proxy"))


class PaperProxyForm(FlaskForm):
    giver_id = SelectField(_l("Member who signed the proxy"), coerce=form_id, validators=[InputRequired()])
    holder_id = SelectField(_l("Member who holds it"), coerce=form_id, validators=[InputRequired()])
    submit = SubmitField(_l("Record the paper proxy"))


class RevokeProxyForm(FlaskForm):
    submit = SubmitField(_l("Revoke the proxy"))
