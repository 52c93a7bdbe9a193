"""Demo step (after the committee items): a contractor's quote (PDF) on a micro-matter waiting for the
council, and a site plan (picture) on the item the street office assigned. Files are generated here.
Uses context["community"], ["committee"]."""

import io

from PIL import Image, ImageDraw
from sqlalchemy import select
from werkzeug.datastructures import FileStorage

from app.committee_items.models import CommitteeItem, ItemKind
from app.extensions import db
from app.matters.lifecycle import Status
from app.matters.models import MicroMatter

from . import services


def quote_pdf(lines):
    """A one-page PDF of ASCII lines in Helvetica, with a correct cross-reference table."""
    text = "BT /F1 14 Tf 60 760 Td 20 TL " + " ".join(f"({line}) '" for line in lines) + " ET"
    objects = [
        b"<</Type/Catalog/Pages 2 0 R>>",
        b"<</Type/Pages/Kids[3 0 R]/Count 1>>",
        b"<</Type/Page/Parent 2 0 R/MediaBox[0 0 595 842]/Resources<</Font<</F1 4 0 R>>>>/Contents 5 0 R>>",
        b"<</Type/Font/Subtype/Type1/BaseFont/Helvetica>>",
        b"<</Length %d>>stream\n%s\nendstream" % (len(text), text.encode()),
    ]
    out = io.BytesIO()
    out.write(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(out.tell())
        out.write(b"%d 0 obj\n%s\nendobj\n" % (number, body))
    xref = out.tell()
    out.write(b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1))
    out.writelines(b"%010d 00000 n \n" % offset for offset in offsets)
    out.write(b"trailer\n<</Size %d/Root 1 0 R>>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref))
    return out.getvalue()


def site_plan():
    image = Image.new("RGB", (640, 420), (250, 250, 245))
    draw = ImageDraw.Draw(image)
    draw.rectangle([40, 40, 300, 200], outline=(40, 40, 40), width=4)  # building 3
    draw.rectangle([360, 240, 600, 380], outline=(40, 40, 40), width=4)  # bicycle shed
    draw.rectangle([80, 240, 260, 360], fill=(120, 190, 120))  # the chosen spot
    buffer = io.BytesIO()
    image.save(buffer, "PNG")
    return buffer.getvalue()


def _file(data, name, content_type):
    return FileStorage(stream=io.BytesIO(data), filename=name, content_type=content_type)


def load(context):
    community, committee = context["community"], context["committee"]
    matter = db.session.scalar(
        select(MicroMatter)
        .where(MicroMatter.community_id == community.id, MicroMatter.status == Status.ON_AGENDA)
        .order_by(MicroMatter.id)
    )
    if matter is not None:
        lines = [
            "QUOTATION  No. 2026-117",
            f"Project: micro-matter #{matter.id}",
            "Materials and labour, tax included:",
        ]
        lines.append(f"Total: {matter.estimated_cost:,} yuan")
        services.add(
            committee,
            services.Subject("matter", matter),
            kind="quote",
            title="施工报价单",
            file_storage=_file(quote_pdf(lines), "quote.pdf", "application/pdf"),
        )
    item = db.session.scalar(
        select(CommitteeItem).where(CommitteeItem.community_id == community.id, CommitteeItem.kind == ItemKind.ASSIGNED)
    )
    if item is not None:
        services.add(
            committee,
            services.Subject("committee_item", item),
            kind="drawing",
            title="充电点选址示意图",
            file_storage=_file(site_plan(), "plan.png", "image/png"),
        )
