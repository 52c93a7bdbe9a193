"""Micro-matter pages under /c/<slug>/matters/. Views parse, call a service, render or redirect."""

import functools
from pathlib import Path

from flask import current_app, flash, redirect, render_template, render_template_string, request, url_for
from flask_babel import format_date, get_locale
from flask_babel import gettext as _
from flask_login import current_user, login_required
from markupsafe import Markup
from sqlalchemy import select

from app.communities.badges import official_badge
from app.communities.permissions import posting_block
from app.communities.scoping import current_community
from app.core import clock, shared_body, version_cache
from app.core.errors import DomainError, refuse
from app.core.forms import show_refusal, submitted
from app.core.kept import Kept
from app.core.params import page_arg
from app.core.uploads import send_photo
from app.extensions import db

from . import bp, permissions, services
from .forms import (
    ClarificationForm,
    CommentForm,
    FilterForm,
    HideForm,
    MatterForm,
    ReplyForm,
    Sort,
    UnsupportForm,
    WithdrawForm,
)
from .hooks import render_detail_sections
from .lifecycle import OUT_OF_TOTALS, Status, status_label
from .models import Category, MicroMatter, ProjectType, Stance

MATTER_FIELDS = ("title", "description", "category", "location", "estimated_cost", "project_type")


def _labels():
    return {
        "status_label": status_label,
        "category_labels": Category.labels(),
        "type_labels": ProjectType.labels(),
        "stance_labels": Stance.labels(),
        "Stance": Stance,
        "Status": Status,
        "perm": permissions,
    }


def _matter(matter_id):
    return services.get_visible_matter(current_user, current_community(), matter_id)


# ---------------------------------------------------------------- list


# The filter form's HTML by (language, community, filter values): the same for everyone who asks
# for them, and WTForms' rendering costs more than the rest of the list (issue 12 §2).
_FILTER_FORMS = Kept(512)


def _filters_html(community, mine):
    values = tuple(request.args.get(name, "") for name in ("q", "status", "category", "sort"))

    def render():
        form = FilterForm(formdata=request.args)
        return Markup(render_template("matters/_filters.html", form=form, mine=mine))  # noqa: S704  # nosec B704

    if any(len(value) > 100 for value in values):  # not what a visitor types in the form: not kept
        return render()
    key = (str(get_locale()), request.script_root, community.slug, mine, values)
    return _FILTER_FORMS.made(key, render)


# What every card shows alike in a language, made once per language: the status badges (the
# status_badge macro; a matter a counted round did not fund gets its own) and the categories' names.
_CARD_WORDS: dict = {}
BADGE = '{% from "_status.html" import status_badge with context %}{{ status_badge(status) }}'
ID_MARK = 918_273_645_546_372_819  # a number no path holds otherwise


def _card_words():
    locale = str(get_locale())
    words = _CARD_WORDS.get(locale)
    if words is None:
        badges = {s: render_template_string(BADGE, status=s, status_label=status_label) for s in Status}
        words = _CARD_WORDS[locale] = {
            "badges": {status: Markup(html) for status, html in badges.items()},  # noqa: S704  # nosec B704
            "categories": {value: _(label) for value, label in Category.labels().items()},
        }
    return words


def _path_by_id(endpoint, name):
    """id -> url_for(endpoint, name=id): the URL map builds the path once, when a card is first
    rendered (kept cards need none), each card's is that path with its id (url_for costs about as
    much as the rest of a card)."""

    @functools.cache
    def around_id():
        return url_for(endpoint, **{name: ID_MARK}).rpartition(str(ID_MARK))

    def path(value):
        before, _mark, after = around_id()
        return f"{before}{int(value)}{after}"

    return path


def _sees_own(community):
    """Whether the list shows the viewer rows nobody else sees (their drafts, their hidden matters)."""
    query = services.list_query(community, current_user).where(MicroMatter.status.in_(OUT_OF_TOTALS))
    return bool(db.session.scalar(select(query.exists())))


def _audience(community, mine):
    """What of the viewer decides what the list shows them (the shared body's key: app/core/shared_body.py):
    whether they may propose, where they stand in joining, and — when their own drafts or hidden
    matters are on it, or it is their own list — who they are."""
    user = current_user
    own = mine or version_cache.kept(("own_unlisted_matters", user.id), community.slug, lambda: _sees_own(community))
    return (
        permissions.can_create(user, community),
        permissions.joining_step(user, community),
        user.id if own else None,
    )


