from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import SubmitField

from app.core.forms import choice_field, text_field

from .models import AttachmentKind


class AttachmentForm(FlaskForm):
    kind = choice_field(_l("What the file is"), AttachmentKind.choices(), _l("Choose what the file is."))
    title = text_field(_l("Title"), 80, required=_l("Give the file a short title, e.g. 施工报价单."))
    file = FileField(
        _l("File"),
        render_kw={"accept": "application/pdf,image/jpeg,image/png,image/webp"},
        description=_l("A PDF, or a JPEG, PNG or WebP picture; at most 10 MB. Everyone can open it."),
    )
    submit = SubmitField(_l("Add the file"))


class RemoveForm(FlaskForm):
    reason = text_field(
        _l("Why it is removed (shown in its place)"),
        300,
        required=_l("Say why it is removed; the reason stays in its place."),
    )
    submit = SubmitField(_l("Remove the file for good"))
