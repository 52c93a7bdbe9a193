"""Photo uploads: checked by content, re-encoded, stored outside the web root.

What is stored is only the pixels: the photo is turned upright by its EXIF orientation and written
anew, without EXIF (GPS, camera), XMP, JPEG comments, PNG text chunks or the ICC profile (dropped:
a profile can carry free text too; a wide-gamut photo then shows a little less saturated).
"""

import io
import secrets
import warnings
from dataclasses import dataclass
from datetime import datetime, time
from pathlib import Path

from flask import current_app, send_file
from flask_babel import lazy_gettext as _l
from PIL import Image, ImageOps, UnidentifiedImageError
from sqlalchemy import ForeignKey, func, select
from sqlalchemy.orm import Mapped, mapped_column
from werkzeug.exceptions import NotFound

from app.extensions import db
from app.models_base import CreatedAt, IntPK

from . import clock

# Format Pillow reports -> (content type, extension, format to write). MPO is a phone's multi-picture
# JPEG (HDR, depth): its first frame is the photo.
FORMATS = {
    "JPEG": ("image/jpeg", "jpg", "JPEG"),
    "MPO": ("image/jpeg", "jpg", "JPEG"),
    "PNG": ("image/png", "png", "PNG"),
    "WEBP": ("image/webp", "webp", "WEBP"),
}
# Refused from the header, before any decoding: a phone photo has 12–24 Mpx, while a small PNG of
# 40 Mpx takes seconds of CPU to decode.
MAX_PIXELS = 25_000_000


class PhotoRejected(ValueError):
    pass


class StoredPhoto(db.Model):
    id: Mapped[IntPK]
    stored_name: Mapped[str] = mapped_column(db.String(80), unique=True)
    content_type: Mapped[str] = mapped_column(db.String(40))
    size: Mapped[int]
    width: Mapped[int]
    height: Mapped[int]
    # Who uploaded it: the daily limit counts by it (None for photos stored before it was kept).
    uploader_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"), index=True)
    created_at: Mapped[CreatedAt]


def _read_image(data):
    with warnings.catch_warnings():
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        try:
            image = Image.open(io.BytesIO(data))
            if image.format not in FORMATS:
                raise PhotoRejected(_l("Only JPEG, PNG or WebP photos are accepted."))
            if image.width * image.height > MAX_PIXELS:
                raise PhotoRejected(
                    _l("The photo has too many pixels (at most %(n)s million).", n=MAX_PIXELS // 1_000_000)
                )
            image.verify()
            image = Image.open(io.BytesIO(data))
            image.seek(0)  # the first frame of a multi-picture file
            image.load()
            # the transposed copy has no format of its own
            return image.format, ImageOps.exif_transpose(image)
        except (
            UnidentifiedImageError,
            OSError,
            SyntaxError,
            ValueError,
            EOFError,
            Image.DecompressionBombError,
            Image.DecompressionBombWarning,
        ) as exc:
            if isinstance(exc, PhotoRejected):
                raise
            raise PhotoRejected(_l("This file is not a JPEG, PNG or WebP photo.")) from exc


def _encode(image, pillow_format):
    """The pixels alone: a new image without the original's info (EXIF, XMP, comments, text
    chunks, ICC profile); only PNG transparency is kept, as it is part of the picture."""
    out = io.BytesIO()
    transparency = image.info.get("transparency") if pillow_format == "PNG" else None
    image.info = {}
    if pillow_format == "JPEG":
        image.convert("RGB").save(out, "JPEG", quality=85, optimize=True)
    elif transparency is not None:
        image.save(out, "PNG", transparency=transparency)
    else:
        image.save(out, pillow_format)
    return out.getvalue()


@dataclass(frozen=True)
class CleanImage:
    content_type: str
    ext: str
    data: bytes
    width: int
    height: int


def clean_image(data):
    """The picture in `data` checked by its content and written anew without its metadata, or
    PhotoRejected. CPU work: call it before a write transaction opens."""
    found_format, image = _read_image(data)
    content_type, ext, pillow_format = FORMATS[found_format]
    return CleanImage(content_type, ext, _encode(image, pillow_format), image.width, image.height)


def store_file(data, ext):
    """Write bytes under a random name in the upload folder (outside the web root); the name."""
    stored_name = f"{secrets.token_hex(16)}.{ext}"
    folder = Path(current_app.config["UPLOAD_FOLDER"])
    folder.mkdir(parents=True, exist_ok=True)
    (folder / stored_name).write_bytes(data)
    return stored_name


def uploads_today(uploader):
    """How many photos this person has stored since the start of today (local calendar)."""
    today = clock.local_date(clock.utcnow())  # created_at is the real time, never the demo's shift
    since = clock.to_utc(datetime.combine(today, time(0)))
    with db.session.no_autoflush:  # the caller may be midway through building the rows the photos belong to
        stored = db.session.scalar(
            select(func.count(StoredPhoto.id)).where(
                StoredPhoto.uploader_id == uploader.id, StoredPhoto.created_at >= since
            )
        )
    pending = sum(1 for row in db.session.new if isinstance(row, StoredPhoto) and row.uploader_id == uploader.id)
    return stored + pending


def save_photo(file_storage, uploader):
    """Validate one uploaded photo and store a re-encoded copy, counted against the uploader's
    daily limit (PHOTOS_PER_DAY).

    Adds the StoredPhoto to the session; the caller's transaction commits it.
    """
    limit = current_app.config["PHOTOS_PER_DAY"]
    if uploads_today(uploader) >= limit:
        raise PhotoRejected(
            _l("You have added %(n)s photos today, the most for one day. Please add more tomorrow.", n=limit)
        )
    data = file_storage.read(current_app.config["MAX_PHOTO_BYTES"] + 1)
    if len(data) > current_app.config["MAX_PHOTO_BYTES"]:
        raise PhotoRejected(_l("Each photo may be at most 5 MB."))
    if not data:
        raise PhotoRejected(_l("The photo file is empty."))
    picture = clean_image(data)
    stored_name = store_file(picture.data, picture.ext)
    photo = StoredPhoto(
        stored_name=stored_name,
        content_type=picture.content_type,
        size=len(picture.data),
        width=picture.width,
        height=picture.height,
        uploader_id=uploader.id,
    )
    db.session.add(photo)
    return photo


def send_photo(photo):
    path = Path(current_app.config["UPLOAD_FOLDER"]) / photo.stored_name
    if not path.is_file():  # the row outlived its file (a restore without the uploads): a 404, not a 500
        raise NotFound()
    response = send_file(path, mimetype=photo.content_type, max_age=86400)
    response.headers["Content-Disposition"] = "inline"
    return response