@bp.get("/")
def index():
    community = current_community()
    mine = request.args.get("mine") == "1" and current_user.is_authenticated
    filters = {
        "status": request.args.get("status") or None,
        "category": request.args.get("category") or None,
        "q": (request.args.get("q") or "")[:100],
        "sort": request.args.get("sort") if request.args.get("sort") in set(Sort) else Sort.NEWEST,
        "mine": mine,
    }

    def render():
        pagination = services.list_matters(community, current_user, page=page_arg(), **filters)
        cards = tuple(pagination.items)
        return render_template(
            "matters/index.html",
            community=community,
            pagination=pagination,
            cards=cards,
            # the proposers' badges, part of what the cards show (the key of their kept text)
            proposer_badges=tuple(official_badge(card.proposer, community) for card in cards),
            filters_html=_filters_html(community, mine),
            mine=mine,
            filtered=any(request.args.get(k) for k in ("status", "category", "q")),
            threshold=services.support_threshold(community),
            can_create=permissions.can_create(current_user, community),
            matter_path=_path_by_id("matters.detail", "matter_id"),
            # what the list's template uses of _labels()
            status_label=status_label,
            Status=Status,
            perm=permissions,
            **_card_words(),
        )

    return shared_body.page(lambda: _audience(community, mine), render, community)


# ---------------------------------------------------------------- propose and edit


def _fields(form):
    return {name: getattr(form, name).data for name in MATTER_FIELDS}


def _form_page(form, matter=None, pending=()):
    """The propose/edit page; 400 when a sent form comes back refused."""
    community = current_community()
    return render_template(
        "matters/form.html",
        community=community,
        form=form,
        matter=matter,
        pending=pending,
        photos_max=services.PHOTOS_MAX,
        **_labels(),
    ), (400 if request.method == "POST" else 200)


def _held_photos(form, matter=None):
    """The photos sent with the form, kept for its owner before anything else is checked, so that
    the form coming back with an error still has them; (kept photos, whether that went well)."""
    community = current_community()
    keep, drop = request.form.getlist("pending_photo"), request.form.getlist("drop_photo")
    if "csrf_token" in form.errors:  # not a form this person sent from our page: store nothing
        return services.pending_photos(current_user, community, matter, keep), False
    try:
        held = services.hold_photos(
            current_user, community, request.files.getlist(form.photos.name), matter=matter, keep=keep, drop=drop
        )
    except DomainError as error:
        show_refusal(form, error)
        return services.pending_photos(current_user, community, matter, keep), False
    return held, True


@bp.route("/new", methods=["GET", "POST"])
@login_required
def new():
    community = current_community()
    if not permissions.can_create(current_user, community):
        blocked = posting_block(current_user, community)
        if blocked is not None:
            refuse(
                403,
                _(
                    "The committee has blocked you from posting until %(date)s. Reason: %(reason)s",
                    date=format_date(clock.local_date(blocked.posting_blocked_until)),
                    reason=blocked.posting_block_reason,
                ),
            )
        if permissions.joining_step(current_user, community) == "pending":
            refuse(
                403,
                _(
                    "Your request to join this community is waiting for the committee's check. "
                    "Once they have verified you, you can propose micro-matters."
                ),
            )
        refuse(
            403,
            _(
                "Only verified residents of this community can propose micro-matters. "
                "Ask to join on the community's page first."
            ),
        )
    form = MatterForm()
    pending = []
    if request.method == "POST":
        valid = form.validate_on_submit()
        pending, held = _held_photos(form)
        if valid and held:
            try:
                matter = services.create_matter(
                    current_user,
                    community,
                    pending_ids=[row.id for row in pending],
                    submit=bool(form.save_submit.data),
                    **_fields(form),
                )
            except DomainError as error:
                show_refusal(form, error)
            else:
                if matter.status == Status.DRAFT:
                    flash(_("Saved as a draft. Only you and the committee can see it until you submit it."), "success")
                else:
                    flash(_("Submitted. Residents can now support it."), "success")
                return redirect(url_for(".detail", matter_id=matter.id))
    return _form_page(form, pending=pending)


