"""The micro-matter pages through the test client: forms, buttons, redirects, status codes."""

import re

from sqlalchemy import func, select

from app.extensions import db
from app.matters import services
from app.matters.lifecycle import Status
from app.matters.models import Comment, Follow, MicroMatter, Support
from tests.helpers import image_bytes, login, upload

from .helpers import THRESHOLD, fields

BASE = "/c/xinglin/matters"


def count(model):
    return db.session.scalar(select(func.count()).select_from(model))


def text(response):
    return response.get_data(as_text=True)


def test_list_and_detail_for_visitors(client, matter, residents):
    services.support(residents[0], matter)
    page = client.get(BASE + "/")
    assert page.status_code == 200
    assert matter.title in text(page)
    detail = client.get(f"{BASE}/{matter.id}")
    body = text(detail)
    assert detail.status_code == 200
    assert '<progress id="support-progress" max="3" value="1">' in body
    assert "1 / 3" in body and "¥12,000" in body
    assert "<strong>坐轮椅</strong>" in body  # the Markdown, rendered
    assert "王阿姨" in body  # the proposer's display name
    assert "/support" not in body  # no buttons for visitors, a log-in link instead
    assert "/auth/login?next=" in body


def test_propose_save_draft_then_submit(client, proposer, community):
    login(client, proposer)
    assert client.get(BASE + "/new").status_code == 200
    response = client.post(BASE + "/new", data=fields(save="1"))
    assert response.status_code == 302
    matter = db.session.scalars(select(MicroMatter)).one()
    assert response.headers["Location"].endswith(f"{BASE}/{matter.id}")
    assert matter.status == Status.DRAFT
    page = text(client.get(f"{BASE}/{matter.id}"))
    assert f"{BASE}/{matter.id}/submit" in page and f"{BASE}/{matter.id}/edit" in page
    client.post(f"{BASE}/{matter.id}/submit")
    db.session.refresh(matter)
    assert matter.status == Status.COLLECTING


def test_propose_and_submit_in_one_go_with_photos(client, proposer, community, app):
    login(client, proposer)
    data = fields(save_submit="1")
    data["photos"] = [
        (__import__("io").BytesIO(image_bytes("PNG")), "a.png"),
        (__import__("io").BytesIO(image_bytes("JPEG")), "b.jpg"),
        (__import__("io").BytesIO(image_bytes("WEBP")), "c.webp"),
    ]
    response = client.post(BASE + "/new", data=data, content_type="multipart/form-data")
    assert response.status_code == 302, text(response)
    matter = db.session.scalars(select(MicroMatter)).one()
    assert matter.status == Status.COLLECTING
    assert [link.photo.content_type for link in matter.photos] == ["image/png", "image/jpeg", "image/webp"]
    photo = client.get(f"{BASE}/{matter.id}/photos/{matter.photos[0].id}")
    assert photo.status_code == 200 and photo.mimetype == "image/png"
    assert photo.data[:8] == b"\x89PNG\r\n\x1a\n"


def test_edit_page_only_for_the_proposer(client, matter, residents, proposer):
    login(client, residents[0])
    assert client.get(f"{BASE}/{matter.id}/edit").status_code == 403
    assert client.post(f"{BASE}/{matter.id}/edit", data=fields(title="篡改")).status_code == 403
    client.post("/auth/logout")
    login(client, proposer)
    form = text(client.get(f"{BASE}/{matter.id}/edit"))
    assert 'value="12000"' in form and "5栋门口加装无障碍坡道" in form
    response = client.post(f"{BASE}/{matter.id}/edit", data=fields(title="5栋和6栋门口加装坡道", save="1"))
    assert response.status_code == 302
    db.session.refresh(matter)
    assert matter.title == "5栋和6栋门口加装坡道"


def test_remove_a_photo_when_editing(client, proposer, community, app):
    matter = services.create_matter(
        proposer, community, photos=[upload(image_bytes()), upload(image_bytes())], **fields()
    )
    keep, drop = [link.id for link in matter.photos]
    login(client, proposer)
    response = client.post(f"{BASE}/{matter.id}/edit", data={**fields(), "save": "1", "remove_photo": [str(drop)]})
    assert response.status_code == 302
    db.session.expire_all()
    assert [link.id for link in matter.photos] == [keep]
    assert client.get(f"{BASE}/{matter.id}/photos/{drop}").status_code == 404


