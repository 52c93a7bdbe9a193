"""Proposing and editing a micro-matter: /c/<slug>/matters/new and /<id>/edit, with the photos
sent with the form kept for their owner when it comes back with an error."""

from flask import flash, redirect, render_template, request, url_for
from flask_babel import format_date
from flask_babel import gettext as _
from flask_login import current_user, login_required

from app.communities.permissions import posting_block
from app.communities.scoping import current_community
from app.core import clock
from app.core.errors import DomainError, refuse
from app.core.forms import show_refusal

from . import bp, permissions
from .forms import MatterForm
from .lifecycle import Status
from .routes import page_context, visible_matter
from .services import photos, proposals

MATTER_FIELDS = ("title", "description", "category", "location", "estimated_cost", "project_type")


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
        photos_max=photos.PHOTOS_MAX,
        **page_context(),
    ), (400 if request.method == "POST" else 200)


def _held_photos(form, matter=None):
    """The photos sent with the form, kept for its owner before anything else is checked, so that
    the form coming back with an error still has them; (kept photos, whether that went well)."""
    community = current_community()
    keep, drop = request.form.getlist("pending_photo"), request.form.getlist("drop_photo")
    if "csrf_token" in form.errors:  # not a form this person sent from our page: store nothing
        return photos.pending_photos(current_user, community, matter, keep), False
    try:
        held = photos.hold_photos(
            current_user, community, request.files.getlist(form.photos.name), matter=matter, keep=keep, drop=drop
        )
    except DomainError as error:
        show_refusal(form, error)
        return photos.pending_photos(current_user, community, matter, keep), False
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
                matter = proposals.create_matter(
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
    matter = visible_matter(matter_id)
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
                proposals.update_matter(
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
                        proposals.submit(current_user, matter)
                    except DomainError as error:
                        flash(error.message, "error")
                    else:
                        flash(_("Submitted. Residents can now support it."), "success")
                return redirect(url_for(".detail", matter_id=matter.id))
    return _form_page(form, matter, pending=pending)
