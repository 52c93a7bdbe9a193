"""A static file's content hash in its URL (app/core/static.py): read once per file and process
where the app does not reload what it serves; in development an edited file gets a new URL at once."""

import pytest


@pytest.fixture
def stylesheet(app, tmp_path, monkeypatch):
    static = tmp_path / "static"
    static.mkdir()
    (static / "style.css").write_text("body{color:red}")
    monkeypatch.setattr(app, "static_folder", str(static))
    monkeypatch.setattr(app, "testing", False)
    monkeypatch.setitem(app.config, "TEMPLATES_AUTO_RELOAD", None)
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
