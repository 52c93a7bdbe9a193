"""Pages: a resident's report (/c/<slug>/report/...), the committee's queue and blocks
(/c/<slug>/moderation/...)."""

from flask import render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from markupsafe import Markup

from app.communities.permissions import posting_block
from app.communities.scoping import current_community, permitted_community
from app.core.errors import refuse
from app.core.forms import and_back, form_page
from app.core.service import get_or_404
from app.matters import lifecycle
from app.matters.lifecycle import Status
from app.matters.models import MicroMatter

from . import bp, permissions, services
from .forms import BlockForm, CloseForm, FlagForm, HideForm, UnblockForm
from .models import FlagReason


def posting_block_notice(community):
    """What a blocked resident sees above the forms they can no longer use ("" otherwise)."""
    membership = posting_block(current_user, community)
    if membership is None:
        return ""
    return Markup(render_template("moderation/_blocked.html", membership=membership))  # noqa: S704  # nosec B704


def matter_moderation(matter):
    """On a matter's page: why it is hidden (everyone), and the committee's hide or un-hide."""
    hiding = services.current_hiding(matter) if matter.status == Status.HIDDEN else None
    may_moderate = permissions.can_moderate(current_user, matter.community)
    if hiding is None and not (may_moderate and lifecycle.can("hide", current_user, matter)):
        return ""
    html = render_template(
        "moderation/_matter.html", matter=matter, hiding=hiding, may_moderate=may_moderate, unhide_form=UnblockForm()
    )
    return Markup(html)  # noqa: S704  # nosec B704


@bp.route("/moderation/matters/<int:matter_id>/hide", methods=["GET", "POST"])
@login_required
def hide_matter(matter_id):
    community, matter = _moderated_matter(matter_id)
    form = HideForm()
    return form_page(
        form,
        lambda: services.hide_matter(current_user, matter, form.reason.data),
        _("The micro-matter is hidden; its page says why."),
        url_for("matters.detail", matter_id=matter.id),
        "moderation/hide.html",
        community=community,
        matter=matter,
    )


@bp.post("/moderation/matters/<int:matter_id>/unhide")
@login_required
def unhide_matter(matter_id):
    _community, matter = _moderated_matter(matter_id)
    return and_back(
        UnblockForm(),
        lambda: services.unhide_matter(current_user, matter),
        _("The micro-matter is visible again."),
        url_for("matters.detail", matter_id=matter.id),
    )


@bp.route("/report/<any(matter, comment):kind>/<int:target_id>", methods=["GET", "POST"])
@login_required
def report(kind, target_id):
    community = current_community()
    subject = services.target(community, kind, target_id)
    if not permissions.can_flag(current_user, community):
        refuse(403, _("Only verified residents of the community report content."))
    form = FlagForm()
    return form_page(
        form,
        lambda: services.raise_flag(current_user, community, subject, reason=form.reason.data, text=form.text.data),
        _("Thank you. The committee will look at your report."),
        subject.url,
        "moderation/report.html",
        community=community,
        subject=subject,
    )


def _moderating():
    """The current community, when the user handles its reports (403 otherwise)."""
    return permitted_community(permissions.can_moderate, _("Only the committee handles reports."))


def _moderated_matter(matter_id):
    """The community whose reports the user handles (403 otherwise) and its micro-matter (404)."""
    community = _moderating()
    return community, get_or_404(MicroMatter, matter_id, community_id=community.id)


@bp.get("/moderation/")
@login_required
def queue():
    community = _moderating()
    entries = services.queue(community)
    return render_template(
        "moderation/queue.html",
        community=community,
        entries=entries,
        author_of=lambda entry: services.author_membership(community, entry.target),
        can_block=lambda membership: membership is not None and permissions.can_block(current_user, membership),
        blocked=services.blocked_members(community),
        hidden=services.hidden_matters(community),
        close_form=CloseForm(),
        reason_labels=FlagReason.labels(),
    )


@bp.post("/moderation/<any(matter, comment):kind>/<int:target_id>/close")
@login_required
def close(kind, target_id):
    community = _moderating()
    subject = services.target(community, kind, target_id)
    form = CloseForm()
    return and_back(
        form,
        lambda: services.close(current_user, community, subject, outcome=form.outcome.data, note=form.note.data),
        lambda count: _("%(count)s reports closed.", count=count),
        url_for("moderation.queue"),
    )


@bp.route("/moderation/block/<int:membership_id>", methods=["GET", "POST"])
@login_required
def block(membership_id):
    community = current_community()
    membership = services.get_membership(community, membership_id)
    if not permissions.can_block(current_user, membership):
        refuse(403, _("The committee blocks residents, not its own members."))
    form = BlockForm()
    return form_page(
        form,
        lambda: services.block(current_user, membership, days=form.days.data, reason=form.reason.data),
        _("%(name)s is blocked from posting; they have been told why.", name=membership.user.display_name),
        url_for("moderation.queue"),
        "moderation/block.html",
        community=community,
        membership=membership,
    )


@bp.post("/moderation/unblock/<int:membership_id>")
@login_required
def unblock(membership_id):
    community = _moderating()
    membership = services.get_membership(community, membership_id)
    return and_back(
        UnblockForm(),
        lambda: services.unblock(current_user, membership),
        _("The block is lifted."),
        url_for("moderation.queue"),
    )
