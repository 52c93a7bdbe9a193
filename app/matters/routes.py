"""A micro-matter's page, /c/<slug>/matters/<id>: the page itself, its photos, and the buttons on
it (submit, withdraw, support, follow, clarify). The list is list_routes.py, proposing and
editing proposal_routes.py, comments comment_routes.py. Views parse, call a service, render or
redirect."""

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from app.communities.scoping import current_community
from app.core import shared_body
from app.core.errors import DomainError, refuse
from app.core.forms import submitted
from app.core.params import page_arg
from app.core.uploads import send_photo

from . import bp, permissions
from .forms import ClarificationForm, CommentForm, UnsupportForm, WithdrawForm
from .hooks import render_detail_sections
from .lifecycle import Status, status_label
from .models import Category, ProjectType, Stance
from .services import comments, follows, photos, proposals, supports


def page_context():
    """What the matters' templates use besides the page's own values: labels, the enums and the
    permission predicates."""
    return {
        "status_label": status_label,
        "category_labels": Category.labels(),
        "type_labels": ProjectType.labels(),
        "stance_labels": Stance.labels(),
        "Stance": Stance,
        "Status": Status,
        "perm": permissions,
    }


def visible_matter(matter_id):
    """The matter with this id in the current community, or 404 (a draft the viewer may not see too)."""
    return proposals.get_visible_matter(current_user, current_community(), matter_id)


# ---------------------------------------------------------------- detail


def detail_page(matter, *, comment_form=None, clarification_form=None, confirm_forms=None, status=200):
    """The matter's page; the forms given are those that came back refused (`status` 400 then)."""
    community = current_community()
    stance = request.args.get("stance")
    stance = Stance(stance) if stance in set(Stance) else None
    if stance:
        counts = comments.stance_counts(matter)
        comments_page = comments.comments_with_stance(matter, stance, page_arg())
        groups = {stance: comments_page.items}
    else:
        comments_page = None
        groups, counts = comments.comment_groups(matter)
    return render_template(
        "matters/detail.html",
        community=community,
        matter=matter,
        threshold=supports.support_threshold(community),
        counts=counts,
        groups=groups,
        stance=stance,
        comments_page=comments_page,
        comment_form=comment_form or CommentForm(formdata=None),
        clarification_form=clarification_form or ClarificationForm(formdata=None),
        unsupport_form=(confirm_forms or {}).get("unsupport") or UnsupportForm(prefix="unsupport", formdata=None),
        withdraw_form=(confirm_forms or {}).get("withdraw") or WithdrawForm(prefix="withdraw", formdata=None),
        support_missing=permissions.support_missing(current_user, matter),
        sections=render_detail_sections(matter, current_user),
        excerpt=comments.EXCERPT_CHARS,
        replies_shown=comments.REPLIES_SHOWN,
        **page_context(),
    ), status


@bp.get("/<int:matter_id>")
def detail(matter_id):
    community = current_community()

    def render():
        return detail_page(proposals.get_matter_page(current_user, community, matter_id))[0]

    # The person's support, follow, own actions and forms run through every feature's panel: the
    # body is kept for each person (app/core/shared_body.own_body), not shared.
    return shared_body.page(shared_body.own_body, render, community)


@bp.get("/<int:matter_id>/photos/<int:photo_id>")
def photo(matter_id, photo_id):
    matter = visible_matter(matter_id)
    if not permissions.can_view_photo(current_user, matter):  # a hidden matter's photos
        refuse(404)
    response = send_photo(photos.get_photo(matter, photo_id).photo)
    if matter.status == Status.DRAFT:  # a draft's photos must not sit in shared caches
        response.cache_control.public = False
        response.cache_control.private = True
    return response


@bp.get("/pending-photos/<int:pending_id>")
@login_required
def pending_photo(pending_id):
    """A photo kept for a form that came back: its owner's eyes only, never cached."""
    response = send_photo(photos.get_pending_photo(current_user, current_community(), pending_id).photo)
    response.cache_control.public = False
    response.cache_control.private = True
    response.cache_control.no_store = True
    return response


# ---------------------------------------------------------------- actions (buttons on the detail page)


def _act(matter_id, action, success):
    matter = visible_matter(matter_id)
    try:
        result = action(current_user, matter)
    except DomainError as error:
        flash(error.message, "error")
    else:
        flash(success(result) if callable(success) else success, "success")
    return redirect(url_for(".detail", matter_id=matter_id))


@bp.post("/<int:matter_id>/submit")
@login_required
def submit(matter_id):
    return _act(matter_id, proposals.submit, _("Submitted. Residents can now support it."))


def _confirmed(matter_id, name, form, action, success):
    """An action that cannot be taken back: done only with its tick box ticked; otherwise the page
    comes back with the box marked."""
    if not form.validate_on_submit():
        return detail_page(visible_matter(matter_id), confirm_forms={name: form}, status=400)
    return _act(matter_id, action, success)


@bp.post("/<int:matter_id>/withdraw")
@login_required
def withdraw(matter_id):
    form = WithdrawForm(prefix="withdraw")
    return _confirmed(matter_id, "withdraw", form, proposals.withdraw, _("The micro-matter was withdrawn."))


@bp.post("/<int:matter_id>/support")
@login_required
def support(matter_id):
    def message(reached):
        if reached:
            return _("Thank you for your support. The micro-matter reached its threshold and goes to review.")
        return _("Thank you for your support.")

    return _act(matter_id, supports.support, message)


@bp.post("/<int:matter_id>/unsupport")
@login_required
def unsupport(matter_id):
    form = UnsupportForm(prefix="unsupport")
    return _confirmed(matter_id, "unsupport", form, supports.unsupport, _("Your support was withdrawn."))


@bp.post("/<int:matter_id>/follow")
@login_required
def follow(matter_id):
    return _act(matter_id, follows.follow, _("You follow this micro-matter and will be told about changes."))


@bp.post("/<int:matter_id>/unfollow")
@login_required
def unfollow(matter_id):
    return _act(matter_id, follows.unfollow, _("You no longer follow this micro-matter."))


@bp.post("/<int:matter_id>/clarifications")
@login_required
def clarify(matter_id):
    matter = visible_matter(matter_id)
    if not permissions.can_clarify(current_user, matter):
        refuse(
            403,
            _(
                "Only the proposer and the committee can add clarifications, once the micro-matter "
                "is submitted and not after it was withdrawn."
            ),
        )
    form = ClarificationForm()
    done = submitted(
        form,
        lambda: proposals.add_clarification(current_user, matter, form.clarification.data),
        _("The clarification was added and sent to the supporters."),
        lambda added: url_for(".detail", matter_id=matter.id, _anchor=f"clarification-{added.id}"),
    )
    return done or detail_page(matter, clarification_form=form, status=400)
