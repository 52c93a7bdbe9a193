"""Publishing a notice: who may, what it freezes, its pages, and bad input."""

import re
from datetime import timedelta

import pytest
from sqlalchemy import select

from app.audit.models import AuditEntry
from app.core import clock
from app.core.errors import DomainError
from app.extensions import db
from app.notifications.models import Notification
from app.publishing import services
from app.publishing.models import Notice
from tests.helpers import login
from tests.once_per_module import once_per_module
from tests.security.headers import csp_blocked_markup

from .helpers import publish


@pytest.fixture
def world(request, app):
    """conftest.py's `world` (an accepted record), built once for this module's tests."""
    return once_per_module(request)


def form(world, **changes):
    today = clock.local_today()
    data = {
        "kind": "acceptance",
        "ref": str(world.record.id),
        "title": "",
        "preface": "请居民监督。",
        "period_start": today.isoformat(),
        "period_end": (today + timedelta(days=7)).isoformat(),
    }
    data.update(changes)
    return data


def test_committee_chooses_previews_and_publishes(client, world):
    login(client, world.committee)
    chooser = client.get("/c/xinglin/notices/new")
    assert chooser.status_code == 200
    assert f"/c/xinglin/notices/new?kind=acceptance&amp;ref={world.record.id}" in chooser.get_data(as_text=True)

    preview = client.get(f"/c/xinglin/notices/new?kind=acceptance&ref={world.record.id}&lang=en")
    html = preview.get_data(as_text=True)
    assert preview.status_code == 200
    assert "Acceptance notice: 5栋门口加装无障碍坡道" in html  # the suggested title
    assert "杏林物业工程部" in html and "CN¥11,000" in html  # responsible unit, approved budget
    assert "13700001111" not in html  # the contact is not published

    response = client.post("/c/xinglin/notices/new", data=form(world))
    assert response.status_code == 302
    notice = db.session.scalar(select(Notice))
    assert response.headers["Location"].endswith(f"/c/xinglin/notices/{notice.id}")
    assert notice.title == "Acceptance notice: 5栋门口加装无障碍坡道"
    assert notice.matter_ids == [world.matter.id]
    assert notice.record_path == f"/c/xinglin/tracker/{world.record.id}"
    assert notice.facts["rows"][2] == {"label": "Approved budget", "value": 11000, "type": "money"}
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "notice.published"))
    assert entry.actor_id == world.committee.id and entry.data["matter_ids"] == [world.matter.id]
    # The proposer hears about it.
    assert db.session.scalar(
        select(Notification).where(
            Notification.user_id == world.proposer.id, Notification.link == f"/c/xinglin/notices/{notice.id}"
        )
    )


def test_facts_stay_as_published_when_the_record_changes(client, world):
    notice = publish(world)
    world.record.responsible_unit = "另一家公司"
    db.session.commit()
    html = client.get(f"/c/xinglin/notices/{notice.id}").get_data(as_text=True)
    assert "杏林物业工程部" in html and "另一家公司" not in html


def test_the_notice_reads_in_both_languages(client, world):
    notice = publish(world)
    zh = client.get(f"/c/xinglin/notices/{notice.id}?lang=zh_Hans").get_data(as_text=True)
    assert "批准预算" in zh or "核定预算" in zh
    en = client.get(f"/c/xinglin/notices/{notice.id}?lang=en").get_data(as_text=True)
    assert "Approved budget" in en and "was completed and accepted on" in en


def test_title_and_preface_are_the_committees_the_facts_are_not(client, world):
    login(client, world.committee)
    data = form(
        world,
        title="坡道验收公示",
        preface="**请**监督 <script>alert(1)</script>",
        facts="tampered",
        summary="tampered",
    )
    client.post("/c/xinglin/notices/new", data=data)
    notice = db.session.scalar(select(Notice))
    assert notice.title == "坡道验收公示"
    assert "<strong>请</strong>" in notice.preface_html and "<script" not in notice.preface_html
    assert "tampered" not in str(notice.facts)


def test_publishing_twice_is_refused(client, world):
    publish(world)
    login(client, world.committee)
    response = client.post("/c/xinglin/notices/new", data=form(world))
    assert response.status_code == 400
    assert "已经发布" in response.get_data(as_text=True) or "already been published" in response.get_data(as_text=True)
    assert db.session.scalar(select(db.func.count(Notice.id))) == 1


@pytest.mark.parametrize(
    "changes, message",
    [
        ({"period_start": "2000-01-01"}, "past"),
        ({"period_end": "2000-01-01"}, "end on or after"),
        ({"period_end": "+80"}, "at most 60 days"),
        ({"period_end": "not-a-date"}, "Not a valid date"),
        ({"title": "标" * 121}, "121"),
    ],
)
def test_bad_periods_and_fields_keep_the_text(client, world, changes, message):
    login(client, world.committee)
    if changes.get("period_end") == "+80":
        changes = {"period_end": (clock.local_today() + timedelta(days=80)).isoformat()}
    data = form(world, preface="我的前言文字", **changes)
    response = client.post("/c/xinglin/notices/new?lang=en", data=data)
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert message in html or (message == "121" and "120" in html)
    assert "我的前言文字" in html
    assert db.session.scalar(select(db.func.count(Notice.id))) == 0


