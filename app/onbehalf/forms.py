from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, RadioField, SearchField, SelectField, SubmitField
from wtforms.validators import DataRequired, InputRequired

from app.core.vocabulary import EntryChannel
from app.matters.forms import CommentForm, MatterForm
from app.tracker.forms import STAR_CHOICES, RatingForm

AGREED = _l("Tick the box to confirm that the resident agreed.")


class OnBehalf:
    """What every entry for a resident asks: how they told you, and that they agreed."""

    channel = RadioField(
        _l("How the resident told you"),
        choices=EntryChannel.choices(),
        validate_choice=False,
        validators=[DataRequired(_l("Please choose how the resident told you."))],
    )
    agreed = BooleanField(
        _l("The resident agreed that I record this in their name."),
        validators=[InputRequired(message=AGREED)],
        description=_l("It counts as the resident's own and is shown publicly as “代录” with the channel."),
    )


class FindForm(FlaskForm):
    class Meta:
        csrf = False

    q = SearchField(_l("Name or address of the resident"), render_kw={"maxlength": 60})


class ProposalForm(OnBehalf, MatterForm):
    # Removed from the resident's form (WTForms drops a field set to None): a paper form's photos are
    # not the worker's to upload, and the proposal is submitted at once.
    photos = None
    save = None  # type: ignore[assignment]
    save_submit = None  # type: ignore[assignment]
    submit = SubmitField(_l("Record and submit the proposal"))


def _matter_field():
    return SelectField(_l("Micro-matter"), choices=[], validate_choice=False, validators=[DataRequired()])


class SupportForm(OnBehalf, FlaskForm):
    matter = _matter_field()
    submit = SubmitField(_l("Record the support"))


class OnBehalfCommentForm(OnBehalf, CommentForm):
    matter = _matter_field()
    stance = RadioField(
        _l("The resident's position"),
        choices=CommentForm.stance.kwargs["choices"],
        default=CommentForm.stance.kwargs["default"],
        validate_choice=False,
        validators=[DataRequired(_l("Please choose: in favour, against or neutral."))],
    )
    submit = SubmitField(_l("Record the comment"))


class OnBehalfRatingForm(OnBehalf, RatingForm):
    record = SelectField(_l("Project"), choices=[], validate_choice=False, validators=[DataRequired()])
    stars = RadioField(
        _l("The resident's rating"),
        choices=STAR_CHOICES,
        coerce=int,
        validators=[InputRequired(message=_l("Please choose from 1 to 5 stars."))],
    )
    submit = SubmitField(_l("Record the rating"))
