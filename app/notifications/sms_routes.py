"""The resident's number for SMS notifications: given with consent, changed or removed by its owner only."""

from flask import flash, redirect, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required
from flask_wtf import FlaskForm
from wtforms import BooleanField, SubmitField

from app.core.forms import form_page, text_field

from . import bp, sms


class SmsNumberForm(FlaskForm):
    phone = text_field(
        _l("Mobile number for SMS"),
        20,
        required=_l("Please give a mobile number of 11 digits, such as 13812345678."),
        description=_l("Used only to send you the notifications you chose to get by SMS; never shown to anyone."),
        render_kw={"inputmode": "tel", "autocomplete": "tel"},
    )
    consent = BooleanField(_l("I have read the privacy notice and agree that my number is kept to send me SMS."))
    submit = SubmitField(_l("Save the number"))


class RemoveNumberForm(FlaskForm):
    """Only the CSRF token: the button is the template's post_button."""


@bp.route("/sms", methods=["GET", "POST"])
@login_required
def sms_number():
    form = SmsNumberForm()
    number = sms.number_of(current_user)
    return form_page(
        form,
        lambda: sms.set_number(current_user, form.phone.data, form.consent.data),
        _("Your number for SMS is saved."),
        url_for("notifications.sms_number"),
        "notifications/sms.html",
        number=number,
        shown=sms.masked(number.phone) if number else "",
    )


@bp.post("/sms/remove")
@login_required
def remove_sms_number():
    if RemoveNumberForm().validate_on_submit() and sms.remove_number(current_user):
        flash(_("Your number for SMS is deleted."), "success")
    return redirect(url_for("notifications.sms_number"))
