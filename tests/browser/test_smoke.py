import pytest

from .helpers import assert_accessible, screenshot


def test_front_page_in_chromium(live_server, phone):
    phone.goto(live_server.url + "/")
    assert phone.locator("h1").count() == 1
    screenshot(phone, "front-page-phone")
    assert_accessible(phone, "front page")


PAGE = '<!doctype html><html lang="en"><head><title>t</title></head><body><main><h1>Title</h1>{}</main></body></html>'


def test_the_accessibility_check_fails_on_serious_violations_only(phone):
    """`assert_accessible` leaves out the rules axe rates minor or moderate: a moderate violation
    (as a full axe run rates it) passes, a critical one still fails."""
    phone.set_content(PAGE.format("<h4>Two levels down</h4>"))
    assert_accessible(phone, "a moderate violation")
    everything = phone.evaluate("() => axe.run({resultTypes: ['violations']})")
    assert {v["id"]: v["impact"] for v in everything["violations"]} == {"heading-order": "moderate"}
    phone.set_content(PAGE.format('<img src="data:image/gif;base64,R0lGODlhAQABAAAAACw=">'))
    with pytest.raises(AssertionError, match="image-alt"):
        assert_accessible(phone, "an image without a text alternative")
