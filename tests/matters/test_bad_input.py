"""Bad input on every form: a clear message, the user's text kept, status 400, nothing written."""

import io

import pytest
from sqlalchemy import func, select

from app.audit.models import AuditEntry
from app.core.uploads import StoredPhoto
from app.extensions import db
from app.matters import services
from app.matters.models import Comment, MatterPhoto, MicroMatter
from tests.helpers import image_bytes, login, upload

from .helpers import fields

BASE = "/c/xinglin/matters"


def count(model):
    return db.session.scalar(select(func.count()).select_from(model))


def text(response):
    return response.get_data(as_text=True)


def uploads_on_disk(app):
    from pathlib import Path

    folder = Path(app.config["UPLOAD_FOLDER"])
    return sorted(p.name for p in folder.iterdir()) if folder.exists() else []


@pytest.fixture
def as_proposer(client, proposer, community):
    login(client, proposer)
    return client


@pytest.mark.parametrize(
    "changes,message",
    [
        ({"title": ""}, "请填写标题"),
        ({"title": "长" * 81}, "80"),
        ({"description": ""}, "请描述"),
        ({"description": "字" * 5001}, "5000"),
        ({"location": ""}, "地点"),
        ({"estimated_cost": "-300"}, "大于零"),
        ({"estimated_cost": "0"}, "大于零"),
        ({"estimated_cost": "99999999999"}, "5,000,000"),
        ({"estimated_cost": "abc"}, "整数"),
        ({"category": "casino"}, "不是有效的选择"),
        ({"project_type": "loan"}, "不是有效的选择"),
    ],
)
def test_new_form_comes_back_with_text_kept(as_proposer, changes, message):
    data = fields(**changes, save="1")
    data["description"] = data["description"] if "description" in changes else "我写的很长的说明，不能丢。"
    response = as_proposer.post(BASE + "/new", data=data)
    body = text(response)
    assert response.status_code == 400
    assert message in body and 'aria-invalid="true"' in body
    if "description" not in changes:
        assert "我写的很长的说明，不能丢。" in body  # the text the user typed is still there
    assert count(MicroMatter) == 0


def test_english_messages_with_lang_en(as_proposer):
    as_proposer.get(BASE + "/?lang=en")
    body = text(as_proposer.post(BASE + "/new", data=fields(estimated_cost="-5", save="1")))
    assert "The estimated cost must be more than zero." in body


def test_text_file_disguised_as_jpeg_is_refused(as_proposer, app):
    data = fields(save="1")
    data["photos"] = [(io.BytesIO(b"just some text, not a photo\n" * 20), "photo.jpg", "image/jpeg")]
    response = as_proposer.post(BASE + "/new", data=data, content_type="multipart/form-data")
    body = text(response)
    assert response.status_code == 400
    assert "photo.jpg" in body and "JPEG" in body
    assert fields()["title"] in body
    assert count(MicroMatter) == 0 and count(StoredPhoto) == 0 and count(MatterPhoto) == 0
    assert uploads_on_disk(app) == []


def test_one_bad_photo_among_good_ones_leaves_nothing_behind(as_proposer, app):
    data = fields(save="1")
    data["photos"] = [
        (io.BytesIO(image_bytes("PNG")), "good.png"),
        (io.BytesIO(image_bytes("JPEG")), "good.jpg"),
        (io.BytesIO(b"%PDF-1.4 not an image"), "scan.png"),
    ]
    response = as_proposer.post(BASE + "/new", data=data, content_type="multipart/form-data")
    assert response.status_code == 400 and "scan.png" in text(response)
    assert count(MicroMatter) == 0 and count(StoredPhoto) == 0
    assert uploads_on_disk(app) == []  # the two good photos written first were removed again


def test_oversized_photo_is_refused(as_proposer, app):
    big = image_bytes("PNG") + b"\0" * (5 * 1024 * 1024)
    data = fields(save="1")
    data["photos"] = [(io.BytesIO(big), "huge.png")]
    response = as_proposer.post(BASE + "/new", data=data, content_type="multipart/form-data")
    assert response.status_code == 400 and "5 MB" in text(response)
    assert count(MicroMatter) == 0 and uploads_on_disk(app) == []


def test_too_many_photos(as_proposer):
    data = fields(save="1")
    data["photos"] = [(io.BytesIO(image_bytes()), f"p{i}.png") for i in range(6)]
    response = as_proposer.post(BASE + "/new", data=data, content_type="multipart/form-data")
    assert response.status_code == 400 and "5" in text(response)
    assert count(MicroMatter) == 0


