from datetime import timedelta

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, DateTimeLocalField, SelectField, SubmitField
from wtforms.validators import InputRequired

from app.core import clock
from app.core.forms import choice_field, confirm_field, date_field, number_field, reason_field, text_field
from app.core.params import DateInRange
from app.voting.forms import DATETIME_FORMAT

from .models import AmendmentKind

WHOLE = _l("Enter a whole number, 0 or more.")


def count_field(label):
    return number_field(label, 0, 1_000_000, message=WHOLE)


class EstablishForm(FlaskForm):
    articles = text_field(
        _l("Articles, one per line"),
        30_000,
        required=_l("Write at least one article, one per line."),
        area=True,
        render_kw={"rows": 12},
    )
    adopted_on = date_field(_l("Adopted on"))
    note = text_field(_l("How it was adopted (published)"), 300)
    submit = SubmitField(_l("Publish version 1"))


class ProposeForm(FlaskForm):
    article_number = SelectField(_l("Article"), coerce=int, validate_choice=False)
    kind = choice_field(_l("The amendment"), AmendmentKind.choices(), _l("Choose what the amendment does."))
    text = text_field(_l("New wording (not needed to delete)"), 500, area=True, render_kw={"rows": 3})
    reasons = text_field(
        _l("Your reasons"),
        1000,
        required=_l("Give your reasons; residents read them before they support it."),
        area=True,
        render_kw={"rows": 4},
    )
    submit = SubmitField(_l("Propose the amendment"))


class DeclineForm(FlaskForm):
    reason = text_field(
        _l("Reason (published)"), 500, required=_l("Please give a reason; it will be published."), area=True
    )
    submit = SubmitField(_l("Do not admit"))


class AssemblyForm(FlaskForm):
    held_on = date_field(_l("Held on"))
    place = text_field(_l("Place"), 120, required=_l("Say where the assembly met."))
    present = count_field(_l("Residents present"))
    yes = count_field(_l("In favour"))
    no = count_field(_l("Against"))
    abstain = count_field(_l("Abstained"))
    submit = SubmitField(_l("Enter the counts for confirmation"))


class ConfirmAssemblyForm(FlaskForm):
    # Confirming decides for good: an approval makes the new version at once.
    understood = confirm_field(_l("I checked these counts against the assembly's signed record."))
    submit = SubmitField(_l("Confirm the counts"))


class RejectAssemblyForm(FlaskForm):
    reason = reason_field(
        _l("What is wrong (published)"), _l("Say what is wrong with the entry; the reason is published.")
    )
    submit = SubmitField(_l("Reject the entry"))


class ApprovalRoundForm(FlaskForm):
    opens_at = DateTimeLocalField(
        _l("Voting opens"), format=DATETIME_FORMAT, validators=[InputRequired(), DateInRange()]
    )
    closes_at = DateTimeLocalField(
        _l("Voting closes"), format=DATETIME_FORMAT, validators=[InputRequired(), DateInRange()]
    )
    per_household = BooleanField(_l("One ballot per household (as registered by the committee)"))
    submit = SubmitField(_l("Open the residents' round"))

    def from_now(self):
        """A new form's dates: voting opens now (to the minute) and closes a week later."""
        now = clock.to_local(clock.now()).replace(second=0, microsecond=0)
        self.opens_at.data, self.closes_at.data = now, now + timedelta(days=7)

    def window(self):
        """The dates (UTC) and the household choice, as the services opening the round take them."""
        return {
            "opens_at": clock.to_utc(self.opens_at.data),
            "closes_at": clock.to_utc(self.closes_at.data),
            "per_household": self.per_household.data,
        }
