"""Photos chosen in the proposal form are kept (for their owner only) when the form comes back
with an error, attached when it is saved, and forgotten when they expire."""

import io
import re
from datetime import timedelta
from pathlib import Path

from freezegun import freeze_time
from sqlalchemy import func, select

from app.core import clock
from app.core.uploads import StoredPhoto
from app.extensions import db
from app.matters import services
from app.matters.models import MicroMatter, PendingPhoto
from tests.helpers import image_bytes, login

from .helpers import fields

BASE = "/c/xinglin/matters"


def count(model):
    return db.session.scalar(select(func.count()).select_from(model))


def text(response):
    return response.get_data(as_text=True)


def photo_part(fmt="PNG", name="a.png"):
    return (io.BytesIO(image_bytes(fmt)), name)


def kept_ids(page):
    return re.findall(r'name="pending_photo" value="(\d+)"', page)


def post_new(client, data):
    return client.post(BASE + "/new", data=data, content_type="multipart/form-data")


def test_photo_kept_across_an_error_and_attached_on_success(client, proposer, community, app):
    login(client, proposer)
    response = post_new(client, {**fields(title=""), "save": "1", "photos": [photo_part()]})
    assert response.status_code == 400
    page = text(response)
    assert "Please give a title." in page or "请填写标题" in page or 'aria-invalid="true"' in page
    ids = kept_ids(page)
    assert len(ids) == 1 and count(PendingPhoto) == 1
    assert f"{BASE}/pending-photos/{ids[0]}" in page  # a thumbnail of the kept photo
    thumb = client.get(f"{BASE}/pending-photos/{ids[0]}")
    assert thumb.status_code == 200 and thumb.mimetype == "image/png"
    assert "no-store" in thumb.headers["Cache-Control"] and "private" in thumb.headers["Cache-Control"]

    # a second error (bad cost) with one more photo: both kept
    response = post_new(
        client, {**fields(estimated_cost="很多"), "save": "1", "pending_photo": ids, "photos": [photo_part("JPEG")]}
    )
    assert response.status_code == 400
    ids = kept_ids(text(response))
    assert len(ids) == 2

    response = post_new(client, {**fields(), "save": "1", "pending_photo": ids})
    assert response.status_code == 302, text(response)
    matter = db.session.scalars(select(MicroMatter)).one()
    assert [link.photo.content_type for link in matter.photos] == ["image/png", "image/jpeg"]
    assert count(PendingPhoto) == 0
    assert client.get(f"{BASE}/{matter.id}/photos/{matter.photos[0].id}").status_code == 200


def test_a_kept_photo_can_be_removed_before_saving(client, proposer, community, app):
    login(client, proposer)
    page = text(post_new(client, {**fields(title=""), "save": "1", "photos": [photo_part(), photo_part()]}))
    first, second = kept_ids(page)
    stored = db.session.get(PendingPhoto, int(first)).photo.stored_name
    response = post_new(client, {**fields(), "save": "1", "pending_photo": [first, second], "drop_photo": [first]})
    assert response.status_code == 302
    matter = db.session.scalars(select(MicroMatter)).one()
    assert len(matter.photos) == 1
    assert count(PendingPhoto) == 0 and count(StoredPhoto) == 1
    assert not (Path(app.config["UPLOAD_FOLDER"]) / stored).exists()


def test_kept_photos_are_never_visible_or_usable_by_someone_else(client, proposer, residents, community):
    login(client, proposer)
    (kept,) = kept_ids(text(post_new(client, {**fields(title=""), "save": "1", "photos": [photo_part()]})))
    client.post("/auth/logout")
    assert client.get(f"{BASE}/pending-photos/{kept}").status_code in (302, 401)  # not logged in: log in first
    login(client, residents[0])
    assert client.get(f"{BASE}/pending-photos/{kept}").status_code == 404
    # sending someone else's kept photo id attaches nothing
    response = post_new(client, {**fields(), "save": "1", "pending_photo": [kept]})
    assert response.status_code == 302
    matter = db.session.scalars(select(MicroMatter)).one()
    assert matter.photos == []
    assert count(PendingPhoto) == 1
    # nor does the form of another person show it
    assert f"pending-photos/{kept}" not in text(client.get(BASE + "/new"))


def test_a_refused_photo_is_said_on_the_form_and_the_others_stay_kept(client, proposer, community):
    login(client, proposer)
    (kept,) = kept_ids(text(post_new(client, {**fields(title=""), "save": "1", "photos": [photo_part()]})))
    response = post_new(
        client,
        {**fields(), "save": "1", "pending_photo": [kept], "photos": [(io.BytesIO(b"not an image"), "x.png")]},
    )
    assert response.status_code == 400
    page = text(response)
    assert "x.png" in page
    assert kept_ids(page) == [kept]
    assert count(MicroMatter) == 0


def test_photos_kept_when_editing_come_back_and_are_attached(client, proposer, community):
    matter = services.create_matter(proposer, community, **fields())
    login(client, proposer)
    url = f"{BASE}/{matter.id}/edit"
    response = client.post(
        url, data={**fields(title=""), "save": "1", "photos": [photo_part()]}, content_type="multipart/form-data"
    )
    assert response.status_code == 400
    ids = kept_ids(text(response))
    assert len(ids) == 1
    # the form of a new proposal does not take the edit's photos
    post_new(client, {**fields(), "save": "1", "pending_photo": ids})
    assert count(PendingPhoto) == 1
    response = client.post(url, data={**fields(), "save": "1", "pending_photo": ids})
    assert response.status_code == 302
    db.session.expire_all()
    assert len(matter.photos) == 1 and count(PendingPhoto) == 0


def test_expired_photos_are_forgotten_by_the_cli_and_the_worker(client, proposer, community, app):
    login(client, proposer)
    post_new(client, {**fields(title=""), "save": "1", "photos": [photo_part()]})
    row = db.session.scalars(select(PendingPhoto)).one()
    path = Path(app.config["UPLOAD_FOLDER"]) / row.photo.stored_name
    assert path.exists()
    runner = app.test_cli_runner()
    result = runner.invoke(args=["matters", "forget-photos"])
    assert "forgot 0" in result.output and count(PendingPhoto) == 1  # not expired yet
    row.expires_at = clock.utcnow() - timedelta(minutes=1)
    db.session.commit()
    assert client.get(f"{BASE}/pending-photos/{row.id}").status_code == 404  # expired: gone for its owner too
    result = runner.invoke(args=["matters", "forget-photos"])
    assert "forgot 1" in result.output, result.output
    assert count(PendingPhoto) == 0 and count(StoredPhoto) == 0 and not path.exists()

    post_new(client, {**fields(title=""), "save": "1", "photos": [photo_part()]})
    row = db.session.scalars(select(PendingPhoto)).one()
    with freeze_time(row.expires_at + timedelta(hours=1)):
        result = runner.invoke(args=["outbox", "work", "--rounds", "1", "--every", "0"])
    assert result.exit_code == 0, result.output
    assert count(PendingPhoto) == 0 and count(StoredPhoto) == 0