def test_request_larger_than_allowed_is_413(as_proposer, app):
    app.config["MAX_CONTENT_LENGTH"] = 1024
    data = fields(save="1")
    data["photos"] = [(io.BytesIO(b"x" * 4096), "a.png")]
    response = as_proposer.post(BASE + "/new", data=data, content_type="multipart/form-data")
    assert response.status_code == 413
    assert count(MicroMatter) == 0


def test_edit_with_bad_photo_keeps_the_matter_unchanged(client, proposer, community, app):
    matter = services.create_matter(proposer, community, photos=[upload(image_bytes())], **fields())
    before_files = uploads_on_disk(app)
    login(client, proposer)
    data = {
        **fields(title="改过的标题", save="1"),
        "remove_photo": [str(matter.photos[0].id)],
        "photos": [(io.BytesIO(b"GIF89a not really"), "x.gif")],
    }
    response = client.post(f"{BASE}/{matter.id}/edit", data=data, content_type="multipart/form-data")
    assert response.status_code == 400 and "改过的标题" in text(response)
    db.session.expire_all()
    assert matter.title == fields()["title"] and len(matter.photos) == 1
    assert uploads_on_disk(app) == before_files


def test_new_page_for_people_who_may_not_propose(client, outsider, pending, community):
    for user in (outsider, pending):
        login(client, user)
        response = client.get(BASE + "/new")
        assert response.status_code == 403
        assert client.post(BASE + "/new", data=fields(save="1")).status_code == 403
        client.post("/auth/logout")
    assert count(MicroMatter) == 0


def test_bad_comments(client, matter, residents, outsider):
    login(client, residents[0])
    response = client.post(f"{BASE}/{matter.id}/comments", data={"stance": "support", "body": "   "})
    assert response.status_code == 400
    response = client.post(f"{BASE}/{matter.id}/comments", data={"stance": "maybe", "body": "我的意见很重要"})
    assert response.status_code == 400 and "我的意见很重要" in text(response)
    response = client.post(f"{BASE}/{matter.id}/comments", data={"stance": "oppose", "body": "长" * 2001})
    assert response.status_code == 400
    client.post("/auth/logout")
    login(client, outsider)
    assert client.post(f"{BASE}/{matter.id}/comments", data={"stance": "support", "body": "x"}).status_code == 403
    assert count(Comment) == 0


def test_bad_replies_and_hides(client, matter, residents, proposer, committee):
    comment = services.add_comment(residents[0], matter, "support", "原评论")
    login(client, residents[1])
    url = f"{BASE}/{matter.id}/comments/{comment.id}"
    assert client.post(url + "/reply", data={"body": "x"}).status_code == 403
    assert client.post(url + "/hide", data={f"hide-{comment.id}-reason": "x"}).status_code == 403
    client.post("/auth/logout")
    login(client, proposer)
    response = client.post(url + "/reply", data={"body": ""})
    assert response.status_code == 400 and 'id="reply"' in text(response) and 'aria-invalid="true"' in text(response)
    client.post("/auth/logout")
    login(client, committee)
    response = client.post(url + "/hide", data={f"hide-{comment.id}-reason": ""})
    assert response.status_code == 400 and '<details class="moderate" open>' in text(response)
    assert client.post(f"{BASE}/{matter.id}/comments/999/hide", data={}).status_code == 404
    db.session.refresh(comment)
    assert not comment.is_hidden and comment.replies == []
    assert count(Comment) == 1


def test_actions_on_the_wrong_status_are_messages(client, proposer, new_matter, residents):
    draft = new_matter(submit=False)
    login(client, proposer)
    response = client.post(f"{BASE}/{draft.id}/support", follow_redirects=True)
    assert response.status_code == 200 and "flash error" in text(response)
    response = client.post(f"{BASE}/{draft.id}/unsupport", data={"unsupport-understood": "y"}, follow_redirects=True)
    assert response.status_code == 200 and "flash error" in text(response)
    entries = db.session.scalar(select(func.count(AuditEntry.id)).where(AuditEntry.action.like("matter.support%")))
    assert entries == 0


def test_csrf_is_checked_on_every_post(app, matter, residents):
    app.config["WTF_CSRF_ENABLED"] = True
    client = app.test_client()
    app.config["WTF_CSRF_ENABLED"] = False
    login(client, residents[0])
    app.config["WTF_CSRF_ENABLED"] = True
    assert client.post(f"{BASE}/{matter.id}/support").status_code == 400
    assert client.post(f"{BASE}/{matter.id}/comments", data={"stance": "support", "body": "x"}).status_code == 400
    assert matter.support_count == 0 and count(Comment) == 0
