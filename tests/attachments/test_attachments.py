"""Attachments on micro-matters and committee items: checked by content, public with their subject,
removed for good with a reason, listed in the API without who added them."""

import io
from pathlib import Path

import pytest
from PIL import Image
from sqlalchemy import func, select

from app.attachments import content
from app.attachments.models import Attachment
from app.audit.models import AuditEntry
from app.communities.models import Role
from app.extensions import db
from tests.councils.helpers import make_matter
from tests.helpers import image_bytes, login

PDF = b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"


def pdf_with(name):
    return PDF.replace(b"/Type/Catalog", b"/Type/Catalog/OpenAction<</S" + name + b">>")


@pytest.fixture
def world(make):
    community = make.community()
    committee = make.member(community, role=Role.COMMITTEE)
    proposer = make.member(community)
    other = make.member(community)
    matter = make_matter(community, proposer, status="collecting")
    return community, committee, proposer, other, matter


def post_file(client, community, matter, data, name="quote.pdf", **fields):
    form = {"kind": "quote", "title": "施工报价单", "file": (io.BytesIO(data), name), **fields}
    return client.post(
        f"/c/{community.slug}/attachments/matter/{matter.id}/new", data=form, content_type="multipart/form-data"
    )


# ---------------------------------------------------------------- content (pure)


def test_pdfs_with_active_content_are_refused_even_with_escaped_names():
    content.check_pdf(PDF)
    for name in (b"/JavaScript", b"/J#61vaScript", b"/Launch", b"/EmbeddedFile"):
        with pytest.raises(content.NotAllowed):
            content.check_pdf(pdf_with(name))
    with pytest.raises(content.NotAllowed):
        content.check_pdf(PDF.replace(b"%%EOF", b""))


def test_the_kind_comes_from_the_bytes_not_the_name():
    assert content.kind_of(PDF) == "pdf"
    assert content.kind_of(image_bytes()) == "image"
    for data in (b"<html><script>alert(1)</script>", b"PK\x03\x04docx", b""):
        with pytest.raises(content.NotAllowed):
            content.kind_of(data)


# ---------------------------------------------------------------- through the pages


def test_the_proposer_adds_a_quote_everyone_opens_it_as_a_sandboxed_download(client, world):
    community, _committee, proposer, _other, matter = world
    login(client, proposer)
    response = post_file(client, community, matter, PDF)
    assert response.status_code == 302, response.get_data(as_text=True)
    attachment = db.session.scalar(select(Attachment))
    assert (attachment.content_type, attachment.size) == ("application/pdf", len(PDF))
    client.post("/auth/logout")
    page = client.get(f"/c/{community.slug}/matters/{matter.id}").get_data(as_text=True)
    assert "施工报价单" in page
    served = client.get(f"/c/{community.slug}/attachments/{attachment.id}")
    assert served.status_code == 200 and served.data == PDF
    assert served.headers["Content-Disposition"].startswith("attachment")
    assert "sandbox" in served.headers["Content-Security-Policy"]
    assert served.headers["X-Content-Type-Options"] == "nosniff"
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "attachment.added"))
    assert entry.data["sha256"] == attachment.sha256


def test_a_picture_is_stored_without_its_metadata(client, world):
    community, committee, _proposer, _other, matter = world
    buffer = io.BytesIO()
    exif = Image.Exif()
    exif[0x010E] = "王秀英 13800001111"  # ImageDescription
    Image.new("RGB", (20, 10), (10, 200, 30)).save(buffer, "JPEG", exif=exif)
    login(client, committee)
    assert (
        post_file(client, community, matter, buffer.getvalue(), name="drawing.jpg", kind="drawing").status_code == 302
    )
    attachment = db.session.scalar(select(Attachment))
    served = client.get(f"/c/{community.slug}/attachments/{attachment.id}")
    assert served.headers["Content-Type"] == "image/jpeg"
    assert b"13800001111" not in served.data and not Image.open(io.BytesIO(served.data)).getexif()