def test_support_withdraw_follow_through_buttons(client, matter, residents):
    login(client, residents[0])
    page = text(client.get(f"{BASE}/{matter.id}"))
    assert f"{BASE}/{matter.id}/support" in page and f"{BASE}/{matter.id}/follow" in page
    response = client.post(f"{BASE}/{matter.id}/support", follow_redirects=True)
    assert "感谢您的附议" in text(response) or "Thank you" in text(response)
    assert count(Support) == 1
    # double click: a friendly message, still one support, never a 500
    again = client.post(f"{BASE}/{matter.id}/support", follow_redirects=True)
    assert again.status_code == 200 and count(Support) == 1
    assert 'class="flash error"' in text(again)
    page = text(client.get(f"{BASE}/{matter.id}"))
    assert f"{BASE}/{matter.id}/unsupport" in page
    # cannot be taken back by accident: without the tick the page comes back and the support stays
    refused = client.post(f"{BASE}/{matter.id}/unsupport")
    assert refused.status_code == 400 and count(Support) == 1
    assert 'id="unsupport-understood-error"' in text(refused) and '<details class="danger-zone" open>' in text(refused)
    client.post(f"{BASE}/{matter.id}/unsupport", data={"unsupport-understood": "y"})
    assert count(Support) == 0
    client.post(f"{BASE}/{matter.id}/follow")
    assert count(Follow) == 1
    client.post(f"{BASE}/{matter.id}/unfollow")
    assert count(Follow) == 0


def test_threshold_reached_through_the_pages(client, matter, residents):
    for user in residents[:THRESHOLD]:
        login(client, user)
        page = text(client.post(f"{BASE}/{matter.id}/support", follow_redirects=True))
        client.post("/auth/logout")
    assert "附议人数已达标，这件微实事将进入审核" in page
    db.session.refresh(matter)
    assert matter.status == Status.UNDER_REVIEW and matter.support_count == THRESHOLD
    page = text(client.get(f"{BASE}/{matter.id}"))
    assert "审核中" in page and "附议人数已达标" in page and f"附议 {THRESHOLD} 人" in page
    assert f"{BASE}/{matter.id}/support" not in page and f"{BASE}/{matter.id}/unsupport" not in page


def test_withdraw_by_proposer_through_button(client, matter, proposer, residents):
    login(client, residents[0])
    client.post(f"{BASE}/{matter.id}/withdraw", data={"withdraw-understood": "y"}, follow_redirects=True)
    db.session.refresh(matter)
    assert matter.status == Status.COLLECTING
    client.post("/auth/logout")
    login(client, proposer)
    page = text(client.get(f"{BASE}/{matter.id}"))
    assert "cannot be submitted again" in page or "不能再提交" in page  # the page says what happens
    refused = client.post(f"{BASE}/{matter.id}/withdraw")
    assert refused.status_code == 400 and 'id="withdraw-understood-error"' in text(refused)
    db.session.refresh(matter)
    assert matter.status == Status.COLLECTING
    client.post(f"{BASE}/{matter.id}/withdraw", data={"withdraw-understood": "y"})
    db.session.refresh(matter)
    assert matter.status == Status.WITHDRAWN
    # an illegal transition is a clear message, not an error page
    response = client.post(f"{BASE}/{matter.id}/submit", follow_redirects=True)
    assert response.status_code == 200
    assert "flash error" in text(response)


def test_comment_reply_hide_through_forms(client, matter, residents, proposer, committee):
    login(client, residents[0])
    response = client.post(f"{BASE}/{matter.id}/comments", data={"stance": "support", "body": "早该装了！"})
    assert response.status_code == 302
    comment = db.session.scalars(select(Comment)).one()
    assert response.headers["Location"].endswith(f"#comment-{comment.id}")
    page = text(client.get(f"{BASE}/{matter.id}"))
    assert "早该装了！" in page and f"/comments/{comment.id}#reply" not in page
    client.post("/auth/logout")

    login(client, proposer)
    page = text(client.get(f"{BASE}/{matter.id}"))
    assert f"/comments/{comment.id}#reply" in page  # the reply link leads to the comment's page
    comment_page = text(client.get(f"{BASE}/{matter.id}/comments/{comment.id}"))
    assert 'id="reply"' in comment_page and "早该装了！" in comment_page
    response = client.post(f"{BASE}/{matter.id}/comments/{comment.id}/reply", data={"body": "谢谢支持"})
    assert response.status_code == 302
    assert [r.body for r in comment.replies] == ["谢谢支持"]
    assert f"/comments/{comment.id}#moderate" not in page
    # a reply's own address leads to its comment's page
    answer = comment.replies[0]
    response = client.get(f"{BASE}/{matter.id}/comments/{answer.id}")
    assert response.status_code == 302 and response.headers["Location"].endswith(
        f"/comments/{comment.id}#comment-{answer.id}"
    )
    client.post("/auth/logout")

    login(client, committee)
    assert f"/comments/{comment.id}#moderate" in text(client.get(f"{BASE}/{matter.id}"))
    response = client.post(
        f"{BASE}/{matter.id}/comments/{comment.id}/hide", data={f"hide-{comment.id}-reason": "含有个人电话号码"}
    )
    assert response.status_code == 302
    page = text(client.get(f"{BASE}/{matter.id}"))
    assert "含有个人电话号码" in page and "早该装了！" not in page
    assert "早该装了！" not in text(client.get(f"{BASE}/{matter.id}/comments/{comment.id}"))


