from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import MultipleFileField
from wtforms import RadioField, SearchField, SelectField, StringField, SubmitField
from wtforms.validators import DataRequired, ValidationError

from app.core.errors import DomainError
from app.core.forms import confirm_field, text_field
from app.core.i18n import N_
from app.core.labels import Labelled

from .lifecycle import Status
from .models import Category, ProjectType, Stance
from .services.comments import COMMENT_MAX, REASON_MAX, REPLY_MAX
from .services.proposals import CLARIFICATION_MAX, DESCRIPTION_MAX, LOCATION_MAX, TITLE_MAX, parse_yuan


def _yuan(form, field):
    try:
        parse_yuan(field.data)
    except DomainError as error:
        raise ValidationError(str(error.message)) from error


class MatterForm(FlaskForm):
    title = text_field(
        _l("Title"),
        TITLE_MAX,
        required=_l("Please give a title."),
        too_long=_l("The title may be at most %(max)d characters."),
        description=_l("Short and concrete, for example “A ramp at the entrance of building 5”."),
        render_kw={"maxlength": TITLE_MAX, "autocomplete": "off"},
    )
    description = text_field(
        _l("Description"),
        DESCRIPTION_MAX,
        required=_l("Please describe the micro-matter."),
        too_long=_l("The description may be at most %(max)d characters."),
        area=True,
        description=_l(
            "What is the problem, who benefits, what should be done? "
            "At most 5,000 characters; **bold** and lists (- item) are allowed."
        ),
        render_kw={"rows": 8},
    )
    category = SelectField(_l("Category"), choices=Category.choices())
    location = text_field(
        _l("Location"),
        LOCATION_MAX,
        required=_l("Please say where it is."),
        too_long=_l("The location may be at most %(max)d characters."),
        description=_l("For example “the path between buildings 3 and 4”."),
        render_kw={"maxlength": LOCATION_MAX},
    )
    estimated_cost = StringField(
        _l("Estimated cost (yuan)"),
        validators=[_yuan],
        description=_l("A whole number of yuan between 1 and 5,000,000; a rough guess is fine."),
        render_kw={"inputmode": "numeric", "autocomplete": "off"},
    )
    project_type = SelectField(_l("Project type"), choices=ProjectType.choices())
    photos = MultipleFileField(
        _l("Photos (optional)"),
        description=_l(
            "Up to 5 JPEG, PNG or WebP photos, at most 5 MB each. "
            "If the form comes back with an error, the photos you chose are kept."
        ),
        render_kw={"accept": "image/jpeg,image/png,image/webp", "multiple": True},
    )
    save = SubmitField(_l("Save as draft"))
    save_submit = SubmitField(_l("Save and submit for supports"))


class UnsupportForm(FlaskForm):
    understood = confirm_field(_l("I want to withdraw my support."))
    submit = SubmitField(_l("Withdraw my support"))


class WithdrawForm(FlaskForm):
    understood = confirm_field(_l("I understand that a withdrawn micro-matter cannot be submitted again."))
    submit = SubmitField(_l("Withdraw the micro-matter"))


class ClarificationForm(FlaskForm):
    # Not "body": the comment form on the same page has one, and ids must be unique on a page.
    clarification = text_field(
        _l("Clarification"),
        CLARIFICATION_MAX,
        required=_l("Please write the clarification."),
        too_long=_l("A clarification may be at most %(max)d characters."),
        area=True,
        description=_l(
            "Shown with today's date under the description and sent to everyone who supports or "
            "follows it. It cannot be edited or removed later."
        ),
        render_kw={"rows": 4},
    )
    submit = SubmitField(_l("Add the clarification"))


class CommentForm(FlaskForm):
    stance = RadioField(
        _l("Your position"),
        choices=Stance.choices(),
        default=Stance.NEUTRAL.value,
        validate_choice=False,
        validators=[DataRequired(_l("Please choose: in favour, against or neutral."))],
    )
    body = text_field(
        _l("Comment"),
        COMMENT_MAX,
        required=_l("Please write something."),
        too_long=_l("A comment may be at most %(max)d characters."),
        area=True,
        render_kw={"rows": 4, "maxlength": COMMENT_MAX},
    )
    submit = SubmitField(_l("Publish comment"))


class ReplyForm(FlaskForm):
    body = text_field(
        _l("Your reply"),
        REPLY_MAX,
        required=_l("Please write something."),
        too_long=_l("A reply may be at most %(max)d characters."),
        area=True,
        render_kw={"rows": 3, "maxlength": REPLY_MAX},
    )
    submit = SubmitField(_l("Reply"))


class HideForm(FlaskForm):
    reason = text_field(
        _l("Public reason for hiding"),
        REASON_MAX,
        required=_l("Please give a reason; it is shown in place of the comment."),
        too_long=_l("The reason may be at most %(max)d characters."),
        render_kw={"maxlength": REASON_MAX},
    )
    submit = SubmitField(_l("Hide comment"))


class Sort(Labelled):
    NEWEST = "newest", N_("Newest first")
    SUPPORTED = "supported", N_("Most supported first")


class FilterForm(FlaskForm):
    """The list's filters: a GET form, so links to a filtered list can be shared."""

    class Meta:
        csrf = False

    q = SearchField(_l("Search"), render_kw={"maxlength": 100})
    status = SelectField(
        _l("Status"),
        choices=[("", _l("All")), *Status.choices()],
        validate_choice=False,
    )
    category = SelectField(
        _l("Category"),
        choices=[("", _l("All")), *Category.choices()],
        validate_choice=False,
    )
    sort = SelectField(_l("Order"), choices=Sort.choices(), validate_choice=False)
