"""Photos (app/core/uploads.py): turned upright, stored as pixels only (no comment, EXIF, XMP, ICC
or text chunk survives), multi-picture JPEGs accepted by their first frame, pixel bombs refused
from the header, and at most PHOTOS_PER_DAY photos per person and day."""

import io
import struct
import time
import zlib
from datetime import timedelta
from pathlib import Path

import pytest
from PIL import Image, ImageCms
from PIL.PngImagePlugin import PngInfo
from sqlalchemy import func, select, update

from app.core import clock
from app.core.uploads import MAX_PIXELS, PhotoRejected, StoredPhoto, save_photo
from app.extensions import db
from tests.helpers import login, upload
from tests.security import test_uploads as security_uploads

ADDRESS = "杏林社区3栋2单元502室 张三 13912345678"


def _jpeg(size=(40, 30), color=(200, 80, 40), **save):
    buffer = io.BytesIO()
    Image.new("RGB", size, color).save(buffer, "JPEG", **save)
    return buffer.getvalue()


def _stored(app, photo):
    return (Path(app.config["UPLOAD_FOLDER"]) / photo.stored_name).read_bytes()


def _png_chunk(kind, data):
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)


def _big_png(width, height):
    """A real, valid grey PNG of width × height pixels that compresses to a few dozen KB."""
    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    rows = zlib.compress(b"\x00" * ((width + 1) * height), 9)
    return b"\x89PNG\r\n\x1a\n" + _png_chunk(b"IHDR", header) + _png_chunk(b"IDAT", rows) + _png_chunk(b"IEND", b"")


def test_the_jpeg_comment_exif_xmp_and_icc_profile_are_not_stored(app, make):
    exif = Image.Exif()
    exif[0x010E] = ADDRESS  # ImageDescription
    xmp = f'<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:Description>{ADDRESS}</rdf:Description></x:xmpmeta>'
    icc = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()
    original = _jpeg(comment=ADDRESS.encode(), exif=exif.tobytes(), xmp=xmp.encode(), icc_profile=icc)
    assert ADDRESS.encode() in original and b"xmpmeta" in original  # the fixture carries them
    photo = save_photo(upload(original, "photo.jpg", "image/jpeg"), make.user())
    stored = _stored(app, photo)
    assert ADDRESS.encode() not in stored and "张三".encode() not in stored
    assert b"xmpmeta" not in stored and b"ICC_PROFILE" not in stored and b"Exif" not in stored
    assert b"\xff\xfe" not in stored  # no COM segment at all
    image = Image.open(io.BytesIO(stored))
    assert image.format == "JPEG" and not image.getexif() and "comment" not in image.info


def test_png_text_chunks_and_exif_are_not_stored(app, make):
    info = PngInfo()
    info.add_text("Address", ADDRESS)
    info.add_text("Comment", ADDRESS, zip=True)
    info.add_itxt("Location", ADDRESS, lang="zh", tkey="地址")
    buffer = io.BytesIO()
    exif = Image.Exif()
    exif[0x010E] = "private"
    Image.new("RGBA", (20, 10), (0, 0, 0, 0)).save(buffer, "PNG", pnginfo=info, exif=exif.tobytes())
    photo = save_photo(upload(buffer.getvalue()), make.user())
    stored = _stored(app, photo)
    for chunk in (b"tEXt", b"zTXt", b"iTXt", b"eXIf"):
        assert chunk not in stored, chunk
    assert b"private" not in stored and ADDRESS.encode() not in stored
    assert Image.open(io.BytesIO(stored)).getpixel((0, 0))[3] == 0  # transparency is part of the picture


def test_a_palette_png_keeps_its_transparency(app, make):
    buffer = io.BytesIO()
    Image.new("P", (10, 10), 0).save(buffer, "PNG", transparency=0)
    stored = _stored(app, save_photo(upload(buffer.getvalue()), make.user()))
    assert Image.open(io.BytesIO(stored)).info.get("transparency") == 0