def test_bad_files_are_refused_on_the_form_and_nothing_is_stored(client, app, world):
    community, _committee, proposer, _other, matter = world
    folder = Path(app.config["UPLOAD_FOLDER"])
    before = set(folder.iterdir()) if folder.exists() else set()
    login(client, proposer)
    for data, name in (
        (b"<script>alert(1)</script>", "quote.pdf"),
        (pdf_with(b"/JavaScript"), "quote.pdf"),
        (b"%PDF-1.4\n" + b"0" * (10 * 1024 * 1024 + 10), "big.pdf"),
    ):
        response = post_file(client, community, matter, data, name=name)
        assert response.status_code == 400
        assert "施工报价单" in response.get_data(as_text=True)  # the title is kept
    assert db.session.scalar(select(func.count(Attachment.id))) == 0
    assert (set(folder.iterdir()) if folder.exists() else set()) == before


def test_only_those_who_speak_for_the_matter_add_files(client, world):
    community, _committee, _proposer, other, matter = world
    login(client, other)
    assert post_file(client, community, matter, PDF).status_code == 403
    client.post("/auth/logout")
    response = post_file(client, community, matter, PDF)
    assert response.status_code == 302 and "/auth/login" in response.headers["Location"]
    assert db.session.scalar(select(func.count(Attachment.id))) == 0


def test_removal_needs_a_reason_deletes_the_file_and_leaves_the_reason(client, app, world):
    community, committee, proposer, other, matter = world
    login(client, proposer)
    post_file(client, community, matter, PDF)
    attachment = db.session.scalar(select(Attachment))
    path = Path(app.config["UPLOAD_FOLDER"]) / attachment.stored_name
    client.post("/auth/logout")
    login(client, other)
    assert (
        client.post(f"/c/{community.slug}/attachments/{attachment.id}/remove", data={"reason": "x"}).status_code == 403
    )
    client.post("/auth/logout")
    login(client, committee)
    assert (
        client.post(f"/c/{community.slug}/attachments/{attachment.id}/remove", data={"reason": ""}).status_code == 400
    )
    assert path.is_file()
    response = client.post(f"/c/{community.slug}/attachments/{attachment.id}/remove", data={"reason": "含有个人电话"})
    assert response.status_code == 302
    assert not path.exists()
    db.session.refresh(attachment)
    assert attachment.remove_reason == "含有个人电话"
    assert client.get(f"/c/{community.slug}/attachments/{attachment.id}").status_code == 404
    page = client.get(f"/c/{community.slug}/matters/{matter.id}").get_data(as_text=True)
    assert "含有个人电话" in page


def test_a_drafts_files_stay_private_and_the_api_lists_public_ones_without_names(client, world, make):
    community, committee, proposer, _other, matter = world
    draft = make_matter(community, proposer, title="草稿", status="draft")
    login(client, proposer)
    post_file(client, community, matter, PDF)
    db.session.add(
        Attachment(
            community_id=community.id,
            subject_kind="matter",
            subject_id=draft.id,
            kind="quote",
            title="草稿报价",
            content_type="application/pdf",
            size=1,
            sha256="0" * 64,
            stored_name="draft.pdf",
            uploaded_by_id=proposer.id,
        )
    )
    db.session.commit()
    client.post("/auth/logout")
    hidden = db.session.scalar(select(Attachment).where(Attachment.title == "草稿报价"))
    assert client.get(f"/c/{community.slug}/attachments/{hidden.id}").status_code == 404
    data = client.get(f"/api/v1/communities/{community.slug}/attachments").get_json()
    rows = data["items"]
    assert [r["title"] for r in rows] == ["施工报价单"]
    assert rows[0]["url"].endswith(f"/attachments/{rows[0]['id']}")
    assert proposer.display_name not in str(data)


def test_committee_items_take_attachments_from_the_committee(client, world):
    community, committee, _proposer, _other, _matter = world
    login(client, committee)
    client.post(
        f"/c/{community.slug}/items/new",
        data={"kind": "own", "title": "楼道照明改造", "description": "更换声控灯"},
    )
    from app.committee_items.models import CommitteeItem

    item = db.session.scalar(select(CommitteeItem))
    response = client.post(
        f"/c/{community.slug}/attachments/committee_item/{item.id}/new",
        data={"kind": "drawing", "title": "线路图", "file": (io.BytesIO(PDF), "plan.pdf")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 302
    assert "线路图" in client.get(f"/c/{community.slug}/items/{item.id}").get_data(as_text=True)
