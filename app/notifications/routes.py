from flask import g, redirect, render_template, url_for
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required
from flask_wtf import FlaskForm

from app.core.forms import submitted
from app.core.i18n import render_message
from app.core.params import page_arg

from . import bp, preferences, services, sms
from .forms import PreferencesForm


@bp.get("/")
@login_required
def inbox():
    pagination = services.inbox(current_user, page_arg())
    return render_template(
        "notifications/inbox.html",
        pagination=pagination,
        render_message=render_message,
        lines_of=services.lines_of,
        form=FlaskForm(),
    )


@bp.get("/<int:notification_id>")
@login_required
def open_notification(notification_id):
    """Opening an entry marks it read, then goes where it points. A GET that writes, on purpose: it is
    idempotent (only the first opening stamps the time) and touches only the reader's own entry, so
    entries stay plain links (new tab, screen readers, no form per entry); another site linking here
    can at most mark one of your own entries read."""
    target = services.open_notification(current_user, notification_id)
    return redirect(target or url_for("notifications.inbox"))


@bp.post("/read")
@login_required
def mark_read():
    if FlaskForm().validate_on_submit():
        services.mark_all_read(current_user)
    return redirect(url_for("notifications.inbox"))


@bp.route("/preferences", methods=["GET", "POST"])
@login_required
def preferences_page():
    form = PreferencesForm()
    done = submitted(
        form,
        lambda: preferences.save(current_user, form.choices()),
        _l("Your choices were saved."),
        url_for("notifications.preferences_page"),
        fields=False,
    )
    if done:
        return done
    if not form.is_submitted():
        form.fill(preferences.choices_of(current_user))
    return render_template(
        "notifications/preferences.html",
        form=form,
        events=list(preferences.Event),
        has_number=sms.number_of(current_user) is not None,
    )


@bp.app_context_processor
def unread_notifications():
    if current_user and current_user.is_authenticated:
        if "_unread_count" not in g:  # once per request, not once per partial a page renders
            g._unread_count = services.unread_count(current_user)
        return {"unread_count": g._unread_count}
    return {"unread_count": 0}
