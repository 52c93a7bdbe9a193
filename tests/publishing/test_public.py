"""Public pages without login: the front page's headline figures, the results overview,
and the Atom feed of decisions, notices and completions."""

from datetime import timedelta
from xml.etree import ElementTree as ET

import pytest

from app.core.clock import utcnow
from app.extensions import db
from app.matters import lifecycle
from app.publishing import public_figures
from app.tracker.models import Evaluation, EvaluationWindow
from tests.once_per_module import once_per_module
from tests.security.headers import csp_blocked_markup

from .helpers import new_matter, publish

ATOM = "{http://www.w3.org/2005/Atom}"


@pytest.fixture
def world(request, app):
    """conftest.py's `world` (an accepted record), built once for this module's tests."""
    return once_per_module(request)


def rate(world, stars):
    """Ratings in an evaluation window, as the tracker stores them."""
    window = EvaluationWindow(
        record_id=world.record.id,
        number=1,
        opens_at=utcnow() - timedelta(days=1),
        closes_at=utcnow() + timedelta(days=5),
        threshold_percent=60,
    )
    db.session.add(window)
    db.session.flush()
    users = [world.resident, world.council, world.proposer, world.committee, world.pending]
    for user, value in zip(users, stars, strict=False):
        db.session.add(Evaluation(window_id=window.id, record_id=world.record.id, user_id=user.id, stars=value))
    db.session.commit()
    return window


def test_headline_figures(world):
    new_matter(world.community, world.proposer, "草稿", status="draft")
    new_matter(world.community, world.proposer, "征集中", status="collecting")
    rejected = new_matter(world.community, world.proposer, "否决的")
    lifecycle.apply(rejected, "reject", world.committee, system=True)
    db.session.commit()
    figures = public_figures.figures_for(world.community)
    assert figures == {"proposed": 3, "decided": 2, "completed": 1, "satisfaction_percent": None, "ratings": 0}
    rate(world, [5, 4, 2, 3])
    figures = public_figures.figures_for(world.community)
    assert figures["satisfaction_percent"] == 50.0 and figures["ratings"] == 4
    other = _other(world)
    assert public_figures.headline_figures([world.community, other])[other.id] == {
        "proposed": 0,
        "decided": 0,
        "completed": 0,
        "satisfaction_percent": None,
        "ratings": 0,
    }


def _other(world):
    from app.communities.models import Community

    return db.session.scalar(db.select(Community).where(Community.slug == "other"))


def test_only_the_latest_rating_round_counts(world):
    first = rate(world, [1, 1, 1])
    second = EvaluationWindow(
        record_id=world.record.id,
        number=2,
        opens_at=utcnow(),
        closes_at=utcnow() + timedelta(days=3),
        threshold_percent=60,
    )
    db.session.add(second)
    db.session.flush()
    db.session.add(Evaluation(window_id=second.id, record_id=world.record.id, user_id=world.resident.id, stars=5))
    db.session.commit()
    assert first.id != second.id
    assert public_figures.figures_for(world.community)["satisfaction_percent"] == 100.0


def test_front_page_lists_communities_with_figures(client, world):
    rate(world, [5, 4, 4, 1])
    html = client.get("/").get_data(as_text=True)
    assert "/c/xinglin/results" in html and "/c/other/results" in html
    assert "75.0%" in html
    assert csp_blocked_markup(html) == []  # scripts only as files


def test_results_overview_links_everything_public(client, world):
    notice = publish(world)
    response = client.get("/c/xinglin/results")
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert world.matter.title in html
    assert f"/c/xinglin/notices/{notice.id}" in html
    assert "/c/xinglin/feed.atom" in html
    assert "/api/v1/communities/xinglin/matters.csv" in html
    assert 'rel="alternate" type="application/atom+xml"' in html
    assert client.get("/c/nowhere/results").status_code == 404
    assert len(response.get_data()) < 50_000


def test_community_pages_link_to_results_and_notices(client, world):
    html = client.get("/c/xinglin/").get_data(as_text=True)
    assert 'href="/c/xinglin/results"' in html and 'href="/c/xinglin/notices/"' in html
    assert 'href="/api/v1/docs"' in html


