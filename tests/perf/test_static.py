"""Static files under content-hashed URLs with a one-year immutable cache (app/core/static.py),
and photos whose file is gone answer 404, not 500."""

import hashlib
import re
from pathlib import Path

import pytest

from app.communities.models import Role
from app.core import clock
from app.core.uploads import StoredPhoto
from app.extensions import db
from app.matters import lifecycle
from app.matters.models import MicroMatter
from app.tracker import delivery
from app.tracker import records as record_services
from tests.helpers import upload


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


@pytest.fixture
def milestone_photo(make):
    """(community slug, photo id): a photo of a done milestone, the tracker's evidence. Made here
    rather than taken from the authorisation matrix's world, whose first build in a process costs
    as much as the demo (20 s) for one photo."""
    community = make.community()
    committee = make.member(community, role=Role.COMMITTEE)
    matter = MicroMatter(
        community_id=community.id,
        proposer_id=make.member(community).id,
        title="5栋门口加装无障碍坡道",
        description="坡道",
        description_html="<p>坡道</p>",
        category="accessibility",
        location="5栋",
        estimated_cost=12_000,
        project_type="works",
        status="on_agenda",
    )
    db.session.add(matter)
    db.session.flush()
    lifecycle.apply(matter, "approve", committee, system=True, meeting_id=7, motion_id=3, budget=10_000)
    db.session.commit()
    record = record_services.record_for_matter(matter)
    delivery.update_details(
        committee, record, responsible_unit="施工方", contact="李工", planned_start=None, planned_end=None
    )
    delivery.start(committee, record)
    milestone = delivery.add_milestone(committee, record, title="施工完成", planned_date=clock.local_today())
    delivery.complete_milestone(
        committee, record, milestone.id, done_on=clock.local_today(), note="已完工", photos=[upload()]
    )
    return community.slug, milestone.photos[0].photo_id


def test_a_tracker_photo_whose_file_is_missing_is_not_found(app, client, milestone_photo):
    slug, photo_id = milestone_photo
    url = f"/c/{slug}/tracker/photos/{photo_id}"
    assert client.get(url).status_code == 200
    path = Path(app.config["UPLOAD_FOLDER"]) / db.session.get(StoredPhoto, photo_id).stored_name
    aside = path.with_name(path.name + ".aside")
    path.rename(aside)
    try:
        assert client.get(url).status_code == 404
    finally:
        aside.rename(path)
