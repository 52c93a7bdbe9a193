"""Pages under /c/<slug>/attachments/: add a file to a micro-matter or a committee item, open it,
remove it (a confirmation page with the reason: the file is deleted for good)."""

from flask import render_template
from flask_babel import gettext as _
from flask_login import current_user, login_required
from markupsafe import Markup

from app.communities.scoping import current_community
from app.core.errors import refuse
from app.core.forms import form_page

from . import bp, permissions, services
from .forms import AttachmentForm, RemoveForm
from .models import AttachmentKind


def attachments_panel(kind, row):
    """The attachments section of a matter's or a committee item's page ("" when there is nothing
    to show and nothing the reader may add)."""
    subj = services.Subject(kind, row)
    rows = services.attachments_of(subj)
    can_attach = permissions.can_attach(current_user, subj)
    if not rows and not can_attach:
        return ""
    html = render_template(
        "attachments/_panel.html",
        subject=subj,
        attachments=rows,
        can_attach=can_attach,
        can_remove=lambda a: permissions.can_remove(current_user, a, subj),
        kind_labels=AttachmentKind.labels(),
    )
    return Markup(html)  # noqa: S704  # nosec B704  (rendered, and so escaped, by our own template)


@bp.route("/<any(matter, committee_item):kind>/<int:subject_id>/new", methods=["GET", "POST"])
@login_required
def new(kind, subject_id):
    subj = services.subject(current_community(), kind, subject_id)
    if not permissions.can_attach(current_user, subj):
        refuse(403, _("You cannot add attachments here."))
    form = AttachmentForm()
    return form_page(
        form,
        lambda: services.add(
            current_user, subj, kind=form.kind.data, title=form.title.data, file_storage=form.file.data
        ),
        _("The file is added."),
        subj.url,
        "attachments/new.html",
        community=current_community(),
        subject=subj,
    )


@bp.get("/<int:attachment_id>")
def file(attachment_id):
    attachment = services.get_attachment(current_community(), attachment_id)
    if not permissions.can_view(current_user, services.subject_of(attachment)):
        refuse(404)
    return services.send(attachment)


@bp.route("/<int:attachment_id>/remove", methods=["GET", "POST"])
@login_required
def remove(attachment_id):
    attachment = services.get_attachment(current_community(), attachment_id)
    subj = services.subject_of(attachment)
    if not permissions.can_remove(current_user, attachment, subj):
        refuse(403, _("You cannot remove this attachment."))
    form = RemoveForm()
    return form_page(
        form,
        lambda: services.remove(current_user, attachment, form.reason.data),
        _("The file was removed; the reason is shown in its place."),
        subj.url,
        "attachments/remove.html",
        community=current_community(),
        subject=subj,
        attachment=attachment,
    )
