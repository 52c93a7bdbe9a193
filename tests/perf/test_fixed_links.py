"""base.html's links to static files (app/core/static.static_url) are made once per process where
the app does not reload what it serves: the same links url_for makes, with the file's hash."""

import pytest
from flask import render_template_string

from app.core import static


@pytest.fixture
def served(app, tmp_path, monkeypatch):
    folder = tmp_path / "static"
    folder.mkdir()
    (folder / "style.css").write_text("body{color:red}")
    monkeypatch.setattr(app, "static_folder", str(folder))
    monkeypatch.setattr(app, "testing", False)
    monkeypatch.setitem(app.config, "TEMPLATES_AUTO_RELOAD", None)
    monkeypatch.setattr(static, "_links", {})
    monkeypatch.setattr(static, "_kept", {})
    return folder


def _link(app, filename, base_url="http://localhost/"):
    with app.test_request_context(base_url=base_url):
        made = render_template_string("{{ static_url(name) }}", name=filename)
        return made, app.url_for("static", filename=filename)


def test_the_links_are_url_fors(app, served):
    for filename in ("style.css", "favicon.svg", "manifest.webmanifest"):
        made, expected = _link(app, filename)
        assert made == expected
    assert "?v=" in _link(app, "style.css")[0]
    made, expected = _link(app, "style.css", "http://localhost/weiyi/")
    assert made == expected and made.startswith("/weiyi/static/style.css?v=")


def test_kept_while_served_and_made_again_in_development(app, served):
    first = _link(app, "style.css")[0]
    (served / "style.css").write_text("body{color:blue}")
    assert _link(app, "style.css")[0] == first  # a release restarts the processes
    app.config["TEMPLATES_AUTO_RELOAD"] = True
    edited, expected = _link(app, "style.css")
    assert edited == expected and edited != first


def test_a_missing_file_is_linked_with_its_hash_once_it_is_there(app, served):
    assert "?v=" not in _link(app, "late.js")[0]
    (served / "late.js").write_text("1")
    assert "?v=" in _link(app, "late.js")[0]
