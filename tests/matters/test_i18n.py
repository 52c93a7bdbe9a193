"""The micro-matter pages in Chinese (default) and English (?lang=en, remembered)."""

from tests.helpers import login

BASE = "/c/xinglin/matters"


def text(response):
    return response.get_data(as_text=True)


def test_default_is_chinese(client, matter, residents):
    listing = text(client.get(BASE + "/"))
    assert "微实事" in listing and "征集附议中" in listing and "最新优先" in listing
    detail = text(client.get(f"{BASE}/{matter.id}"))
    assert "还差 3 人" in detail and "达到 3 人即进入审核" in detail and "工程类" in detail and "¥12,000" in detail
    assert 'lang="zh-Hans"' in detail


def test_english_with_lang_and_it_sticks(client, matter, residents):
    listing = text(client.get(BASE + "/?lang=en"))
    assert "Micro-matters" in listing and "Collecting supports" in listing and "Newest first" in listing
    detail = text(client.get(f"{BASE}/{matter.id}"))  # no ?lang= any more: remembered for the session
    assert "Estimated cost" in detail and "Works (工程)" in detail and "Accessibility" in detail
    assert "CN¥12,000" in detail or "¥12,000" in detail
    assert 'lang="en"' in detail and "进入审核" not in detail


def test_forms_and_messages_in_both_languages(client, matter, proposer, residents):
    login(client, residents[0])
    page = text(client.post(f"{BASE}/{matter.id}/support", follow_redirects=True))
    assert "感谢您的附议" in page and "您已附议" in page
    client.get(BASE + "/?lang=en")
    page = text(client.post(f"{BASE}/{matter.id}/support", follow_redirects=True))
    assert "You have already supported this micro-matter." in page
    form = text(client.get(BASE + "/new"))
    assert "Estimated cost (yuan)" in form and "Save as draft" in form


def test_notifications_are_translated_when_shown(client, matter, proposer, residents):
    from app.matters import services

    services.add_comment(residents[0], matter, "support", "支持")
    login(client, proposer)
    inbox = text(client.get("/inbox/"))
    assert "评论了“5栋门口加装无障碍坡道”" in inbox
    inbox = text(client.get("/inbox/?lang=en"))
    assert "commented on “5栋门口加装无障碍坡道”" in inbox
