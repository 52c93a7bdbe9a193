from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DateField, HiddenField, IntegerField, SubmitField
from wtforms.validators import DataRequired, InputRequired, NumberRange
from wtforms.widgets import HiddenInput

from app.core.forms import text_field
from app.core.params import MAX_ID, DateInRange

from .objections import MAX_ANSWER, MAX_OBJECTION, MAX_REOPEN_REASON
from .services import MAX_PREFACE


class NoticeForm(FlaskForm):
    kind = HiddenField(validators=[DataRequired()])
    ref = IntegerField(widget=HiddenInput(), validators=[InputRequired(), NumberRange(min=1, max=MAX_ID)])
    title = text_field(_l("Title"), 120, description=_l("Leave as it is to use the title generated from the record."))
    preface = text_field(
        _l("Preface (optional)"),
        MAX_PREFACE,
        area=True,
        description=_l(
            "Shown above the facts. Markdown is allowed. The facts generated from the record cannot be changed."
        ),
    )
    period_start = DateField(_l("First day of the notice period"), validators=[InputRequired(), DateInRange()])
    period_end = DateField(
        _l("Last day of the notice period"),
        validators=[InputRequired(), DateInRange()],
        description=_l("Verified residents may lodge objections until the end of this day."),
    )
    submit = SubmitField(_l("Publish the notice"))


class ObjectionForm(FlaskForm):
    body = text_field(
        _l("Your objection"),
        MAX_OBJECTION,
        required=True,
        area=True,
        description=_l("Published without your name; the committee answers it publicly."),
    )
    submit = SubmitField(_l("Lodge the objection"))


class AnswerForm(FlaskForm):
    """One per objection on the page: build it with prefix=answer_prefix(objection)."""

    answer = text_field(_l("Public answer"), MAX_ANSWER, required=True, area=True)
    submit = SubmitField(_l("Publish the answer"))


class ReopenForm(FlaskForm):
    """One per answered objection on the committee's page: build it with prefix=reopen_prefix(objection)."""

    reason = text_field(
        _l("Why the objection is reopened"),
        MAX_REOPEN_REASON,
        required=True,
        area=True,
        description=_l("Published. Until it is answered again, the micro-matters of this notice cannot move on."),
    )
    submit = SubmitField(_l("Reopen the objection"))


def reopen_prefix(objection_id):
    return f"reopen-{objection_id}"


def answer_prefix(objection_id):
    return f"answer-{objection_id}"
