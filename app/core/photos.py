"""Photos that come with a change (a micro-matter, a milestone, a progress update): the ones chosen
in the form, stored, and removed again when the change fails, so that no stored file outlives the
change that would have named it."""

from contextlib import contextmanager
from pathlib import Path

from flask import current_app
from flask_babel import lazy_gettext as _l

from .errors import FieldError
from .uploads import PhotoRejected, save_photo


def chosen(files):
    """File inputs left empty still send a part without a file name: ignore those."""
    return [f for f in (files or []) if f is not None and getattr(f, "filename", "")]


def save_all(files, uploader, written):
    """Store the photos (checked by their content) and return them; `written` collects their file
    names. A refused photo is a refusal on the form's "photos" field that names the file."""
    stored = []
    for upload in files:
        try:
            photo = save_photo(upload, uploader)
        except PhotoRejected as error:
            raise FieldError(
                "photos", _l("“%(name)s”: %(problem)s", name=Path(upload.filename).name[:80], problem=error)
            ) from error
        written.append(photo.stored_name)
        stored.append(photo)
    return stored


def forget(names):
    folder = Path(current_app.config["UPLOAD_FOLDER"])
    for name in names:
        (folder / name).unlink(missing_ok=True)


@contextmanager
def removed_on_failure():
    """`with removed_on_failure() as written:` the files named in `written` are removed when the
    block fails (its rows are rolled back by the service's rolls_back)."""
    written = []
    try:
        yield written
    except BaseException:
        forget(written)
        raise
