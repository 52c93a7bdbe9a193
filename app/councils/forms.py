from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    DateTimeLocalField,
    IntegerField,
    RadioField,
    SelectField,
    SelectMultipleField,
    SubmitField,
    TextAreaField,
)
from wtforms.validators import InputRequired, Length, NumberRange, Optional
from wtforms.widgets import CheckboxInput, ListWidget

from app.core.forms import confirm_field, text_field
from app.core.params import DateInRange, form_id

from .models import MotionKind, VoteMode


class MultiCheckboxField(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class AdmitForm(FlaskForm):
    judged = BooleanField(_l("The committee judged the negative list: none of its items applies."))
    note = text_field(_l("Note (optional, public)"), 500)
    submit = SubmitField(_l("Admit to the agenda list"))


class DeclineForm(FlaskForm):
    reason = text_field(_l("Reason for not admitting it (published)"), 500, required=True, area=True)
    understood = confirm_field(
        _l("I understand that not admitting it is final."),
        message=_l("Tick the box to confirm: a micro-matter that is not admitted cannot be reviewed again."),
    )
    submit = SubmitField(_l("Do not admit"))


class MeetingForm(FlaskForm):
    title = text_field(_l("Title"), 120, required=True, description=_l("For example: 2026年第4次居民议事会"))
    starts_at = DateTimeLocalField(
        _l("Date and time"),
        format="%Y-%m-%dT%H:%M",
        validators=[InputRequired(), DateInRange()],
        description=_l("Local time."),
    )
    place = text_field(_l("Place"), 120, required=True)
    chair_id = SelectField(_l("Chair"), coerce=int, validators=[InputRequired()])
    secretary_id = SelectField(
        _l("Secretary (keeps attendance, records votes, writes the minutes)"), coerce=int, validators=[InputRequired()]
    )
    # Not limited to the choices shown: an item taken meanwhile (e.g. by a voting round) gets the
    # service's message naming where it went.
    items = MultiCheckboxField(_l("Items from the agenda list"), coerce=form_id, validate_choice=False)
    urgent = BooleanField(_l("Urgent meeting (shorter notice than the rules ask)"))
    urgent_reason = text_field(_l("Reason for the urgency (published)"), 300)
    submit = SubmitField(_l("Schedule the meeting"))


class HandoverForm(FlaskForm):
    to_user_id = SelectField(_l("Hand the chair to"), coerce=int, validators=[InputRequired()])
    reason = text_field(_l("Reason (optional)"), 300)
    submit = SubmitField(_l("Hand over the chair"))


class MotionForm(FlaskForm):
    kind = RadioField(
        _l("The motion"),
        choices=MotionKind.choices(),
        validators=[InputRequired(message=_l("Choose what the motion proposes."))],
    )
    budget = IntegerField(_l("Budget in yuan (for an approval)"), validators=[Optional(), NumberRange(1, 100_000_000)])
    text = text_field(_l("Wording (optional)"), 500)
    submit = SubmitField(_l("Move the motion"))


class ChairMotionForm(MotionForm):
    """The presiding chair moves a motion for a member present without a phone."""

    member_id = SelectField(
        _l("For the member"),
        coerce=form_id,
        validate_choice=False,  # the service says who may be named (checked in as present)
        validators=[InputRequired(message=_l("Choose the member."))],
    )
    submit = SubmitField(_l("Record the motion for this member"))


class AmendmentForm(FlaskForm):
    text = text_field(_l("The motion's wording as amended"), 500, area=True)
    budget = IntegerField(
        _l("Another budget in yuan (for a motion with a budget)"), validators=[Optional(), NumberRange(1, 100_000_000)]
    )
    submit = SubmitField(_l("Move the amendment"))


class ChairAmendmentForm(AmendmentForm):
    """The presiding chair moves an amendment for a member present without a phone."""

    member_id = ChairMotionForm.member_id
    submit = SubmitField(_l("Record the amendment for this member"))


class PointOfOrderForm(FlaskForm):
    text = text_field(_l("Point of order"), 300, required=True, description=_l("Which rule is not kept, briefly."))
    submit = SubmitField(_l("Raise a point of order"))


class ChairPointOfOrderForm(PointOfOrderForm):
    member_id = ChairMotionForm.member_id
    submit = SubmitField(_l("Record the point of order for this member"))


class RulingForm(FlaskForm):
    upheld = RadioField(
        _l("Ruling"),
        choices=[("yes", _l("Upheld")), ("no", _l("Not upheld"))],
        validators=[InputRequired(message=_l("Say whether the point of order is upheld."))],
    )
    reason = text_field(_l("Reason (in the minutes)"), 300, required=True)
    understood = confirm_field(
        _l("I understand that the ruling is final."),
        message=_l("Tick the box to confirm: a ruling cannot be changed."),
    )
    submit = SubmitField(_l("Give the ruling"))


class BallotForm(FlaskForm):
    """A member's vote (the choice comes from the button pressed): final, so confirmed."""

    understood = confirm_field(
        _l("I understand that my vote cannot be changed."),
        message=_l("Tick the box to confirm your vote: once cast, it cannot be changed."),
    )


class CloseMeetingForm(FlaskForm):
    understood = confirm_field(
        _l("I understand that the meeting closes for good."),
        message=_l("Tick the box to confirm: a closed meeting cannot be reopened."),
    )


class LockMinutesForm(FlaskForm):
    understood = confirm_field(
        _l("I approve these minutes and understand they can no longer be changed."),
        message=_l("Tick the box to confirm: locked minutes can no longer be changed."),
    )


class OpenVoteForm(FlaskForm):
    mode = SelectField(_l("How to vote"), choices=VoteMode.choices())
    submit = SubmitField(_l("Open the vote"))


class CloseVoteForm(FlaskForm):
    yes = IntegerField(_l("Yes counted"), validators=[Optional(), NumberRange(0, 1000)])
    no = IntegerField(_l("No counted"), validators=[Optional(), NumberRange(0, 1000)])
    abstain = IntegerField(_l("Abstentions counted"), validators=[Optional(), NumberRange(0, 1000)])
    submit = SubmitField(_l("Close the vote and count"))


class NotesForm(FlaskForm):
    notes = TextAreaField(_l("Secretary's notes (Markdown)"), validators=[Length(max=20_000)])
    submit = SubmitField(_l("Save the notes"))


class CorrectionForm(FlaskForm):
    notes = text_field(_l("What is corrected"), 20_000, required=True, area=True)
    submit = SubmitField(_l("Start a correction"))


class SendMinutesForm(FlaskForm):
    submit = SubmitField(_l("Send the draft to the council members for comments"))


class MinutesCommentForm(FlaskForm):
    text = text_field(_l("Your comment on the draft"), 2_000, required=True, area=True)
    submit = SubmitField(_l("Send the comment"))


class CommentAnswerForm(FlaskForm):
    text = text_field(_l("The chair's answer"), 2_000, required=True, area=True)
    submit = SubmitField(_l("Answer"))


# The forms of a meeting's views by the key a refused one is shown again under (live_views'
# `forms`), with their prefix: the page that shows a form and the action that receives it share both.
LIVE_FORMS = {
    "handover": (HandoverForm, ""),
    "motion": (MotionForm, ""),
    "chair_motion": (ChairMotionForm, "for"),
    "amend": (AmendmentForm, "amend"),
    "chair_amend": (ChairAmendmentForm, "foramend"),
    "point": (PointOfOrderForm, "point"),
    "chair_point": (ChairPointOfOrderForm, "forpoint"),
    "ballot": (BallotForm, "ballot"),
    "decide": (BallotForm, "decide"),
    "close_vote": (CloseVoteForm, ""),
    "close_meeting": (CloseMeetingForm, "close"),
}


def live_form(key, **kwargs):
    """The form of LIVE_FORMS under `key` (formdata=None: a blank one for a page)."""
    form_class, prefix = LIVE_FORMS[key]
    return form_class(prefix=prefix, **kwargs)
