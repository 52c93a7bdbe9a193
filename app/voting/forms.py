from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import BooleanField, DateTimeLocalField, IntegerField, SelectField, StringField, SubmitField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional

from app.core.forms import confirm_field, text_field
from app.core.params import DateInRange, form_id

from .models import Allocation, Method

DATETIME_FORMAT = "%Y-%m-%dT%H:%M"


class RoundForm(FlaskForm):
    """The fixed fields of a new round; the options (micro-matters and their costs) are read from
    the `option` checkboxes and `cost-<matter id>` fields the page lists."""

    title = text_field(_l("Title"), 80, required=True, description=_l("For example: 2026 micro-matters budget vote."))
    description = TextAreaField(_l("What residents should know (optional)"), validators=[Length(max=2000)])
    method = SelectField(_l("Voting method"), choices=Method.choices())
    allocation = SelectField(
        _l("How the budget is allocated (approval and budget ballots)"),
        choices=Allocation.choices(),
    )
    max_choices = IntegerField(
        _l("Approval: how many projects each ballot may choose (k)"),
        validators=[Optional(), NumberRange(min=1, max=60)],
    )
    budget = IntegerField(_l("Budget (yuan)"), validators=[InputRequired(), NumberRange(min=1, max=1_000_000_000)])
    opens_at = DateTimeLocalField(
        _l("Voting opens"), format=DATETIME_FORMAT, validators=[InputRequired(), DateInRange()]
    )
    closes_at = DateTimeLocalField(
        _l("Voting closes"), format=DATETIME_FORMAT, validators=[InputRequired(), DateInRange()]
    )
    per_household = BooleanField(_l("One ballot per household (as registered by the committee)"))
    allow_changes = BooleanField(
        _l("Residents may change their ballot until the close (the last one counts)"), default=True
    )
    submit = SubmitField(_l("Open the round"))


class SessionForm(FlaskForm):
    place = text_field(_l("Place"), 120, required=True, description=_l("For example: 党群服务中心一楼大厅."))
    starts_at = DateTimeLocalField(_l("Starts"), format=DATETIME_FORMAT, validators=[InputRequired(), DateInRange()])
    ends_at = DateTimeLocalField(_l("Ends"), format=DATETIME_FORMAT, validators=[InputRequired(), DateInRange()])
    submit = SubmitField(_l("Declare the session"))


class MarkVoterForm(FlaskForm):
    """`session` lists the sessions running now (the view sets the choices)."""

    session = SelectField(_l("Session"), coerce=form_id, validate_choice=False)
    username = text_field(
        _l("Resident's user name or phone number"),
        40,
        required=True,
        description=_l(
            "They are marked as having voted in person and are told so; they can no "
            "longer vote online. A mark cannot be undone."
        ),
    )
    submit = SubmitField(_l("Mark as voted in person"))


class SheetForm(FlaskForm):
    """`session` lists the round's sessions that have started (the view sets the choices)."""

    session = SelectField(_l("Session"), coerce=form_id, validate_choice=False)
    lines = TextAreaField(
        _l("Ballots counted, one line per distinct ballot"),
        validators=[Length(max=20_000)],
        description=_l(
            "The chosen option numbers, × and the number of ballots: “1 3 × 12”. "
            "Yes/no ballots: “1:yes 2:no × 7”. Blank ballots: “- × 2”."
        ),
    )
    spoilt = IntegerField(_l("Spoilt ballots"), default=0, validators=[InputRequired(), NumberRange(min=0, max=20_000)])
    submit = SubmitField(_l("Enter the tally sheet"))


class ImportForm(FlaskForm):
    session = SelectField(_l("Session"), coerce=form_id, validate_choice=False)
    file = FileField(_l("CSV file of the tally sheet"), validators=[DataRequired()])
    spoilt = IntegerField(_l("Spoilt ballots"), default=0, validators=[InputRequired(), NumberRange(min=0, max=20_000)])
    submit = SubmitField(_l("Import"))


class ConfirmSheetForm(FlaskForm):
    checked = BooleanField(
        _l(
            "I have checked this sheet against the paper tally sheet and the ballots. Its "
            "ballots go into the box and cannot be taken out again."
        ),
        validators=[DataRequired()],
    )
    submit = SubmitField(_l("Confirm as scrutineer"))


class RejectSheetForm(FlaskForm):
    reason = StringField(_l("Why it is rejected"), validators=[Length(max=300)])
    submit = SubmitField(_l("Reject this tally sheet"))


class ObjectionForm(FlaskForm):
    note = TextAreaField(_l("Anything the council should know (optional)"), validators=[Length(max=300)])
    submit = SubmitField(_l("That was not me"))


class CountForm(FlaskForm):
    understood = confirm_field(_l("Every paper ballot is entered; count and publish now."))
    submit = SubmitField(_l("Count and publish the results"))


class ShareForm(FlaskForm):
    """The choices a resident ticks again to see where their share went (nothing is stored)."""

    submit = SubmitField(_l("Show where my share went"))


class HouseholdForm(FlaskForm):
    name = text_field(_l("Household name"), 80, required=True, description=_l("For example: 3栋2单元401 王家."))
    address = text_field(_l("Address"), 120, required=True)
    submit = SubmitField(_l("Add household"))


class MemberForm(FlaskForm):
    username = text_field(_l("Resident's user name or phone number"), 40, required=True)
    submit = SubmitField(_l("Add to this household"))


class ActionForm(FlaskForm):
    """A button that only needs the CSRF token (remove a member, group households by address)."""