def test_records_that_cannot_be_published(client, world, make):
    login(client, world.committee)
    # Unknown kind, non-numeric ref: back to the chooser.
    assert "kind-acceptance" in client.get("/c/xinglin/notices/new?kind=bogus&ref=1").get_data(as_text=True)
    assert client.get("/c/xinglin/notices/new?kind=acceptance&ref=abc").status_code == 200
    # A record that does not exist, or of another community: not found.
    assert client.get("/c/xinglin/notices/new?kind=acceptance&ref=999").status_code == 404
    assert client.get(f"/c/other/notices/new?kind=acceptance&ref={world.record.id}").status_code == 403
    assert client.post("/c/xinglin/notices/new", data=form(world, kind="bogus")).status_code == 400
    assert client.post("/c/xinglin/notices/new", data=form(world, ref="999")).status_code == 400
    assert db.session.scalar(select(db.func.count(Notice.id))) == 0


def test_a_record_not_yet_accepted_cannot_be_published(world, make):
    from app.matters import lifecycle
    from app.tracker import records as record_services

    from .helpers import new_matter

    matter = new_matter(world.community, world.proposer, "还在施工的项目")
    lifecycle.apply(matter, "approve", world.committee, system=True)
    db.session.commit()
    record = record_services.record_for_matter(matter)
    with pytest.raises(DomainError):
        services.publish_notice(
            world.committee,
            world.community,
            "acceptance",
            record.id,
            period_start=clock.local_today(),
            period_end=clock.local_today() + timedelta(days=7),
        )
    assert record.id not in dict(services.candidates(world.community)["acceptance"])


@pytest.mark.parametrize("who", ["resident", "council", "proposer", "other_committee", "outsider", "admin"])
def test_only_the_committee_publishes(client, world, who):
    login(client, getattr(world, who))
    assert client.get("/c/xinglin/notices/new").status_code == 403
    assert client.post("/c/xinglin/notices/new", data=form(world)).status_code == 403
    with pytest.raises(DomainError):
        services.publish_notice(
            getattr(world, who),
            world.community,
            "acceptance",
            world.record.id,
            period_start=clock.local_today(),
            period_end=clock.local_today() + timedelta(days=7),
        )


def test_visitors_are_sent_to_log_in(client, world):
    response = client.get("/c/xinglin/notices/new")
    assert response.status_code == 302 and "/auth/login" in response.headers["Location"]


def test_public_pages_without_login(client, world):
    notice = publish(world, preface="请居民监督。")
    listing = client.get("/c/xinglin/notices/").get_data(as_text=True)
    assert notice.title in listing
    page = client.get(f"/c/xinglin/notices/{notice.id}")
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "请居民监督。" in html and notice.title in html
    assert f'href="/c/xinglin/tracker/{world.record.id}"' in html
    assert f'href="/c/xinglin/notices/{notice.id}/print"' in html
    assert csp_blocked_markup(html) == []  # scripts only as files
    assert client.get("/c/xinglin/notices/999").status_code == 404
    assert client.get(f"/c/other/notices/{notice.id}").status_code == 404


def test_print_page_is_a4_without_navigation_and_its_qr_code_reads(client, world):
    from .qr_decode import decode, find_svg, rasterise

    notice = publish(world)
    response = client.get(f"/c/xinglin/notices/{notice.id}/print")
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "<nav" not in html and 'class="site"' not in html
    assert "5栋门口加装无障碍坡道" in html and "杏林物业工程部" in html
    online = f"http://localhost/c/xinglin/notices/{notice.id}"
    assert online in html
    assert decode(rasterise(find_svg(html))) == online
    # The print stylesheet of every printed sheet (templates/_print.html) has the A4 rules the page relies on.
    assert "/static/print.css?v=" in html
    css = client.get("/static/print.css").get_data(as_text=True)
    assert re.search(r"@page\s*\{[^}]*size:\s*A4", css)


def test_print_page_uses_the_configured_public_address(app, client, world):
    from .qr_decode import decode, find_svg, rasterise

    app.config["PUBLIC_BASE_URL"] = "https://weiyi.example.cn"
    notice = publish(world)
    html = client.get(f"/c/xinglin/notices/{notice.id}/print").get_data(as_text=True)
    assert decode(rasterise(find_svg(html))) == f"https://weiyi.example.cn/c/xinglin/notices/{notice.id}"


def test_segno_png_of_the_same_url_reads_the_same(app):
    import io

    import zxingcpp
    from PIL import Image

    from app.core.qr import qr_code

    url = "http://localhost/c/xinglin/notices/1"
    buffer = io.BytesIO()
    qr_code(url).save(buffer, kind="png", scale=8)
    assert zxingcpp.read_barcodes(Image.open(io.BytesIO(buffer.getvalue())))[0].text == url


def test_notices_list_shows_the_publish_button_only_to_the_committee(client, world):
    assert "/c/xinglin/notices/new" not in client.get("/c/xinglin/notices/").get_data(as_text=True)
    login(client, world.committee)
    assert "/c/xinglin/notices/new" in client.get("/c/xinglin/notices/").get_data(as_text=True)