@bp.route("/<int:matter_id>/edit", methods=["GET", "POST"])
@login_required
def edit(matter_id):
    matter = _matter(matter_id)
    if not permissions.can_edit(current_user, matter):
        refuse(
            403, _("Only the proposer can edit a micro-matter, and only while it is a draft or collecting supports.")
        )
    form = MatterForm(obj=matter)
    pending = []
    if request.method == "POST":
        valid = form.validate_on_submit()
        pending, held = _held_photos(form, matter)
        if valid and held:
            try:
                services.update_matter(
                    current_user,
                    matter,
                    remove_photo_ids=request.form.getlist("remove_photo"),
                    pending_ids=[row.id for row in pending],
                    **_fields(form),
                )
            except DomainError as error:
                show_refusal(form, error)
            else:
                flash(_("Your changes were saved."), "success")
                if form.save_submit.data and matter.status == Status.DRAFT:
                    try:
                        services.submit(current_user, matter)
                    except DomainError as error:
                        flash(error.message, "error")
                    else:
                        flash(_("Submitted. Residents can now support it."), "success")
                return redirect(url_for(".detail", matter_id=matter.id))
    return _form_page(form, matter, pending=pending)


# ---------------------------------------------------------------- detail


def _detail_page(matter, *, comment_form=None, clarification_form=None, confirm_forms=None, status=200):
    community = current_community()
    stance = request.args.get("stance")
    stance = Stance(stance) if stance in set(Stance) else None
    if stance:
        counts = services.stance_counts(matter)
        comments_page = services.comments_with_stance(matter, stance, page_arg())
        groups = {stance: comments_page.items}
    else:
        comments_page = None
        groups, counts = services.comment_groups(matter)
    return render_template(
        "matters/detail.html",
        community=community,
        matter=matter,
        threshold=services.support_threshold(community),
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
        excerpt=services.EXCERPT_CHARS,
        replies_shown=services.REPLIES_SHOWN,
        **_labels(),
    ), status


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
        **_labels(),
    ), status


@bp.get("/<int:matter_id>")
def detail(matter_id):
    community = current_community()

    def render():
        return _detail_page(services.get_matter_page(current_user, community, matter_id))[0]

    # The person's support, follow, own actions and forms run through every feature's panel: the
    # body is kept for each person (app/core/shared_body.own_body), not shared.
    return shared_body.page(shared_body.own_body, render, community)


@bp.get("/<int:matter_id>/photos/<int:photo_id>")
def photo(matter_id, photo_id):
    matter = _matter(matter_id)
    if not permissions.can_view_photo(current_user, matter):  # a hidden matter's photos
        refuse(404)
    stored = services.get_photo(matter, photo_id).photo
    if not (Path(current_app.config["UPLOAD_FOLDER"]) / stored.stored_name).is_file():
        refuse(404)
    response = send_photo(stored)
    if matter.status == Status.DRAFT:  # a draft's photos must not sit in shared caches
        response.cache_control.public = False
        response.cache_control.private = True
    return response


@bp.get("/pending-photos/<int:pending_id>")
@login_required
def pending_photo(pending_id):
    """A photo kept for a form that came back: its owner's eyes only, never cached."""
    row = services.get_pending_photo(current_user, current_community(), pending_id)
    if not (Path(current_app.config["UPLOAD_FOLDER"]) / row.photo.stored_name).is_file():
        refuse(404)
    response = send_photo(row.photo)
    response.cache_control.public = False
    response.cache_control.private = True
    response.cache_control.no_store = True
    return response


# ---------------------------------------------------------------- actions (buttons on the detail page)


def _act(matter_id, action, success):
    matter = _matter(matter_id)
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
    return _act(matter_id, services.submit, _("Submitted. Residents can now support it."))


def _confirmed(matter_id, name, form, action, success):
    """An action that cannot be taken back: done only with its tick box ticked; otherwise the page
    comes back with the box marked."""
    if not form.validate_on_submit():
        return _detail_page(_matter(matter_id), confirm_forms={name: form}, status=400)
    return _act(matter_id, action, success)


