"""Comments on a micro-matter's page: writing one, a comment's own page with all its replies,
replying, and the committee hiding one."""

from flask import redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from app.communities.scoping import current_community
from app.core.errors import refuse
from app.core.forms import submitted

from . import bp, permissions
from .forms import CommentForm, HideForm, ReplyForm
from .routes import detail_page, page_context, visible_matter
from .services import comments


def _comment_page(matter, comment, *, reply_form=None, hide_forms=None, status=200):
    """One comment in full with all its replies; the reply and hide forms live here."""
    community = current_community()
    hide_forms = hide_forms or {}

    def hide_form(target):
        return hide_forms.get(target.id) or HideForm(prefix=f"hide-{target.id}", formdata=None)

    return render_template(
        "matters/comment.html",
        community=community,
        matter=matter,
        c=comment,
        reply_form=reply_form or ReplyForm(formdata=None),
        hide_form=hide_form,
        **page_context(),
    ), status


@bp.post("/<int:matter_id>/comments")
@login_required
def comment(matter_id):
    matter = visible_matter(matter_id)
    if not permissions.can_comment(current_user, matter):
        refuse(
            403,
            _("Only verified residents of this community can comment, and not on drafts or withdrawn micro-matters."),
        )
    form = CommentForm()
    done = submitted(
        form,
        lambda: comments.add_comment(current_user, matter, form.stance.data, form.body.data),
        _("Your comment was published."),
        lambda added: url_for(".detail", matter_id=matter.id, _anchor=f"comment-{added.id}"),
    )
    return done or detail_page(matter, comment_form=form, status=400)


@bp.get("/<int:matter_id>/comments/<int:comment_id>")
def comment_page(matter_id, comment_id):
    matter = visible_matter(matter_id)
    target = comments.get_comment(matter, comment_id)
    if target.parent_id is not None:  # a reply is shown on its comment's page
        return redirect(
            url_for(".comment_page", matter_id=matter.id, comment_id=target.parent_id, _anchor=f"comment-{target.id}")
        )
    return _comment_page(matter, target)


@bp.post("/<int:matter_id>/comments/<int:comment_id>/reply")
@login_required
def reply(matter_id, comment_id):
    matter = visible_matter(matter_id)
    parent = comments.get_comment(matter, comment_id)
    refusal = comments.reply_refusal(current_user, parent)
    if refusal:
        refuse(403, str(refusal))
    form = ReplyForm()
    done = submitted(
        form,
        lambda: comments.reply(current_user, parent, form.body.data),
        _("Your reply was published."),
        lambda answer: url_for(
            ".comment_page", matter_id=matter.id, comment_id=parent.id, _anchor=f"comment-{answer.id}"
        ),
    )
    return done or _comment_page(matter, parent, reply_form=form, status=400)


@bp.post("/<int:matter_id>/comments/<int:comment_id>/hide")
@login_required
def hide(matter_id, comment_id):
    matter = visible_matter(matter_id)
    target = comments.get_comment(matter, comment_id)
    if not permissions.is_committee(current_user, matter.community):
        refuse(403, _("Only the committee can hide comments."))
    top = comments.get_comment(matter, target.parent_id) if target.parent_id else target
    form = HideForm(prefix=f"hide-{target.id}")
    done = submitted(
        form,
        lambda: comments.hide_comment(current_user, target, form.reason.data),
        _("The comment was hidden; the reason is shown in its place."),
        lambda _hidden: url_for(
            ".comment_page", matter_id=matter.id, comment_id=top.id, _anchor=f"comment-{target.id}"
        ),
    )
    return done or _comment_page(matter, top, hide_forms={target.id: form}, status=400)
