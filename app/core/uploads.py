"""Photo uploads: checked by content, re-encoded, stored outside the web root."""

import io
import secrets
import warnings
from pathlib import Path

from flask import current_app, send_file
from flask_babel import lazy_gettext as _l
from PIL import Image, UnidentifiedImageError
from sqlalchemy.orm import Mapped, mapped_column

from app.extensions import db
from app.models_base import CreatedAt, IntPK

FORMATS = {"JPEG": ("image/jpeg", "jpg"), "PNG": ("image/png", "png"), "WEBP": ("image/webp", "webp")}
MAX_PIXELS = 40_000_000


class PhotoRejected(ValueError):
    pass


class StoredPhoto(db.Model):
    id: Mapped[IntPK]
    stored_name: Mapped[str] = mapped_column(db.String(80), unique=True)
    content_type: Mapped[str] = mapped_column(db.String(40))
    size: Mapped[int]
    width: Mapped[int]
    height: Mapped[int]
    created_at: Mapped[CreatedAt]


def _read_image(data):
    with warnings.catch_warnings():
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        try:
            probe = Image.open(io.BytesIO(data))
            probe.verify()
            image = Image.open(io.BytesIO(data))
            if image.format not in FORMATS:
                raise PhotoRejected(_l("Only JPEG, PNG or WebP photos are accepted."))
            if image.width * image.height > MAX_PIXELS:
                raise PhotoRejected(_l("The photo has too many pixels."))
            image.load()
        except (
            UnidentifiedImageError,
            OSError,
            SyntaxError,
            ValueError,
            Image.DecompressionBombError,
            Image.DecompressionBombWarning,
        ) as exc:
            if isinstance(exc, PhotoRejected):
                raise
            raise PhotoRejected(_l("This file is not a JPEG, PNG or WebP photo.")) from exc
    return image


def save_photo(file_storage):
    """Validate one uploaded photo and store a re-encoded copy (drops metadata such as GPS).

    Adds the StoredPhoto to the session; the caller's transaction commits it.
    """
    data = file_storage.read(current_app.config["MAX_PHOTO_BYTES"] + 1)
    if len(data) > current_app.config["MAX_PHOTO_BYTES"]:
        raise PhotoRejected(_l("Each photo may be at most 5 MB."))
    if not data:
        raise PhotoRejected(_l("The photo file is empty."))
    image = _read_image(data)
    content_type, ext = FORMATS[image.format]
    out = io.BytesIO()
    if image.format == "JPEG":
        image.convert("RGB").save(out, "JPEG", quality=85, optimize=True)
    else:
        image.save(out, image.format)
    stored_name = f"{secrets.token_hex(16)}.{ext}"
    folder = Path(current_app.config["UPLOAD_FOLDER"])
    folder.mkdir(parents=True, exist_ok=True)
    (folder / stored_name).write_bytes(out.getvalue())
    photo = StoredPhoto(
        stored_name=stored_name,
        content_type=content_type,
        size=out.tell(),
        width=image.width,
        height=image.height,
    )
    db.session.add(photo)
    return photo


def send_photo(photo):
    path = Path(current_app.config["UPLOAD_FOLDER"]) / photo.stored_name
    response = send_file(path, mimetype=photo.content_type, max_age=86400)
    response.headers["Content-Disposition"] = "inline"
    return response
