from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import MultipleFileField
from wtforms import DateField, IntegerField, RadioField, StringField, SubmitField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional

from app.core.params import DateInRange

PHOTO_ACCEPT = "image/jpeg,image/png,image/webp"
DATE_MESSAGE = _l("Please give a valid date.")


def photos_field(label):
    return MultipleFileField(
        label, render_kw={"accept": PHOTO_ACCEPT}, description=_l("JPEG, PNG or WebP, at most 5 photos of 5 MB each.")
    )


class DetailsForm(FlaskForm):
    responsible_unit = StringField(
        _l("Responsible unit"),
        validators=[Optional(), Length(max=120)],
        description=_l("The company, office or team doing the work."),
    )
    contact = StringField(_l("Contact (name and phone)"), validators=[Optional(), Length(max=120)])
    planned_start = DateField(_l("Planned start"), validators=[Optional(), DateInRange()])
    planned_end = DateField(_l("Planned end"), validators=[Optional(), DateInRange()])
    submit = SubmitField(_l("Save the plan"))


class MilestoneForm(FlaskForm):
    title = StringField(
        _l("Milestone"),
        validators=[DataRequired(), Length(max=120)],
        description=_l("For example: contract signed, materials delivered, installation done."),
    )
    planned_date = DateField(_l("Planned date"), validators=[InputRequired(message=DATE_MESSAGE), DateInRange()])
    submit = SubmitField(_l("Add milestone"))


class MilestoneDoneForm(FlaskForm):
    done_on = DateField(_l("Done on"), validators=[InputRequired(message=DATE_MESSAGE), DateInRange()])
    note = TextAreaField(_l("Note"), validators=[Optional(), Length(max=1000)])
    photos = photos_field(_l("Photos as evidence"))
    submit = SubmitField(_l("Mark as done"))


class UpdateForm(FlaskForm):
    percent = IntegerField(
        _l("Progress in percent"),
        validators=[Optional(), NumberRange(min=0, max=100)],
        render_kw={"min": 0, "max": 100, "inputmode": "numeric"},
        description=_l("A whole number from 0 to 100."),
    )
    body = TextAreaField(
        _l("Status update"),
        validators=[Optional(), Length(max=2000)],
        description=_l("What happened? Markdown is allowed."),
    )
    photos = photos_field(_l("Photos"))
    submit = SubmitField(_l("Post the update"))


class SpendingForm(FlaskForm):
    amount = IntegerField(
        _l("Amount (yuan)"),
        validators=[InputRequired(), NumberRange(min=1, max=1_000_000_000)],
        render_kw={"min": 1, "inputmode": "numeric"},
    )
    spent_on = DateField(_l("Date"), validators=[InputRequired(message=DATE_MESSAGE), DateInRange()])
    purpose = StringField(_l("What for"), validators=[DataRequired(), Length(max=200)])
    over_budget_reason = StringField(
        _l("Reason for going over the budget"),
        validators=[Optional(), Length(max=300)],
        description=_l("Needed only when the total goes above the approved budget; it will be published."),
    )
    submit = SubmitField(_l("Record spending"))


class ReasonForm(FlaskForm):
    reason = TextAreaField(_l("Reason (published)"), validators=[DataRequired(), Length(max=2000)])
    submit = SubmitField(_l("Save"))


class AcceptanceForm(FlaskForm):
    accepted_on = DateField(_l("Acceptance date"), validators=[InputRequired(message=DATE_MESSAGE), DateInRange()])
    note = TextAreaField(
        _l("Acceptance note"),
        validators=[DataRequired(), Length(max=2000)],
        description=_l("Who checked the work and what they found."),
    )
    submit = SubmitField(_l("Record the acceptance (验收)"))


class WindowForm(FlaskForm):
    closes_on = DateField(_l("Last day of rating"), validators=[InputRequired(message=DATE_MESSAGE), DateInRange()])
    submit = SubmitField(_l("Open the residents' rating"))


class ConfirmForm(FlaskForm):
    submit = SubmitField(_l("Confirm"))


STAR_CHOICES = [
    (5, _l("5 stars: very satisfied")),
    (4, _l("4 stars: satisfied")),
    (3, _l("3 stars: so-so")),
    (2, _l("2 stars: dissatisfied")),
    (1, _l("1 star: very dissatisfied")),
]


class RatingForm(FlaskForm):
    stars = RadioField(
        _l("Your rating"),
        choices=STAR_CHOICES,
        coerce=int,
        validators=[InputRequired(message=_l("Please choose from 1 to 5 stars."))],
    )
    comment = TextAreaField(_l("Comment (optional)"), validators=[Optional(), Length(max=500)])
    submit = SubmitField(_l("Send my rating"))
