from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import SubmitField

from app.core.forms import choice_field, date_field, text_field

from .models import ItemKind


class ItemForm(FlaskForm):
    kind = choice_field(_l("What kind of item"), ItemKind.choices(), _l("Choose what kind of item it is."))
    title = text_field(_l("Title"), 80, required=_l("Give the item a title."))
    description = text_field(
        _l("What the council is asked to decide"),
        4000,
        required=_l("Say what the council is asked to decide."),
        area=True,
    )
    assigning_office = text_field(
        _l("Assigned by (office above)"),
        120,
        description=_l("Only for an item assigned from above, e.g. 双塔街道办事处."),
    )
    due_on = date_field(_l("Due by"), required=False, description=_l("Only for an item assigned from above."))
    submit = SubmitField(_l("Put it on the agenda list"))
