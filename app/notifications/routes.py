from flask import redirect, render_template, url_for
from flask_login import current_user, login_required
from flask_wtf import FlaskForm

from app.core.i18n import render_message
from app.core.params import page_arg

from . import bp, services


@bp.get("/")
@login_required
def inbox():
    pagination = services.inbox(current_user, page_arg())
    return render_template(
        "notifications/inbox.html", pagination=pagination, render_message=render_message, form=FlaskForm()
    )


@bp.post("/read")
@login_required
def mark_read():
    if FlaskForm().validate_on_submit():
        services.mark_all_read(current_user)
    return redirect(url_for("notifications.inbox"))


@bp.app_context_processor
def unread_notifications():
    if current_user and current_user.is_authenticated:
        return {"unread_count": services.unread_count(current_user)}
    return {"unread_count": 0}
