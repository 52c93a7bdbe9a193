"""Entries on behalf through the pages: a grid worker finds a resident and records a support,
comment, proposal or rating; the consent tick; the public "代录" label; the lists and the CSV; who
may open what; the role on the members page."""

import csv
import io

from sqlalchemy import select

from app.communities.models import Membership, Role
from app.extensions import db
from app.matters import services as matters
from app.matters.models import Comment, MicroMatter, Support
from app.onbehalf import services
from app.privacy import export
from app.tracker.models import Evaluation
from tests.helpers import login
from tests.matters.helpers import fields

BASE = "/c/xinglin/on-behalf"


def entry(client, resident, kind, **data):
    return client.post(f"{BASE}/residents/{resident.id}/{kind}?lang=en", data=data)


def test_grid_worker_records_a_support_through_the_pages(client, collecting, grid, elder):
    login(client, grid)
    page = client.get(f"{BASE}/?q=孙奶奶").get_data(as_text=True)
    assert f"{BASE}/residents/{elder.id}" in page
    form = client.get(f"{BASE}/residents/{elder.id}/support?matter={collecting.id}").get_data(as_text=True)
    assert f'<option selected value="{collecting.id}">' in form or f'value="{collecting.id}" selected' in form
    response = entry(client, elder, "support", matter=collecting.id, channel="phone", agreed="y")
    assert response.status_code == 302 and response.headers["Location"].endswith(f"/matters/{collecting.id}")
    row = db.session.scalar(select(Support))
    assert (row.user_id, row.entered_by_id, row.channel) == (elder.id, grid.id, "phone")


def test_the_consent_tick_is_required(client, collecting, grid, elder):
    login(client, grid)
    response = entry(client, elder, "support", matter=collecting.id, channel="phone")
    assert response.status_code == 400
    assert "Tick the box to confirm that the resident agreed." in response.get_data(as_text=True)
    response = entry(client, elder, "support", matter=collecting.id, agreed="y")
    assert response.status_code == 400 and "Please choose how the resident told you." in response.get_data(as_text=True)
    assert db.session.scalar(select(Support.id)) is None


def test_a_duplicate_comes_back_on_the_form_with_the_reason(client, collecting, grid, elder):
    matters.support(elder, collecting)
    login(client, grid)
    response = entry(client, elder, "support", matter=collecting.id, channel="phone", agreed="y")
    assert response.status_code == 400
    assert "孙奶奶 already did this themselves" in response.get_data(as_text=True)


def test_proposal_comment_and_rating_through_the_forms(client, collecting, evaluating, grid, elder):
    login(client, grid)
    response = entry(client, elder, "propose", channel="paper", agreed="y", **fields(title="楼下加一个休息座椅"))
    assert response.status_code == 302, response.get_data(as_text=True)
    matter = db.session.scalar(select(MicroMatter).where(MicroMatter.title == "楼下加一个休息座椅"))
    assert (matter.proposer_id, matter.status, matter.channel) == (elder.id, "collecting", "paper")
    response = entry(
        client, elder, "comment", matter=collecting.id, stance="support", body="希望早点做", channel="box", agreed="y"
    )
    assert response.status_code == 302
    assert db.session.scalar(select(Comment.channel).where(Comment.author_id == elder.id)) == "box"
    response = entry(client, elder, "rate", record=evaluating.id, stars="5", channel="visit", agreed="y")
    assert response.status_code == 302
    assert db.session.scalar(select(Evaluation.entered_by_id).where(Evaluation.user_id == elder.id)) == grid.id


def test_the_public_label_shows_the_channel_not_the_worker(client, app, collecting, evaluating, grid, elder):
    proposal = services.propose(grid, collecting.community, elder, channel="paper", agreed=True, **fields(title="座椅"))
    services.support(grid, collecting.community, elder, matter_id=collecting.id, channel="phone", agreed=True)
    services.comment(
        grid,
        collecting.community,
        elder,
        matter_id=collecting.id,
        stance="oppose",
        body="太贵",
        channel="box",
        agreed=True,
    )
    services.rate(
        grid,
        collecting.community,
        elder,
        record_id=evaluating.id,
        stars=3,
        comment="还行",
        channel="visit",
        agreed=True,
    )
    pages = {
        "matter": client.get(f"/c/xinglin/matters/{proposal.id}?lang=en"),
        "supported": client.get(f"/c/xinglin/matters/{collecting.id}?lang=en"),
        "timeline": client.get(f"/c/xinglin/matters/{proposal.id}/timeline?lang=en"),
        "record": client.get(f"/c/xinglin/tracker/{evaluating.id}?lang=en"),
    }
    html = {name: response.get_data(as_text=True) for name, response in pages.items()}
    assert all(response.status_code == 200 for response in pages.values())
    assert "代录 · Paper form" in html["matter"]
    assert "代录 · Suggestion box" in html["supported"]  # the comment's byline
    assert "Phone call: 1" in html["supported"]  # the panel: supports entered on behalf, by channel
    assert "Paper form" in html["timeline"] and "代录" in html["timeline"]
    assert "代录 · Home visit" in html["record"]
    for text in html.values():
        assert "网格员 小李" not in text  # who typed it in is not public


