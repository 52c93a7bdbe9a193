from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import SubmitField

from app.core.forms import choice_field, confirm_field, date_field, number_field, photos_field, text_field


class DetailsForm(FlaskForm):
    responsible_unit = text_field(
        _l("Responsible unit"), 120, description=_l("The company, office or team doing the work.")
    )
    contact = text_field(_l("Contact (name and phone)"), 120)
    planned_start = date_field(_l("Planned start"), required=False)
    planned_end = date_field(_l("Planned end"), required=False)
    submit = SubmitField(_l("Save the plan"))


class MilestoneForm(FlaskForm):
    title = text_field(
        _l("Milestone"),
        120,
        required=True,
        description=_l("For example: contract signed, materials delivered, installation done."),
    )
    planned_date = date_field(_l("Planned date"))
    submit = SubmitField(_l("Add milestone"))


class MilestoneDoneForm(FlaskForm):
    done_on = date_field(_l("Done on"))
    note = text_field(_l("Note"), 1000, area=True)
    photos = photos_field(_l("Photos as evidence"))
    submit = SubmitField(_l("Mark as done"))


class UpdateForm(FlaskForm):
    percent = number_field(
        _l("Progress in percent"),
        0,
        100,
        required=False,
        render_kw={"min": 0, "max": 100, "inputmode": "numeric"},
        description=_l("A whole number from 0 to 100."),
    )
    body = text_field(_l("Status update"), 2000, area=True, description=_l("What happened? Markdown is allowed."))
    photos = photos_field(_l("Photos"))
    submit = SubmitField(_l("Post the update"))


class SpendingForm(FlaskForm):
    amount = number_field(
        _l("Amount (yuan)"),
        1,
        1_000_000_000,
        render_kw={"min": 1, "inputmode": "numeric"},
    )
    spent_on = date_field(_l("Date"))
    purpose = text_field(_l("What for"), 200, required=True)
    over_budget_reason = text_field(
        _l("Reason for going over the budget"),
        300,
        description=_l("Needed only when the total goes above the approved budget; it will be published."),
    )
    submit = SubmitField(_l("Record spending"))


class ReasonForm(FlaskForm):
    reason = text_field(_l("Reason (published)"), 2000, required=True, area=True)
    submit = SubmitField(_l("Save"))


class AcceptanceForm(FlaskForm):
    accepted_on = date_field(_l("Acceptance date"))
    note = text_field(
        _l("Acceptance note"),
        2000,
        required=True,
        area=True,
        description=_l("Who checked the work and what they found."),
    )
    submit = SubmitField(_l("Record the acceptance (验收)"))


class WindowForm(FlaskForm):
    closes_on = date_field(_l("Last day of rating"))
    submit = SubmitField(_l("Open the residents' rating"))


class CancelForm(FlaskForm):
    """Cancelling cannot be undone, so it asks for a reason and a tick, not just a button."""

    reason = text_field(_l("Why it will not be delivered (published)"), 2000, required=True, area=True)
    understood = confirm_field(
        _l("I understand that the micro-matter ends here and cannot be taken up again."),
        message=_l("Tick the box to confirm."),
    )
    submit = SubmitField(_l("Cancel the micro-matter"))


class EndWindowForm(FlaskForm):
    understood = confirm_field(_l("I understand that residents can no longer rate and that this cannot be undone."))
    submit = SubmitField(_l("End the rating now"))


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
    stars = choice_field(_l("Your rating"), STAR_CHOICES, _l("Please choose from 1 to 5 stars."), coerce=int)
    comment = text_field(_l("Comment (optional)"), 500, area=True)
    submit = SubmitField(_l("Send my rating"))
