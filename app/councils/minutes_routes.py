"""The minutes page: the secretary's notes, locking by the chair and corrections; the draft out
for comments (the secretary or the chair sends it to the council members, members comment, the
presiding chair answers each comment)."""

from flask import flash, make_response, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from app.communities.permissions import is_committee
from app.core.errors import DomainError, refuse

from . import bp, minutes_record, permissions
from . import minutes as minutes_services
from .forms import CommentAnswerForm, CorrectionForm, LockMinutesForm, MinutesCommentForm, NotesForm, SendMinutesForm
from .routes import _form_errors, _meeting


def _lock_form(minutes_id, **kwargs):
    """The tick box of locking one record (the minutes, or a correction): one per record on the page."""
    return LockMinutesForm(prefix=f"lock{minutes_id}", **kwargs)


def _minutes_page(meeting, status=200, notes_form=None, correction_form=None, lock_form=None, comment_forms=None):
    original = minutes_services.original(meeting)
    can_draft = permissions.can_see_draft_minutes(current_user, meeting)
    if original is None or (not original.locked and not can_draft):
        refuse(404, _("The minutes of this meeting are not published yet."))
    content = original.content if original.locked else minutes_record.build_content(meeting)
    corrections = [c for c in minutes_services.corrections(meeting) if c.locked or can_draft]
    draft_correction = next((c for c in corrections if not c.locked), None)
    if notes_form is None:
        target = draft_correction if original.locked else original
        notes_form = NotesForm(formdata=None, notes=target.notes if target else "")
    response = make_response(
        render_template(
            "councils/minutes.html",
            community=meeting.community,
            meeting=meeting,
            minutes=original,
            content=minutes_record.hydrate(content),
            corrections=corrections,
            draft_correction=draft_correction,
            notes_form=notes_form,
            correction_form=correction_form or CorrectionForm(formdata=None),
            lock_forms={
                m.id: lock_form[1] if lock_form and lock_form[0] == m.id else _lock_form(m.id, formdata=None)
                for m in (original, *corrections)
            },
            is_committee=is_committee(current_user, meeting.community),
            **comment_context(original, comment_forms),
        ),
        status,
    )
    return response


@bp.get("/meetings/<int:meeting_id>/minutes")
def minutes(meeting_id):
    return _minutes_page(_meeting(meeting_id))


def minutes_action(meeting_id, minutes_id, form, call, success, **on_refusal):
    """A form on the minutes page: `call(record)` on the minutes or the
    correction `minutes_id`, then back to the page; a refusal shows it again (400) with the message
    and the form, placed by `on_refusal` (the _minutes_page argument that takes it)."""
    meeting = _meeting(meeting_id)
    record = minutes_services.get_minutes(meeting, minutes_id)
    try:
        if not form.validate_on_submit():
            raise DomainError(_form_errors(form) or _("Please check the form."))
        call(record)
    except DomainError as error:
        flash(error.message, "error")
        return _minutes_page(meeting, 400, **on_refusal)
    flash(success, "success")
    return redirect(url_for("councils.minutes", meeting_id=meeting_id))


@bp.post("/meetings/<int:meeting_id>/minutes/<int:minutes_id>/notes")
@login_required
def minutes_notes(meeting_id, minutes_id):
    form = NotesForm()
    return minutes_action(
        meeting_id,
        minutes_id,
        form,
        lambda m: minutes_services.save_notes(current_user, m, form.notes.data),
        _("The notes are saved."),
        notes_form=form,
    )


@bp.post("/meetings/<int:meeting_id>/minutes/<int:minutes_id>/lock")
@login_required
def minutes_lock(meeting_id, minutes_id):
    form = _lock_form(minutes_id)
    return minutes_action(
        meeting_id,
        minutes_id,
        form,
        lambda m: minutes_services.lock(current_user, m),
        _("Approved and locked. The minutes are public and can no longer change."),
        lock_form=(minutes_id, form),
    )


@bp.post("/meetings/<int:meeting_id>/minutes/<int:minutes_id>/correct")
@login_required
def minutes_correct(meeting_id, minutes_id):
    form = CorrectionForm()
    return minutes_action(
        meeting_id,
        minutes_id,
        form,
        lambda m: minutes_services.start_correction(current_user, m, form.notes.data),
        _("A correction is drafted; the chair approves and locks it."),
        correction_form=form,
    )


# ---------------------------------------------------------------- comments on the draft


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
