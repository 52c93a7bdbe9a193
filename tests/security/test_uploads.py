"""Disguised uploads are refused by content (app.core.uploads), whatever their name or
declared type; what is kept is a re-encoded image without hidden payloads or metadata."""

import io
import struct
import zlib
from pathlib import Path

import pytest
from PIL import Image
from sqlalchemy import func, select
from werkzeug.datastructures import FileStorage

from app.core.uploads import PhotoRejected, StoredPhoto, save_photo
from app.extensions import db
from tests.helpers import login

PAYLOAD = b"<script>alert('xss')</script><?php system($_GET['c']); ?>"


def _image(fmt="JPEG", size=(40, 30), **save):
    buffer = io.BytesIO()
    Image.new("RGB", size, (200, 80, 40)).save(buffer, fmt, **save)
    return buffer.getvalue()


def _png_chunk(kind, data):
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)


def _png_bomb(width=60_000, height=60_000):
    """A tiny file that claims 3.6 billion pixels."""
    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + _png_chunk(b"IHDR", header)
        + _png_chunk(b"IDAT", zlib.compress(b"\x00" * 1024))
        + _png_chunk(b"IEND", b"")
    )


def _jpeg_with_gps():
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"
    gps = exif.get_ifd(0x8825)
    gps[1], gps[2], gps[3], gps[4] = "N", (31.0, 18.0, 0.0), "E", (120.0, 37.0, 0.0)
    return _image(exif=exif.tobytes())


DISGUISED = {
    "page.jpg (HTML)": (b"<!doctype html><html><body>" + PAYLOAD + b"</body></html>", "image/jpeg"),
    "shell.jpg (JPEG magic + PHP)": (b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + PAYLOAD, "image/jpeg"),
    "gifar.gif": (b"GIF89a\x01\x00\x01\x00\x00\x00\x00;" + PAYLOAD, "image/gif"),
    "real.gif (GIF is not accepted)": (_image("GIF"), "image/gif"),
    "icon.png (SVG)": (
        b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"><script>alert(1)</script></svg>',
        "image/png",
    ),
    "scan.png (PDF)": (b"%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF", "image/png"),
    "photos.jpg (ZIP)": (b"PK\x03\x04" + b"\x00" * 26 + PAYLOAD, "image/jpeg"),
    "truncated.jpg": (_image()[:200], "image/jpeg"),
    "bomb.png": (_png_bomb(), "image/png"),
    "empty.jpg": (b"", "image/jpeg"),
    "exe.jpg (ELF)": (b"\x7fELF\x02\x01\x01" + b"\x00" * 64, "image/jpeg"),
}


def _upload(data, name="photo.jpg", content_type="image/jpeg"):
    return FileStorage(stream=io.BytesIO(data), filename=name, content_type=content_type)


@pytest.mark.parametrize("name", list(DISGUISED))
def test_disguised_files_are_refused(app, make, name):
    data, content_type = DISGUISED[name]
    with pytest.raises(PhotoRejected):
        save_photo(_upload(data, name.split(" ")[0], content_type), make.user())
    assert not list(Path(app.config["UPLOAD_FOLDER"]).glob("*"))


@pytest.mark.parametrize("fmt", ["JPEG", "PNG"])
def test_a_polyglot_keeps_only_the_re_encoded_image(app, make, fmt):
    """A real image with HTML/JS/ZIP appended (or in a text chunk) is stored without it."""
    data = _image(fmt) + PAYLOAD + b"PK\x03\x04"
    if fmt == "PNG":
        data = data[:33] + _png_chunk(b"tEXt", b"Comment\x00" + PAYLOAD) + data[33:]
    photo = save_photo(_upload(data, "innocent.exe", "text/html"), make.user())
    stored = (Path(app.config["UPLOAD_FOLDER"]) / photo.stored_name).read_bytes()
    assert b"script" not in stored and b"php" not in stored and b"PK\x03\x04" not in stored
    assert photo.content_type == ("image/jpeg" if fmt == "JPEG" else "image/png")
    assert photo.stored_name.endswith(".jpg" if fmt == "JPEG" else ".png")  # named by content, not by upload
    assert Image.open(io.BytesIO(stored)).format == fmt


def test_location_metadata_is_removed(app, make):
    original = _jpeg_with_gps()
    assert Image.open(io.BytesIO(original)).getexif().get_ifd(0x8825)  # the fixture really has GPS
    photo = save_photo(_upload(original), make.user())
    stored = Image.open(Path(app.config["UPLOAD_FOLDER"]) / photo.stored_name)
    assert not stored.getexif().get_ifd(0x8825) and not stored.getexif()


def test_too_large_a_photo_is_refused(app, make):
    app.config["MAX_PHOTO_BYTES"] = 1000
    with pytest.raises(PhotoRejected):
        save_photo(_upload(_image(size=(400, 400), quality=100)), make.user())


def _proposal(**photos):
    return {
        "title": "健身器材",
        "description": "更换老旧的健身器材。",
        "category": "facilities",
        "location": "3号楼旁",
        "estimated_cost": "20000",
        "project_type": "goods",
        "save": "y",
        **photos,
    }


def test_a_disguised_file_through_the_proposal_form_is_refused_and_nothing_is_kept(app, client, make):
    community = make.community()
    user = make.member(community)
    login(client, user)
    data = _proposal(photos=[(io.BytesIO(DISGUISED["page.jpg (HTML)"][0]), "ramp.jpg", "image/jpeg")])
    response = client.post(f"/c/{community.slug}/matters/new", data=data, content_type="multipart/form-data")
    assert response.status_code == 400
    assert db.session.scalar(select(func.count(StoredPhoto.id))) == 0
    assert not list(Path(app.config["UPLOAD_FOLDER"]).glob("*"))


def test_a_served_photo_cannot_be_sniffed_into_html(app, client, make):
    community = make.community()
    user = make.member(community)
    login(client, user)
    data = _proposal(photos=[(io.BytesIO(_image() + PAYLOAD), "ramp.html", "text/html")])
    response = client.post(f"/c/{community.slug}/matters/new", data=data, content_type="multipart/form-data")
    assert response.status_code == 302, response.get_data(as_text=True)[-2000:]
    html = client.get(response.headers["Location"]).get_data(as_text=True)
    src = html.split("/photos/")[1].split('"')[0]
    photo = client.get(response.headers["Location"] + "/photos/" + src)
    assert photo.status_code == 200 and photo.mimetype == "image/jpeg"
    assert photo.headers["X-Content-Type-Options"] == "nosniff"
    assert photo.headers["Content-Disposition"].startswith(("inline", "attachment"))
    assert b"script" not in photo.data
