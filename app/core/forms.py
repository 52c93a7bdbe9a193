"""The form fields every feature writes the same way, and a service's refusal shown on its form."""

from flask import flash, redirect, render_template
from flask_babel import lazy_gettext as _l
from flask_wtf.file import MultipleFileField
from wtforms import BooleanField, DateField, IntegerField, RadioField, StringField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional

from .errors import DomainError
from .params import DateInRange

DATE_MESSAGE = _l("Please give a valid date.")
CONFIRM_MESSAGE = _l("Tick the box to confirm: this cannot be undone.")
PHOTO_ACCEPT = "image/jpeg,image/png,image/webp"
REASON_MAX = 300


def text_field(label, limit, *, required=False, too_long=None, area=False, **kwargs):
    """A text of at most `limit` characters (`too_long`: the message beyond); `required` is True
    or the message shown when it is empty."""
    if required is True:
        presence = DataRequired()
    elif required:
        presence = DataRequired(message=required)
    else:
        presence = Optional()
    field = TextAreaField if area else StringField
    return field(label, validators=[presence, Length(max=limit, message=too_long)], **kwargs)


def reason_field(label, required, **kwargs):
    """The reason given with a decision (told to whom it concerns, or published): a text box of at
    most REASON_MAX characters; `required` is True or the message shown when it is empty."""
    return text_field(label, REASON_MAX, required=required, area=True, **kwargs)


def date_field(label, *, required=True, **kwargs):
    """A date between 2000 and 2100 (app/core/params.py); given unless `required` is False."""
    presence = InputRequired(message=DATE_MESSAGE) if required else Optional()
    return DateField(label, validators=[presence, DateInRange()], **kwargs)


def number_field(label, low, high, *, required=True, message=None, **kwargs):
    """A whole number from `low` to `high`, given unless `required` is False; `message` is what a
    missing or out-of-range one is told (WTForms' own when None)."""
    presence = InputRequired(message=message) if required else Optional()
    return IntegerField(label, validators=[presence, NumberRange(low, high, message=message)], **kwargs)


def choice_field(label, choices, message, **kwargs):
    """Radio buttons of which one must be chosen (`message` when none is)."""
    return RadioField(label, choices=choices, validators=[InputRequired(message=message)], **kwargs)


def photos_field(label):
    return MultipleFileField(
        label, render_kw={"accept": PHOTO_ACCEPT}, description=_l("JPEG, PNG or WebP, at most 5 photos of 5 MB each.")
    )


def confirm_field(label=None, message=CONFIRM_MESSAGE):
    """The tick box an irreversible action asks for: without it the form is refused, on the server,
    with `message`. Shown with the `confirm_box` macro (templates/_forms.html), which states the
    consequence; with JavaScript (static/confirm.js) the box becomes a one-tap confirmation dialog."""
    return BooleanField(
        label or _l("I understand what happens and that it cannot be undone."),
        validators=[InputRequired(message=message)],
    )


def fields_of(form, *names):
    """The named fields' data as keyword arguments for a service call; the fields are named one by
    one, so a form never hands a service more than it asks for."""
    return {name: form[name].data for name in names}


def show_refusal(form, error):
    """Put a service's refusal next to its field, or above the form."""
    field = getattr(form, getattr(error, "field", "") or "", None)
    if field is not None and hasattr(field, "errors"):
        field.errors = [*field.errors, error.message]
    else:
        flash(error.message, "error")


def submitted(form, call, success, to, *, fields=True):
    """For a valid form, run the service `call()`: on success flash `success` (or `success(result)`)
    and return the redirect to `to` (or `to(result)`); None when the form or the service said no. A refusal
    goes next to its field (`fields`) or is flashed."""
    if form.validate_on_submit():
        try:
            result = call()
        except DomainError as error:
            if fields:
                show_refusal(form, error)
            else:
                flash(error.message, "error")
        else:
            flash(success(result) if callable(success) else success, "success")
            return redirect(to(result) if callable(to) else to)
    return None


def and_back(form, call, success, to):
    """A button or small form whose page is `to` whatever happens: run it as `submitted` does, then
    back to `to` with its message (the refusal's, flashed, when it refused)."""
    submitted(form, call, success, to, fields=False)
    return redirect(to)


def form_page(form, call, success, to, template, *, fields=True, **context):
    """A form's whole round trip: the redirect of `submitted`, else `template` with the form and
    `context`, answered 400 when a submitted form was refused so that clients and tests see it."""
    done = submitted(form, call, success, to, fields=fields)
    if done:
        return done
    return render_template(template, form=form, **context), (400 if form.is_submitted() else 200)