def test_atom_feed_is_valid_and_announces_decisions_notices_and_completions(client, world):
    rejected = new_matter(world.community, world.proposer, "否决的项目")
    lifecycle.apply(rejected, "reject", world.committee, system=True)
    db.session.commit()
    notice = publish(world)
    response = client.get("/c/xinglin/feed.atom?lang=en")
    assert response.status_code == 200 and response.mimetype == "application/atom+xml"
    feed = ET.fromstring(response.get_data())
    assert feed.tag == f"{ATOM}feed"
    for tag in ("id", "title", "updated", "author"):
        assert feed.find(f"{ATOM}{tag}") is not None, tag
    assert feed.find(f"{ATOM}author/{ATOM}name").text
    links = {link.get("rel"): link.get("href") for link in feed.findall(f"{ATOM}link")}
    assert links["self"] == "http://localhost/c/xinglin/feed.atom"
    assert links["alternate"] == "http://localhost/c/xinglin/results"
    entries = feed.findall(f"{ATOM}entry")
    ids = [e.find(f"{ATOM}id").text for e in entries]
    assert len(ids) == len(set(ids)) == 4  # approval, completion, rejection, notice
    for entry in entries:
        for tag in ("id", "title", "updated", "summary"):
            assert entry.find(f"{ATOM}{tag}") is not None and entry.find(f"{ATOM}{tag}").text, tag
        assert entry.find(f"{ATOM}link").get("rel") == "alternate"
        assert entry.find(f"{ATOM}updated").text.endswith("Z")
    titles = [e.find(f"{ATOM}title").text for e in entries]
    assert f"Notice: {notice.title}" in titles
    assert "Approved: 5栋门口加装无障碍坡道" in titles and "Completed: 5栋门口加装无障碍坡道" in titles
    assert "Rejected: 否决的项目" in titles
    updated = [e.find(f"{ATOM}updated").text for e in entries]
    assert updated == sorted(updated, reverse=True)
    assert feed.find(f"{ATOM}updated").text == updated[0]
    summaries = " ".join(e.find(f"{ATOM}summary").text for e in entries)
    assert "Budget: 11000 yuan." in summaries
    assert world.proposer.display_name not in response.get_data(as_text=True)


def test_feed_escapes_text_and_works_when_empty(client, world):
    new = new_matter(world.community, world.proposer, '<b>&"引号"</b>')
    lifecycle.apply(new, "approve", world.committee, system=True)
    db.session.commit()
    feed = ET.fromstring(client.get("/c/xinglin/feed.atom").get_data())
    assert any('<b>&"引号"</b>' in e.find(f"{ATOM}title").text for e in feed.findall(f"{ATOM}entry"))
    empty = ET.fromstring(client.get("/c/other/feed.atom").get_data())
    assert empty.findall(f"{ATOM}entry") == [] and empty.find(f"{ATOM}updated").text
    assert client.get("/c/nowhere/feed.atom").status_code == 404


def test_results_overview_lists_minutes_rounds_and_progress(client, world, make):
    from app.communities.models import Role

    from . import records

    council = [make.member(world.community, role=Role.COUNCIL_MEMBER, display_name=f"议事员{i}") for i in range(3)]
    lamps = new_matter(world.community, world.proposer, "路灯更换")
    held = records.held_meeting(world.community, lamps, council[0], council[1], council, world.committee)
    draft = records.held_meeting(
        world.community,
        new_matter(world.community, world.proposer, "草案"),
        council[0],
        council[1],
        council,
        world.committee,
        lock=False,
    )
    counted = records.counted_round(world.community, [lamps], [world.resident], world.committee)
    rate(world, [5, 5, 4, 1])
    html = client.get("/c/xinglin/results?lang=en").get_data(as_text=True)
    assert f"/c/xinglin/meetings/{held.meeting.id}/minutes" in html
    assert f"/c/xinglin/meetings/{draft.meeting.id}/minutes" not in html  # not locked: not listed
    assert f"/c/xinglin/rounds/{counted.round.id}/results" in html
    assert f"/api/v1/communities/xinglin/rounds/{counted.round.id}/ballots.csv" in html
    assert f"/c/xinglin/tracker/{world.record.id}" in html and "75.0%" in html
    assert '<progress max="100" value="' in html