def test_exif_orientation_is_applied(app, make):
    """Orientation 6 (a phone held upright): the pixels are stored turned, without the tag."""
    picture = Image.new("RGB", (60, 20), (255, 255, 255))
    picture.paste((255, 0, 0), (0, 0, 10, 20))  # red on the left as stored by the camera
    exif = Image.Exif()
    exif[0x0112] = 6
    buffer = io.BytesIO()
    picture.save(buffer, "JPEG", exif=exif.tobytes(), quality=95)
    photo = save_photo(upload(buffer.getvalue(), "photo.jpg", "image/jpeg"), make.user())
    assert (photo.width, photo.height) == (20, 60)
    image = Image.open(io.BytesIO(_stored(app, photo)))
    assert image.size == (20, 60) and not image.getexif().get(0x0112)
    red, green, blue = image.getpixel((10, 3))  # rotated 90° clockwise: the red band is now on top
    assert red > 200 and green < 60 and blue < 60


def test_a_multi_picture_jpeg_is_accepted_by_its_first_frame(app, make):
    buffer = io.BytesIO()
    first, second = Image.new("RGB", (48, 32), (10, 120, 200)), Image.new("RGB", (48, 32), (250, 250, 0))
    first.save(buffer, "MPO", save_all=True, append_images=[second])
    assert Image.open(io.BytesIO(buffer.getvalue())).format == "MPO"  # what phones' HDR photos open as
    photo = save_photo(upload(buffer.getvalue(), "hdr.jpg", "image/jpeg"), make.user())
    assert photo.content_type == "image/jpeg" and (photo.width, photo.height) == (48, 32)
    image = Image.open(io.BytesIO(_stored(app, photo)))
    assert image.format == "JPEG" and getattr(image, "n_frames", 1) == 1
    assert image.getpixel((5, 5))[2] > 150  # the blue first frame, not the yellow second one


def test_a_40_megapixel_png_is_refused_from_its_header(app, make):
    data = _big_png(8000, 5000)
    assert len(data) < 200_000 and 8000 * 5000 > MAX_PIXELS
    started = time.perf_counter()
    with pytest.raises(PhotoRejected, match="25"):  # "at most 25 million" in either language
        save_photo(upload(data), make.user())
    assert time.perf_counter() - started < 0.5  # decoding it took seconds
    assert not list(Path(app.config["UPLOAD_FOLDER"]).glob("*"))


def test_a_phone_sized_photo_is_still_accepted(app, make):
    data = _big_png(4000, 3000)
    photo = save_photo(upload(data), make.user())
    assert (photo.width, photo.height) == (4000, 3000)


def _proposal(title, count):
    photos = [(io.BytesIO(_jpeg()), f"p{n}.jpg", "image/jpeg") for n in range(count)]
    return {**security_uploads._proposal(photos=photos), "title": title}


def test_the_21st_photo_of_the_day_is_refused_with_the_form_kept(app, client, make):
    assert app.config["PHOTOS_PER_DAY"] == 20
    community = make.community()
    user = make.member(community)
    login(client, user)
    new = f"/c/{community.slug}/matters/new"
    for n in range(4):
        response = client.post(new, data=_proposal(f"提议{n}", 5), content_type="multipart/form-data")
        assert response.status_code == 302, response.get_data(as_text=True)[-1500:]
    count = select(func.count(StoredPhoto.id)).where(StoredPhoto.uploader_id == user.id)
    assert db.session.scalar(count) == 20
    response = client.post(new, data=_proposal("第二十一张照片", 1), content_type="multipart/form-data")
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "20" in html and ("tomorrow" in html or "明天" in html)
    assert "第二十一张照片" in html  # the form comes back with the resident's text
    assert db.session.scalar(count) == 20
    # Another person's photos do not count, and yesterday's no longer do.
    other = make.member(community)
    assert save_photo(upload(), other).uploader_id == other.id
    db.session.execute(
        update(StoredPhoto)
        .where(StoredPhoto.uploader_id == user.id)
        .values(created_at=clock.utcnow() - timedelta(days=1, hours=1))
    )
    db.session.commit()
    response = client.post(new, data=_proposal("第二天", 1), content_type="multipart/form-data")
    assert response.status_code == 302
