from .helpers import assert_accessible, screenshot


def test_front_page_in_chromium(live_server, phone):
    phone.goto(live_server.url + "/")
    assert phone.locator("h1").count() == 1
    screenshot(phone, "front-page-phone")
    assert_accessible(phone, "front page")
