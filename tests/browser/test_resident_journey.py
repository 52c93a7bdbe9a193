"""The resident journey on a phone (390x844), in Chinese, in real chromium:

register -> ask to join -> a committee member verifies (second browser context) -> propose a
micro-matter with a photo and submit it -> another resident supports, comments and follows ->
the proposer sees the notification in the inbox and replies -> the supporter sees the reply.
A couple of key pages are checked in English too; axe runs on every main page.
"""

import io
import re

from PIL import Image

from .helpers import COMMITTEE, assert_accessible, screenshot, seed_community, sign_in

TITLE = "3栋单元门口加装无障碍坡道"


def seed(app):
    """The community, its committee member and one verified neighbour (李叔)."""
    with app.app_context():
        seed_community([COMMITTEE, ("lishu", "李叔", "resident")], support_threshold_count=15)


def png(tmp_path):
    path = tmp_path / "steps.png"
    buffer = io.BytesIO()
    Image.new("RGB", (64, 48), (120, 120, 120)).save(buffer, "PNG")
    path.write_bytes(buffer.getvalue())
    return path


def submit_button(page, form_selector):
    return page.locator(f"{form_selector} [type=submit]").first


def test_resident_journey_on_a_phone(live_app, live_server, new_page, tmp_path):
    seed(live_app)
    url = live_server.url
    wang = new_page("phone")

    # 1. Register.
    wang.goto(f"{url}/auth/register")
    assert_accessible(wang, "register")
    wang.locator("input[name=username]").fill("wangayi")
    wang.locator("input[name=display_name]").fill("王阿姨")
    wang.locator("input[name=password]").fill("quiet-garden-2026")
    wang.locator("input[name=confirm]").fill("quiet-garden-2026")
    wang.locator("input[name=consent]").check()
    submit_button(wang, "main form").click()
    wang.wait_for_load_state()

    # 2. Ask to join the community.
    wang.goto(f"{url}/c/xinglin/")
    wang.locator("input[name=address]").fill("3栋2单元501室")
    submit_button(wang, "form[action$='/join']").click()
    wang.wait_for_load_state()
    assert "您的申请已提交给居委会" in wang.locator(".flash.success").inner_text()
    screenshot(wang, "journey-1-asked-to-join")
    assert_accessible(wang, "community home")

    # 3. The committee verifies her, in a second browser context.
    committee = new_page("desktop")
    sign_in(committee, live_server, "committee")
    committee.goto(f"{url}/c/xinglin/members")
    card = committee.locator("li.card", has_text="王阿姨")
    card.locator("button.primary").click()
    committee.wait_for_load_state()
    assert committee.locator("li.card", has_text="王阿姨").count() == 0
    assert_accessible(committee, "members")

    # 4. Propose a micro-matter with a photo and submit it.
    wang.goto(f"{url}/c/xinglin/")
    wang.get_by_role("link", name="提议微实事").first.click()
    wang.wait_for_url(re.compile(r"/matters/new$"))
    assert_accessible(wang, "new micro-matter form")
    wang.get_by_label("标题", exact=True).fill(TITLE)
    wang.get_by_label("说明", exact=True).fill(
        "单元门口有三级台阶，坐轮椅的邻居和推婴儿车的家长进出很困难。\n\n- 加装坡道\n- 两侧加扶手"
    )
    wang.get_by_label("类别", exact=True).select_option("accessibility")
    wang.get_by_label("地点", exact=True).fill("3栋2单元门口")
    wang.get_by_label("预计费用（元）", exact=True).fill("-100")
    wang.get_by_label("项目类型", exact=True).select_option("works")
    wang.locator("input[type=submit][name=save_submit]").click()
    wang.wait_for_load_state()
    # a negative cost comes back with a message, the text kept
    assert "预计费用必须大于零" in wang.content()
    assert wang.get_by_label("标题", exact=True).input_value() == TITLE
    screenshot(wang, "journey-2-form-error")
    wang.get_by_label("预计费用（元）", exact=True).fill("45,000")
    wang.locator("input[type=file][name=photos]").set_input_files(str(png(tmp_path)))
    wang.locator("input[type=submit][name=save_submit]").click()
    wang.wait_for_url(re.compile(r"/matters/\d+$"))
    matter_url = wang.url
    assert wang.locator("h1").inner_text() == TITLE
    assert "征集附议中" in wang.content() and "¥45,000" in wang.content()
    assert wang.locator("progress#support-progress").get_attribute("max") == "15"
    assert wang.locator(".photos img").count() == 1
    screenshot(wang, "journey-3-submitted")
    assert_accessible(wang, "micro-matter detail (proposer)")

    # 5. Another resident supports, comments and follows.
    li = new_page("phone")
    sign_in(li, live_server, "lishu")
    li.goto(f"{url}/c/xinglin/matters/")
    assert_accessible(li, "micro-matters list")
    li.get_by_role("link", name=TITLE).click()
    li.get_by_role("button", name="附议").click()
    li.wait_for_load_state()
    assert "感谢您的附议" in li.content()
    assert li.locator("progress#support-progress").get_attribute("value") == "1"
    li.get_by_label("赞成", exact=True).check()
    li.get_by_role("textbox", name="评论", exact=True).fill("早该装了，我母亲每天都要推轮椅出门。")
    li.locator("form.comment-form [type=submit]").click()
    li.wait_for_load_state()
    assert "评论已发表" in li.content()
    li.get_by_role("button", name="关注").click()
    li.wait_for_load_state()
    assert li.get_by_role("button", name="取消关注").count() == 1
    screenshot(li, "journey-4-supported-and-commented")
    assert_accessible(li, "micro-matter detail (supporter)")

    # 6. The proposer sees the notification in her inbox, and replies.
    wang.goto(f"{url}/")
    assert wang.locator("nav.account .badge").count() == 1
    wang.locator("header.site summary").click()  # the phone's menu (a <details> disclosure)
    wang.locator("nav.account").get_by_role("link", name=re.compile("^消息")).click()
    wang.wait_for_load_state()
    assert f"李叔 评论了“{TITLE}”" in wang.content()
    screenshot(wang, "journey-5-inbox")
    assert_accessible(wang, "inbox")
    wang.get_by_role("link", name=re.compile(f"李叔 评论了“{TITLE}”")).click()
    wang.wait_for_url(re.compile(r"/comments/\d+"))
    assert_accessible(wang, "comment page")
    wang.get_by_label("您的回复", exact=True).fill("谢谢李叔，我已经和居委会联系了。")
    wang.locator("form#reply [type=submit]").click()
    wang.wait_for_load_state()
    assert "回复已发表" in wang.content()

    # 7. The supporter hears about the reply.
    li.goto(f"{url}/inbox/")
    assert f"王阿姨 回复了您在“{TITLE}”下的评论" in li.content()

    # 8. Key pages in English.
    li.goto(f"{url}/c/xinglin/matters/?lang=en")
    assert li.locator("h1").inner_text() == "Micro-matters"
    assert "Collecting supports" in li.content()
    assert_accessible(li, "micro-matters list (English)")
    li.goto(matter_url)
    assert "Withdraw my support" in li.content() and "Estimated cost" in li.content()
    screenshot(li, "journey-6-detail-english")
    assert_accessible(li, "micro-matter detail (English)")