def test_lists_and_csv(client, collecting, grid, committee, elder, residents):
    services.support(grid, collecting.community, elder, matter_id=collecting.id, channel="phone", agreed=True)
    services.support(committee, collecting.community, residents[0], matter_id=collecting.id, channel="box", agreed=True)
    login(client, grid)
    own = client.get(f"{BASE}/?lang=en").get_data(as_text=True)
    assert "孙奶奶" in own and "居民1" not in own  # a worker sees their own entries
    rows = list(
        csv.DictReader(io.StringIO(client.get(f"{BASE}/entries.csv?lang=en").get_data(as_text=True).lstrip("\ufeff")))
    )
    assert [(r["worker"], r["resident"], r["channel"], r["kind"]) for r in rows] == [
        ("网格员 小李", "孙奶奶", "Phone call", "Support")
    ]
    client.get("/auth/logout")
    login(client, committee)
    everything = client.get(f"{BASE}/?lang=en").get_data(as_text=True)
    assert "孙奶奶" in everything and "居民1" in everything and "Entries per worker and day" in everything
    response = client.get(f"{BASE}/entries.csv?worker={grid.id}")
    assert response.mimetype == "text/csv" and "attachment" in response.headers["Content-Disposition"]
    assert len(list(csv.DictReader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff"))))) == 1
    assert len(client.get(f"{BASE}/").data) < 50_000


def test_who_may_open_the_pages(client, collecting, grid, elder, residents, other_grid):
    assert client.get(f"{BASE}/").status_code == 302  # log in first
    login(client, residents[0])
    assert client.get(f"{BASE}/").status_code == 403
    assert client.get(f"{BASE}/residents/{elder.id}/support").status_code == 403
    assert entry(client, elder, "support", matter=collecting.id, channel="phone", agreed="y").status_code == 403
    client.get("/auth/logout")
    login(client, grid)
    assert client.get(f"{BASE}/residents/{grid.id}").status_code == 404  # not for oneself
    assert client.get(f"{BASE}/residents/{other_grid.id}").status_code == 404  # not a resident here
    assert client.get(f"{BASE}/residents/99999999999").status_code == 404
    assert client.get(f"/c/other/on-behalf/residents/{elder.id}").status_code == 403
    assert db.session.scalar(select(Support.id)) is None


def test_the_committee_grants_the_role_and_the_badge_shows(client, committee, elder, collecting):
    membership = db.session.scalar(select(Membership).where(Membership.user_id == elder.id))
    login(client, committee)
    response = client.post(
        "/c/xinglin/members", data={"action": "role", "membership_id": membership.id, "role": "grid_worker"}
    )
    assert response.status_code == 302
    db.session.refresh(membership)
    assert membership.role == Role.GRID_WORKER
    matters.add_comment(elder, collecting, "neutral", "我来帮大家登记。")
    html = client.get(f"/c/xinglin/matters/{collecting.id}?lang=en").get_data(as_text=True)
    assert "Grid worker</span>" in html
    client.post("/c/xinglin/members", data={"action": "role", "membership_id": membership.id, "role": "resident"})
    db.session.refresh(membership)
    assert membership.role == Role.RESIDENT


def test_entries_on_behalf_are_in_the_residents_data_export(collecting, grid, elder):
    services.support(grid, collecting.community, elder, matter_id=collecting.id, channel="phone", agreed=True)
    sections = {section.name: section for section in export.personal_data(elder)}
    rows = sections["entered_on_behalf"].rows
    assert [(r["kind"], r["channel"], r["entered_by"]) for r in rows] == [("support", "phone", "网格员 小李")]
    made = {section.name: section for section in export.personal_data(grid)}["entries_made_for_residents"].rows
    assert [(r["kind"], r["resident"]) for r in made] == [("support", "孙奶奶")]
