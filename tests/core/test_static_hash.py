"""A static file's content hash in its URL (app/core/static.py): read once per file and process
where the app does not reload what it serves; in development an edited file gets a new URL at once.
base.html's links to static files (static_url) are made once per process too: the same links
url_for makes."""

import pytest
from flask import render_template_string

from app.core import static as static_files


@pytest.fixture
def stylesheet(app, tmp_path, monkeypatch):
    static = tmp_path / "static"
    static.mkdir()
    (static / "style.css").write_text("body{color:red}")
    monkeypatch.setattr(app, "static_folder", str(static))
    monkeypatch.setattr(app, "testing", False)
    monkeypatch.setitem(app.config, "TEMPLATES_AUTO_RELOAD", None)
    monkeypatch.setattr(static_files, "_kept", {})
    monkeypatch.setattr(static_files, "_links", {})
    return static / "style.css"


def _links(app, stylesheet, reloads):
    with app.test_request_context():
        first = app.url_for("static", filename="style.css")
        stylesheet.write_text("body{color:blue}")
        app.config["TEMPLATES_AUTO_RELOAD"] = reloads
        second = app.url_for("static", filename="style.css")
    return first, second


def test_a_served_app_reads_each_files_hash_once(app, client, stylesheet):
    assert not app.debug
    first, second = _links(app, stylesheet, None)
    assert "?v=" in first and second == first  # not read again: a release restarts the processes
    stylesheet.unlink()
    with app.test_request_context():
        assert app.url_for("static", filename="style.css") == first
    assert client.get("/").status_code == 200


def test_in_development_an_edited_file_gets_a_new_url(app, stylesheet):
    first, second = _links(app, stylesheet, True)
    assert "?v=" in second and second != first


def test_a_missing_file_is_linked_once_it_is_there(app, stylesheet):
    with app.test_request_context():
        assert "?v=" not in app.url_for("static", filename="late.js")
        (stylesheet.parent / "late.js").write_text("1")
        assert "?v=" in app.url_for("static", filename="late.js")


def _page_link(app, filename, base_url="http://localhost/"):
    """(the link base.html shows, the one url_for makes)"""
    with app.test_request_context(base_url=base_url):
        made = render_template_string("{{ static_url(name) }}", name=filename)
        return made, app.url_for("static", filename=filename)


def test_the_pages_links_are_url_fors(app, stylesheet):
    for filename in ("style.css", "favicon.svg", "manifest.webmanifest"):
        made, expected = _page_link(app, filename)
        assert made == expected
    assert "?v=" in _page_link(app, "style.css")[0]
    made, expected = _page_link(app, "style.css", "http://localhost/weiyi/")
    assert made == expected and made.startswith("/weiyi/static/style.css?v=")


def test_the_pages_links_are_kept_while_served_and_made_again_in_development(app, stylesheet):
    first = _page_link(app, "style.css")[0]
    stylesheet.write_text("body{color:blue}")
    assert _page_link(app, "style.css")[0] == first  # a release restarts the processes
    app.config["TEMPLATES_AUTO_RELOAD"] = True
    edited, expected = _page_link(app, "style.css")
    assert edited == expected and edited != first


def test_a_page_links_a_missing_file_with_its_hash_once_it_is_there(app, stylesheet):
    assert "?v=" not in _page_link(app, "late.js")[0]
    (stylesheet.parent / "late.js").write_text("1")
    assert "?v=" in _page_link(app, "late.js")[0]
