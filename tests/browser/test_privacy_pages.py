"""Residents' rights over their data in a real browser, on a phone, without JavaScript help:
register with the consent box, read the notice, download one's data, delete the account.
axe-core runs on each page."""

import json

from app.extensions import db

from .helpers import assert_accessible, screenshot, seed_community

PASSWORD = "xinglin-chrysanthemum-7"


def test_register_download_and_delete_on_a_phone(live_app, live_server, phone):
    with live_app.app_context():
        seed_community([("committee", "居委会 周主任", "committee")])
        db.session.commit()
    url = live_server.url
    phone.goto(f"{url}/auth/register")
    phone.locator("input[name=username]").fill("13800000007")
    phone.locator("input[name=display_name]").fill("王阿姨")
    phone.locator("input[name=password]").fill(PASSWORD)
    phone.locator("input[name=confirm]").fill(PASSWORD)
    phone.locator("main input[type=submit]").click()
    phone.wait_for_load_state()
    assert "/auth/register" in phone.url and "请阅读隐私声明并勾选同意" in phone.content()  # not ticked
    assert phone.locator("input[name=display_name]").input_value() == "王阿姨"
    assert_accessible(phone, "register with the consent error")
    phone.locator("input[name=password]").fill(PASSWORD)
    phone.locator("input[name=confirm]").fill(PASSWORD)
    phone.get_by_label("我已阅读并同意隐私声明。").check()
    phone.locator("main input[type=submit]").click()
    phone.wait_for_load_state()
    assert "/auth/register" not in phone.url

    phone.goto(f"{url}/privacy/")
    assert "您于" in phone.content()  # agreed to this version, at registration
    screenshot(phone, "privacy-notice-phone")
    assert_accessible(phone, "privacy notice")

    phone.goto(f"{url}/auth/profile")
    phone.get_by_role("link", name="下载我的数据").click()
    assert_accessible(phone, "my data")
    screenshot(phone, "privacy-my-data-phone")
    with phone.expect_download() as download:
        phone.locator("main input[type=submit]").click()
    data = json.loads(open(download.value.path(), encoding="utf-8").read())
    assert data["profile"]["display_name"] == "王阿姨"

    phone.goto(f"{url}/privacy/delete-account")
    assert_accessible(phone, "delete my account")
    screenshot(phone, "privacy-delete-phone")
    phone.get_by_label("我明白此操作无法撤销。").check()
    phone.locator("input[name=password]").fill(PASSWORD)
    phone.locator("main input[type=submit]").click()
    phone.wait_for_load_state()
    assert "您的账号已注销" in phone.content() and "王阿姨" not in phone.content()
