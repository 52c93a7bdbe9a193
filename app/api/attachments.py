"""Attachments of public micro-matters and of committee items: what they are and where to fetch
them. Who added a file is not said; removed files are not listed."""

from sqlalchemy import or_, select

from app.attachments.models import Attachment, AttachmentKind
from app.communities.models import Community
from app.core.i18n import N_
from app.core.urls import path_for
from app.matters.lifecycle import OUT_OF_TOTALS
from app.matters.models import MicroMatter

from .registry import SLUG, collection
from .routes import in_community
from .schema import Field, PageLookup, Resource, url_field

_slug = PageLookup(Community.slug, key=lambda attachment: attachment.community_id)


ATTACHMENT = Resource(
    "Attachment",
    "A file on a micro-matter or a committee item: a quote, a drawing or another document.",
    [
        Field("id", "integer", minimum=1, example=4),
        Field("subject_kind", "string", "What it belongs to.", enum=("matter", "committee_item"), example="matter"),
        Field("subject_id", "integer", "The micro-matter's or the committee item's id.", minimum=1, example=7),
        Field("kind", "string", enum=tuple(AttachmentKind), example="quote"),
        Field("title", "string", example="施工报价单"),
        Field(
            "content_type",
            "string",
            enum=("application/pdf", "image/jpeg", "image/png", "image/webp"),
            example="application/pdf",
        ),
        Field("size", "integer", "Bytes.", minimum=0, example=182344),
        Field(
            "sha256",
            "string",
            "Checksum of the file as served.",
            example="9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08",
        ),
        Field("created_at", "string", format="date-time", example="2026-11-20T02:00:00Z"),
        url_field(lambda a: path_for("attachments.file", slug=_slug(a), attachment_id=a.id), "Address of the file."),
    ],
    prepare=_slug.prepare,
)


@collection(
    "/communities/{slug}/attachments",
    ATTACHMENT,
    tag="matters",
    params=[SLUG],
    summary=N_("Files attached to public micro-matters and to committee items, oldest first."),
)
def attachments(slug):
    drafts = select(MicroMatter.id).where(MicroMatter.status.in_(OUT_OF_TOTALS))
    return (
        in_community(Attachment, slug)
        .where(
            Attachment.removed_at.is_(None),
            or_(Attachment.subject_kind != "matter", Attachment.subject_id.not_in(drafts)),
        )
        .order_by(Attachment.id)
    )
