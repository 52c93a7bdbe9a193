"""Adding, listing, removing and serving attachments. The file is checked (and a picture
re-encoded) before any write transaction opens; the row and its audit entry are one commit."""

import hashlib
from dataclasses import dataclass
from pathlib import Path

from flask import current_app, send_file
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select
from werkzeug.exceptions import NotFound

from app.audit.services import record
from app.committee_items.models import CommitteeItem
from app.core import clock
from app.core.errors import FieldError
from app.core.service import commit, get_or_404, require, rolls_back
from app.core.text import checked_text
from app.core.uploads import PhotoRejected, clean_image, store_file
from app.core.urls import path_for
from app.extensions import db
from app.matters.models import MicroMatter

from . import content, permissions
from .models import Attachment, AttachmentKind

MAX_BYTES = 10 * 1024 * 1024
PER_SUBJECT = 10
MODELS = {"matter": MicroMatter, "committee_item": CommitteeItem}
REFUSALS = {
    "kind": _l("Only PDF files and JPEG, PNG or WebP pictures are accepted."),
    "damaged": _l("The PDF file is incomplete or damaged."),
    "active": _l("The PDF contains scripts, actions or embedded files; please print it to a plain PDF."),
}


@dataclass(frozen=True)
class Subject:
    """What an attachment belongs to: a micro-matter or a committee item."""

    kind: str
    row: object

    @property
    def community(self):
        return self.row.community

    @property
    def title(self):
        return self.row.title

    @property
    def url(self):
        slug = self.community.slug
        if self.kind == "matter":
            return path_for("matters.detail", slug=slug, matter_id=self.row.id)
        return path_for("committee_items.detail", slug=slug, item_id=self.row.id)


def subject(community, kind, subject_id):
    return Subject(kind, get_or_404(MODELS[kind], subject_id, community_id=community.id))


def subject_of(attachment):
    return Subject(attachment.subject_kind, db.session.get(MODELS[attachment.subject_kind], attachment.subject_id))


def get_attachment(community, attachment_id):
    return get_or_404(Attachment, attachment_id, community_id=community.id)


def attachments_of(subj):
    """Every attachment, removed ones too (they say who removed them and why), oldest first."""
    return db.session.scalars(
        select(Attachment)
        .where(Attachment.subject_kind == subj.kind, Attachment.subject_id == subj.row.id)
        .order_by(Attachment.id)
    ).all()


def _read(file_storage):
    """(content type, extension, bytes) of an acceptable upload, or a refusal on the file field."""
    data = file_storage.read(MAX_BYTES + 1) if file_storage else b""
    if not data:
        raise FieldError("file", _l("Choose a file."))
    if len(data) > MAX_BYTES:
        raise FieldError("file", _l("A file may be at most %(n)s MB.", n=MAX_BYTES // (1024 * 1024)))
    try:
        if content.kind_of(data) == "pdf":
            content.check_pdf(data)
            return "application/pdf", "pdf", data
        picture = clean_image(data)
    except content.NotAllowed as refusal:
        raise FieldError("file", REFUSALS[str(refusal)]) from None
    except PhotoRejected as refusal:
        raise FieldError("file", str(refusal)) from None
    return picture.content_type, picture.ext, picture.data


def add(actor, subj, *, kind, title, file_storage):
    require(permissions.can_attach(actor, subj), _l("You cannot add attachments here."))
    if kind not in set(AttachmentKind):
        raise FieldError("kind", _l("Choose what the file is."))
    title = checked_text(title, "title", 80, _l("Give the file a short title, e.g. 施工报价单."), one_line=True)
    count = db.session.scalar(
        select(func.count(Attachment.id)).where(
            Attachment.subject_kind == subj.kind, Attachment.subject_id == subj.row.id, Attachment.removed_at.is_(None)
        )
    )
    require(count < PER_SUBJECT, _l("At most %(n)s attachments per item.", n=PER_SUBJECT))
    content_type, ext, data = _read(file_storage)
    stored_name = store_file(data, ext)
    try:
        return _insert(actor, subj, kind, title, content_type, data, stored_name)
    except Exception:
        _delete_file(stored_name)
        raise


@rolls_back
def _insert(actor, subj, kind, title, content_type, data, stored_name):
    attachment = Attachment(
        community_id=subj.community.id,
        subject_kind=subj.kind,
        subject_id=subj.row.id,
        kind=kind,
        title=title,
        content_type=content_type,
        size=len(data),
        sha256=hashlib.sha256(data).hexdigest(),
        stored_name=stored_name,
        uploaded_by_id=actor.id,
    )
    db.session.add(attachment)
    db.session.flush()
    _audit("attachment.added", attachment, actor, subj, title=title, size=attachment.size, sha256=attachment.sha256)
    commit()
    return attachment


def _audit(action, attachment, actor, subj, **data):
    record(
        action,
        attachment,
        actor=actor,
        community=subj.community,
        subject_kind=subj.kind,
        subject_id=subj.row.id,
        **data,
    )


def _path(stored_name):
    return Path(current_app.config["UPLOAD_FOLDER"]) / stored_name


def _delete_file(stored_name):
    _path(stored_name).unlink(missing_ok=True)


@rolls_back
def remove(actor, attachment, reason):
    subj = subject_of(attachment)
    require(permissions.can_remove(actor, attachment, subj), _l("You cannot remove this attachment."))
    reason = checked_text(reason, "reason", 300, _l("Say why it is removed; the reason stays in its place."))
    attachment.removed_at = clock.now()
    attachment.removed_by_id = actor.id
    attachment.remove_reason = reason
    _audit("attachment.removed", attachment, actor, subj, reason=reason)
    commit()
    _delete_file(attachment.stored_name)


def send(attachment):
    """The file, for a reader who may see its subject. A PDF is a download opened in a sandbox."""
    path = _path(attachment.stored_name)
    if attachment.is_removed or not path.is_file():
        raise NotFound()
    pdf = attachment.content_type == "application/pdf"
    response = send_file(
        path,
        mimetype=attachment.content_type,
        as_attachment=pdf,
        download_name=f"{attachment.title}.{attachment.stored_name.rsplit('.', 1)[-1]}",
        max_age=3600,
    )
    # Stricter than the site's policy: no script, no frame, no form, even if a browser renders it.
    response.headers["Content-Security-Policy"] = (
        "sandbox; default-src 'none'; img-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'"
    )
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response