def test_long_comments_are_shortened_in_the_list(client, matter, residents):
    long_text = "开头" + "很长的意见" * 100 + "结尾"
    comment = services.add_comment(residents[0], matter, "neutral", long_text)
    page = text(client.get(f"{BASE}/{matter.id}"))
    assert "开头" in page and "结尾" not in page
    assert f'href="{BASE}/{matter.id}/comments/{comment.id}"' in page
    assert "结尾" in text(client.get(f"{BASE}/{matter.id}/comments/{comment.id}"))


def test_comments_filtered_by_stance(client, matter, residents):
    services.add_comment(residents[0], matter, "support", "赞成的意见")
    services.add_comment(residents[1], matter, "oppose", "反对的意见")
    grouped = text(client.get(f"{BASE}/{matter.id}"))
    assert "赞成的意见" in grouped and "反对的意见" in grouped
    only = text(client.get(f"{BASE}/{matter.id}?stance=oppose"))
    assert "反对的意见" in only and "赞成的意见" not in only
    assert client.get(f"{BASE}/{matter.id}?stance=bogus").status_code == 200


def test_list_filters_search_sort_and_pages(client, proposer, community, new_matter):
    for i in range(12):
        new_matter(
            title=f"第{i:02d}号 座椅" if i % 2 else f"第{i:02d}号 路灯", category="elderly" if i % 2 else "safety"
        )
    body = text(client.get(BASE + "/?q=座椅&category=elderly&sort=supported"))
    assert body.count('class="card matter-card"') == 6
    assert "路灯" not in body
    first = text(client.get(BASE + "/"))
    assert first.count('class="card matter-card"') == 10 and 'rel="next"' in first
    second = text(client.get(BASE + "/?page=2"))
    assert second.count('class="card matter-card"') == 2
    for junk in ("?page=abc", "?page=-3", "?page=999999", "?status=<x>", "?sort=drop", "?q=" + "字" * 500):
        assert client.get(BASE + "/" + junk).status_code == 200


def test_my_micro_matters_includes_my_drafts(client, proposer, new_matter):
    new_matter(submit=False, title="我的草稿")
    login(client, proposer)
    assert "我的草稿" in text(client.get(BASE + "/?mine=1"))


def test_anonymous_actions_go_to_login(client, matter):
    for action in ("support", "follow", "withdraw", "submit"):
        response = client.post(f"{BASE}/{matter.id}/{action}")
        assert response.status_code == 302 and "/auth/login" in response.headers["Location"]
    assert "/auth/login" in client.get(BASE + "/new").headers["Location"]
    assert count(Support) == 0


def test_drafts_are_private(client, new_matter, residents, committee, proposer):
    draft = new_matter(submit=False, photos=[upload(image_bytes())])
    photo_id = draft.photos[0].id
    assert client.get(f"{BASE}/{draft.id}").status_code == 404
    assert client.get(f"{BASE}/{draft.id}/photos/{photo_id}").status_code == 404
    login(client, residents[0])
    assert client.get(f"{BASE}/{draft.id}").status_code == 404
    assert client.post(f"{BASE}/{draft.id}/follow").status_code == 404
    client.post("/auth/logout")
    login(client, committee)
    assert client.get(f"{BASE}/{draft.id}").status_code == 200
    client.post("/auth/logout")
    login(client, proposer)
    response = client.get(f"{BASE}/{draft.id}/photos/{photo_id}")
    assert response.status_code == 200 and "private" in response.headers["Cache-Control"]


def test_ids_from_another_community_are_not_found(client, make, matter, residents):
    other = make.community(slug="other-place")
    stranger = make.member(other)
    foreign = services.create_matter(stranger, other, submit=True, **fields())
    login(client, residents[0])
    assert client.get(f"{BASE}/{foreign.id}").status_code == 404
    assert client.post(f"{BASE}/{foreign.id}/support").status_code == 404
    comment = services.add_comment(residents[0], matter, "support", "好")
    assert (
        client.post(f"/c/other-place/matters/{foreign.id}/comments/{comment.id}/reply", data={"body": "x"}).status_code
        == 404
    )
    assert client.get(f"{BASE}/{foreign.id}/comments/{comment.id}").status_code == 404
    assert client.get(f"{BASE}/{matter.id}/comments/99999").status_code == 404
    assert client.get(f"{BASE}/{matter.id}/photos/1").status_code == 404
    for bad in ("99999999999999", "0", "abc", "-1"):
        assert client.get(f"{BASE}/{bad}").status_code == 404
    assert client.get("/c/no-such-place/matters/").status_code == 404
    assert count(Support) == 0


def test_page_links_are_stable(client, matter):
    body = text(client.get(f"{BASE}/{matter.id}"))
    assert re.search(r'href="/c/xinglin/matters/\?category=accessibility"', body)
