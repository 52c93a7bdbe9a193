"""Draft minutes out for comments: the secretary or the chair sends them to the council members,
members comment, the presiding chair answers each comment (the minutes page is in routes.py)."""

from flask_babel import gettext as _
from flask_login import current_user, login_required

from . import bp
from . import minutes as minutes_services
from .forms import CommentAnswerForm, MinutesCommentForm, SendMinutesForm
from .routes import minutes_action


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


def _act(meeting_id, minutes_id, form, call, success, key):
    """A comments form: a refusal shows the minutes page again with the form under `key`."""
    return minutes_action(meeting_id, minutes_id, form, call, success, comment_forms={key: form})


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