@bp.post("/<int:matter_id>/withdraw")
@login_required
def withdraw(matter_id):
    form = WithdrawForm(prefix="withdraw")
    return _confirmed(matter_id, "withdraw", form, services.withdraw, _("The micro-matter was withdrawn."))


@bp.post("/<int:matter_id>/support")
@login_required
def support(matter_id):
    def message(reached):
        if reached:
            return _("Thank you for your support. The micro-matter reached its threshold and goes to review.")
        return _("Thank you for your support.")

    return _act(matter_id, services.support, message)


@bp.post("/<int:matter_id>/unsupport")
@login_required
def unsupport(matter_id):
    form = UnsupportForm(prefix="unsupport")
    return _confirmed(matter_id, "unsupport", form, services.unsupport, _("Your support was withdrawn."))


@bp.post("/<int:matter_id>/follow")
@login_required
def follow(matter_id):
    return _act(matter_id, services.follow, _("You follow this micro-matter and will be told about changes."))


@bp.post("/<int:matter_id>/unfollow")
@login_required
def unfollow(matter_id):
    return _act(matter_id, services.unfollow, _("You no longer follow this micro-matter."))


@bp.post("/<int:matter_id>/clarifications")
@login_required
def clarify(matter_id):
    matter = _matter(matter_id)
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
        lambda: services.add_clarification(current_user, matter, form.clarification.data),
        _("The clarification was added and sent to the supporters."),
        lambda added: url_for(".detail", matter_id=matter.id, _anchor=f"clarification-{added.id}"),
    )
    return done or _detail_page(matter, clarification_form=form, status=400)


# ---------------------------------------------------------------- comments


@bp.post("/<int:matter_id>/comments")
@login_required
def comment(matter_id):
    matter = _matter(matter_id)
    if not permissions.can_comment(current_user, matter):
        refuse(
            403,
            _("Only verified residents of this community can comment, and not on drafts or withdrawn micro-matters."),
        )
    form = CommentForm()
    done = submitted(
        form,
        lambda: services.add_comment(current_user, matter, form.stance.data, form.body.data),
        _("Your comment was published."),
        lambda added: url_for(".detail", matter_id=matter.id, _anchor=f"comment-{added.id}"),
    )
    return done or _detail_page(matter, comment_form=form, status=400)


@bp.get("/<int:matter_id>/comments/<int:comment_id>")
def comment_page(matter_id, comment_id):
    matter = _matter(matter_id)
    target = services.get_comment(matter, comment_id)
    if target.parent_id is not None:  # a reply is shown on its comment's page
        return redirect(
            url_for(".comment_page", matter_id=matter.id, comment_id=target.parent_id, _anchor=f"comment-{target.id}")
        )
    return _comment_page(matter, target)


@bp.post("/<int:matter_id>/comments/<int:comment_id>/reply")
@login_required
def reply(matter_id, comment_id):
    matter = _matter(matter_id)
    parent = services.get_comment(matter, comment_id)
    refusal = services.reply_refusal(current_user, parent)
    if refusal:
        refuse(403, str(refusal))
    form = ReplyForm()
    done = submitted(
        form,
        lambda: services.reply(current_user, parent, form.body.data),
        _("Your reply was published."),
        lambda answer: url_for(
            ".comment_page", matter_id=matter.id, comment_id=parent.id, _anchor=f"comment-{answer.id}"
        ),
    )
    return done or _comment_page(matter, parent, reply_form=form, status=400)


@bp.post("/<int:matter_id>/comments/<int:comment_id>/hide")
@login_required
def hide(matter_id, comment_id):
    matter = _matter(matter_id)
    target = services.get_comment(matter, comment_id)
    if not permissions.is_committee(current_user, matter.community):
        refuse(403, _("Only the committee can hide comments."))
    top = services.get_comment(matter, target.parent_id) if target.parent_id else target
    form = HideForm(prefix=f"hide-{target.id}")
    done = submitted(
        form,
        lambda: services.hide_comment(current_user, target, form.reason.data),
        _("The comment was hidden; the reason is shown in its place."),
        lambda _hidden: url_for(
            ".comment_page", matter_id=matter.id, comment_id=top.id, _anchor=f"comment-{target.id}"
        ),
    )
    return done or _comment_page(matter, top, hide_forms={target.id: form}, status=400)
