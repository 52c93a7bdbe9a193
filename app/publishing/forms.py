from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DateField, HiddenField, IntegerField, StringField, SubmitField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional
from wtforms.widgets import HiddenInput

from app.core.params import MAX_ID, DateInRange

from .services import MAX_ANSWER, MAX_OBJECTION, MAX_PREFACE, MAX_REOPEN_REASON


class NoticeForm(FlaskForm):
    kind = HiddenField(validators=[DataRequired()])
    ref = IntegerField(widget=HiddenInput(), validators=[InputRequired(), NumberRange(min=1, max=MAX_ID)])
    title = StringField(
        _l("Title"),
        validators=[Optional(), Length(max=120)],
        description=_l("Leave as it is to use the title generated from the record."),
    )
    preface = TextAreaField(
        _l("Preface (optional)"),
        validators=[Optional(), Length(max=MAX_PREFACE)],
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
    body = TextAreaField(
        _l("Your objection"),
        validators=[DataRequired(), Length(max=MAX_OBJECTION)],
        description=_l("Published without your name; the committee answers it publicly."),
    )
    submit = SubmitField(_l("Lodge the objection"))


class AnswerForm(FlaskForm):
    """One per objection on the page: build it with prefix=answer_prefix(objection)."""

    answer = TextAreaField(_l("Public answer"), validators=[DataRequired(), Length(max=MAX_ANSWER)])
    submit = SubmitField(_l("Publish the answer"))


class ReopenForm(FlaskForm):
    """One per answered objection on the committee's page: build it with prefix=reopen_prefix(objection)."""

    reason = TextAreaField(
        _l("Why the objection is reopened"),
        validators=[DataRequired(), Length(max=MAX_REOPEN_REASON)],
        description=_l("Published. Until it is answered again, the micro-matters of this notice cannot move on."),
    )
    submit = SubmitField(_l("Reopen the objection"))


def reopen_prefix(objection_id):
    return f"reopen-{objection_id}"


def answer_prefix(objection_id):
    return f"answer-{objection_id}"
