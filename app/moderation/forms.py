from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import SelectField, SubmitField

from app.core.forms import choice_field, number_field, reason_field, text_field

from .models import FlagOutcome, FlagReason
from .services import MAX_BLOCK_DAYS


class FlagForm(FlaskForm):
    reason = choice_field(_l("What is wrong"), FlagReason.choices(), _l("Choose what is wrong."))
    text = text_field(
        _l("Anything the committee should know (optional)"),
        500,
        area=True,
        description=_l("Only the committee reads your report; the author is not told who reported."),
    )
    submit = SubmitField(_l("Send the report to the committee"))


class CloseForm(FlaskForm):
    outcome = SelectField(_l("What the committee did"), choices=FlagOutcome.choices())
    note = text_field(_l("Note for the record"), 300, required=_l("Write a short note for the record."))
    submit = SubmitField(_l("Close the reports"))


class BlockForm(FlaskForm):
    days = number_field(_l("Days"), 1, MAX_BLOCK_DAYS, message=_l("Between 1 and %(n)s days.", n=MAX_BLOCK_DAYS))
    reason = reason_field(_l("Reason (the resident sees it)"), _l("Say why; the resident sees the reason."))
    submit = SubmitField(_l("Block from posting"))


class UnblockForm(FlaskForm):
    submit = SubmitField(_l("Lift the block"))


class HideForm(FlaskForm):
    reason = reason_field(
        _l("Public reason (shown on its page and sent to its proposer and supporters)"), _l("Give the public reason.")
    )
    submit = SubmitField(_l("Hide the micro-matter"))
