"""Draft minutes out for comments: the secretary or the chair sends them to the council members,
members comment, the presiding chair answers each comment (the minutes page is in routes.py)."""

from flask import flash, redirect, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from app.core.errors import DomainError

from . import bp
from . import minutes as minutes_services
from .forms import CommentAnswerForm, MinutesCommentForm, SendMinutesForm
from .routes import _form_errors, _meeting, _minutes_page


def _answer_form(comment_id, **kwargs):
    return CommentAnswerForm(prefix=f"answer{comment_id}", **kwargs)


def comment_context(minutes, forms=None):
    """What the minutes page shows and offers about the members' comments; `forms`: a refused
    form by key ("comment", or a comment's id) so its text is kept."""
    forms = forms or {}
    comments = minutes_services.comments(minutes)
    return {
        "comments": comments,
        "comments_open": minutes_services.comments_open(minutes),
        "send_form": SendMinutesForm(formdata=None),
        "comment_form": forms.get("comment") or MinutesCommentForm(formdata=None),
        "answer_forms": {
            c.id: forms.get(c.id) or _answer_form(c.id, formdata=None) for c in comments if c.answer is None
        },
    }


def _act(meeting_id, minutes_id, form, func, success, key):
    meeting = _meeting(meeting_id)
    minutes = minutes_services.get_minutes(meeting, minutes_id)
    try:
        if not form.validate_on_submit():
            raise DomainError(_form_errors(form) or _("Please check the form."))
        func(minutes)
    except DomainError as error:
        flash(error.message, "error")
        return _minutes_page(meeting, 400, comment_forms={key: form})
    flash(success, "success")
    return redirect(url_for("councils.minutes", meeting_id=meeting_id))


@bp.post("/meetings/<int:meeting_id>/minutes/<int:minutes_id>/send")
@login_required
def minutes_send(meeting_id, minutes_id):
    return _act(
        meeting_id,
        minutes_id,
        SendMinutesForm(),
        lambda m: minutes_services.send_for_comments(current_user, m),
        _("The draft went to the council members for their comments."),
        "send",
    )


@bp.post("/meetings/<int:meeting_id>/minutes/<int:minutes_id>/comments")
@login_required
def minutes_comment(meeting_id, minutes_id):
    form = MinutesCommentForm()
    return _act(
        meeting_id,
        minutes_id,
        form,
        lambda m: minutes_services.add_comment(current_user, m, form.text.data),
        _("Your comment is recorded; the chair answers it before locking the minutes."),
        "comment",
    )


@bp.post("/meetings/<int:meeting_id>/minutes/<int:minutes_id>/comments/<int:comment_id>/answer")
@login_required
def minutes_answer(meeting_id, minutes_id, comment_id):
    form = _answer_form(comment_id)
    return _act(
        meeting_id,
        minutes_id,
        form,
        lambda m: minutes_services.answer_comment(
            current_user, minutes_services.get_comment(m, comment_id), form.text.data
        ),
        _("Your answer is recorded."),
        comment_id,
    )
