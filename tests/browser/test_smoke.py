import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

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


class _SlowBody(BaseHTTPRequestHandler):
    """Answers /slow with its headers at once and its body 0.8 s later: the navigation commits
    while the document is still empty, as a busy server's page does."""

    def log_message(self, *args):
        pass

    def do_GET(self):
        self.send_response(200)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.end_headers()
        if self.path == "/slow":
            self.wfile.flush()
            time.sleep(0.8)
            self.wfile.write(PAGE.format('<img src="data:image/gif;base64,R0lGODlhAQABAAAAACw=">').encode())
        else:
            self.wfile.write(PAGE.format('<a href="/slow">next</a>').encode())


def test_the_accessibility_check_waits_for_the_page_a_click_opened(phone):
    """A click returns once its navigation has committed; the check then runs on the new page
    when it has loaded (it failed with "Cannot read properties of null" on an empty document)."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), _SlowBody)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        phone.goto(f"http://127.0.0.1:{server.server_port}/")
        phone.get_by_role("link", name="next").click()
        with pytest.raises(AssertionError, match="image-alt"):  # the slow page's own violation
            assert_accessible(phone, "the page the link opened")
    finally:
        server.shutdown()
        server.server_close()
