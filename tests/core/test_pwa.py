"""The installable app and its offline worker (static/sw.js, static/offline.js): how they are served,
that every page links them without inline script, and that they fit in the page budget.
What the worker does offline is tested in a real browser (tests/browser/test_offline.py)."""

import io
import json
import re
from pathlib import Path

from PIL import Image

from bench.page_sizes import BUDGET, page_weight
from tests.helpers import login
from tests.security.headers import assert_security_headers, csp_directives

STATIC = Path(__file__).resolve().parents[2] / "static"


def test_the_worker_is_served_from_the_root_with_a_scope_over_the_site(client):
    response = client.get("/sw.js")
    assert response.status_code == 200
    assert response.mimetype == "text/javascript"
    assert response.headers["Service-Worker-Allowed"] == "/"
    assert "no-cache" in response.headers["Cache-Control"]  # a new version is picked up at once
    assert response.data == (STATIC / "sw.js").read_bytes()
    assert_security_headers(response, where="/sw.js")


def test_the_policy_lets_the_site_load_its_own_worker_and_manifest_and_nothing_else(client):
    directives = csp_directives(client.get("/").headers["Content-Security-Policy"])
    for kind in ("worker-src", "manifest-src"):
        # either directive, or what it falls back to (CSP3: worker-src -> child-src -> script-src -> default-src)
        allowed = directives.get(kind) or directives.get("script-src" if kind == "worker-src" else "default-src")
        assert allowed == ["'self'"], kind


def test_the_manifest_names_the_app_in_chinese_with_icons_that_exist(client):
    response = client.get("/static/manifest.webmanifest")
    assert response.status_code == 200 and response.mimetype == "application/manifest+json"
    manifest = json.loads(response.data)
    assert manifest["short_name"] == "微议" and "微议" in manifest["name"] and manifest["lang"] == "zh-Hans"
    assert manifest["start_url"] == "/" and manifest["scope"] == "/" and manifest["display"] == "standalone"
    sizes = set()
    for icon in manifest["icons"]:
        image = client.get(icon["src"])
        assert image.status_code == 200 and image.mimetype == icon["type"], icon["src"]
        if icon["type"] == "image/png":
            width, height = Image.open(io.BytesIO(image.data)).size
            assert icon["sizes"] == f"{width}x{height}"
            sizes.add(width)
    assert {192, 512} <= sizes  # what phones ask for to install it


def test_every_page_links_the_manifest_and_the_script_and_has_no_inline_script(client, make):
    community = make.community(slug="xinglin")
    user = make.member(community, username="resident1")
    login(client, user)
    for path in ("/", "/offline", "/c/xinglin/", "/c/xinglin/matters/", "/c/xinglin/matters/new", "/auth/profile"):
        html = client.get(path).get_data(as_text=True)
        assert 'rel="manifest" href="/static/manifest.webmanifest"' in html, path
        assert re.search(r'<script src="/static/offline\.js\?v=[0-9a-f]+" defer data-offline=', html), path
        assert all("src=" in tag for tag in re.findall(r"<script[^>]*>", html)), path


def test_only_the_new_proposal_form_keeps_a_draft_and_it_says_photos_are_not_kept(client, make):
    community = make.community(slug="xinglin")
    login(client, make.member(community, username="resident1"))
    html = client.get("/c/xinglin/matters/new").get_data(as_text=True)
    assert "data-draft " in html or "data-draft\n" in html
    assert "照片不会保存" in html and 'src="/static/draft.js?v=' in html
    matter = client.post(
        "/c/xinglin/matters/new",
        data={
            "title": "路灯",
            "description": "不亮",
            "category": "safety",
            "location": "5栋",
            "estimated_cost": "300",
            "project_type": "works",
            "save": "1",
        },
    )
    edit = client.get(matter.headers["Location"] + "/edit").get_data(as_text=True)
    assert "data-draft" not in edit and "draft.js" not in edit  # an edit is sent online only
    english = client.get("/c/xinglin/matters/new?lang=en").get_data(as_text=True)
    assert "Photos are not kept" in english


def test_the_offline_page_is_in_the_users_language(client):
    response = client.get("/offline")
    assert response.status_code == 200 and "没有网络" in response.get_data(as_text=True)
    assert "No network" in client.get("/offline?lang=en").get_data(as_text=True)


def test_the_worker_and_the_script_fit_in_the_page_budget(client, make):
    community = make.community(slug="xinglin")
    login(client, make.member(community, username="resident1"))
    worker = len(client.get("/sw.js").data) + len(client.get("/static/manifest.webmanifest").data)
    script = len(client.get("/static/offline.js").data) + len(client.get("/static/draft.js").data)
    assert worker + script < 10 * 1024  # tiny: no library, no build step
    for path in ("/", "/c/xinglin/matters/new"):
        status, weight = page_weight(client, path)  # offline.js is counted as the page's script
        assert status == 200 and weight + worker <= BUDGET, (path, weight + worker)
        assert len(client.get("/static/offline.js").data) < weight
