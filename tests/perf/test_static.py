"""Static files under content-hashed URLs with a one-year immutable cache (app/core/static.py),
and photos whose file is gone answer 404, not 500."""

import hashlib
import re
from pathlib import Path

from app.core.uploads import StoredPhoto
from app.extensions import db


def stylesheet_link(html):
    return re.search(r'href="(/static/style\.css\?v=([0-9a-f]+))"', html)


def test_pages_link_the_stylesheet_by_its_content_hash(app, client):
    link = stylesheet_link(client.get("/").get_data(as_text=True))
    assert link, "the stylesheet is linked without its hash"
    content = (Path(app.static_folder) / "style.css").read_bytes()
    assert link.group(2) == hashlib.sha256(content).hexdigest()[:12]
    scripts = re.findall(r'src="(/static/[^"]+)"', client.get("/").get_data(as_text=True))
    assert scripts and all("?v=" in src for src in scripts)


def test_a_hashed_request_is_cached_for_a_year(client):
    url = stylesheet_link(client.get("/").get_data(as_text=True)).group(1)
    response = client.get(url)
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "public, max-age=31536000, immutable"


def test_without_the_current_hash_the_file_is_revalidated(client):
    for url in ("/static/style.css", "/static/style.css?v=000000000000"):
        response = client.get(url)
        assert response.status_code == 200
        assert "immutable" not in response.headers.get("Cache-Control", ""), url
        assert "no-cache" in response.headers.get("Cache-Control", ""), url


def test_a_changed_file_gets_a_new_url(app, client, tmp_path, monkeypatch):
    static = tmp_path / "static"
    static.mkdir()
    (static / "style.css").write_text("body{color:red}")
    monkeypatch.setattr(app, "static_folder", str(static))
    with app.test_request_context():
        first = app.url_for("static", filename="style.css")
        (static / "style.css").write_text("body{color:blue}")
        second = app.url_for("static", filename="style.css")
    assert first != second and "?v=" in second
    assert client.get(first).headers.get("Cache-Control", "") != "public, max-age=31536000, immutable"
    assert client.get(second).headers["Cache-Control"] == "public, max-age=31536000, immutable"


def test_a_tracker_photo_whose_file_is_missing_is_not_found(walker):
    photo_id = walker.snap.endpoint_args["tracker.photo"]["photo_id"]
    url = f"/c/{walker.snap.args['slug']}/tracker/photos/{photo_id}"
    assert walker.request("anonymous", url).status_code == 200
    path = Path(walker.app.config["UPLOAD_FOLDER"]) / db.session.get(StoredPhoto, photo_id).stored_name
    aside = path.with_name(path.name + ".aside")
    path.rename(aside)
    try:
        assert walker.request("anonymous", url).status_code == 404
    finally:
        aside.rename(path)
