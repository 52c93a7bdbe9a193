""" "Download my data": one's own data only, as JSON and as a zip of CSVs, never cached, and voting
receipts without ballot choices."""

import csv
import io
import json
import zipfile

import pytest
from sqlalchemy import select

from app.audit.models import AuditEntry
from app.communities.models import Role
from app.extensions import db
from app.matters.models import Comment, Support
from app.notifications.services import notify
from app.voting.models import RoundBallot, RoundParticipation
from app.voting.receipts import format_code
from tests.helpers import login
from tests.voting.helpers import make_matters, open_round, option_ids


@pytest.fixture
def world(make):
    """A resident with a matter, a comment, a support, an inbox entry and an online ballot; and a
    neighbour with their own comment."""
    community = make.community(slug="xinglin")
    committee = make.member(community, role=Role.COMMITTEE, username="committee")
    me = make.member(community, username="13800000001", display_name="王阿姨")
    neighbour = make.member(community, username="neighbour", display_name="李叔叔")
    matters = make_matters(community, me, costs=[50_000, 30_000])
    db.session.add_all(
        [
            Comment(matter_id=matters[0].id, author_id=me.id, body='=HYPERLINK("x")楼道灯太暗'),
            Comment(matter_id=matters[0].id, author_id=neighbour.id, body="邻居的评论"),
            Support(matter_id=matters[1].id, user_id=me.id),
        ]
    )
    notify([me], "You are now a verified resident of %(community)s.", "/c/xinglin/", community=community.name)
    db.session.commit()
    voting_round = open_round(committee, community, matters)
    return community, me, voting_round


def download(client, fmt):
    return client.post("/privacy/my-data", data={"format": fmt})


def test_json_has_every_section_of_my_own_data(client, world):
    _community, me, _round = world
    login(client, me)
    response = download(client, "json")
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "no-store"
    assert response.headers["Content-Disposition"].startswith('attachment; filename="weiyi-my-data-')
    data = json.loads(response.get_data(as_text=True))
    assert data["profile"]["username"] == "13800000001" and data["profile"]["display_name"] == "王阿姨"
    assert "password_hash" not in data["profile"]
    assert [m["address"] for m in data["memberships"]] == ["1栋1单元101室"]
    assert [m["title"] for m in data["matters"]] == ["项目1", "项目2"]
    assert [c["body"] for c in data["comments"]] == ['=HYPERLINK("x")楼道灯太暗']  # not the neighbour's
    assert [s["matter_title"] for s in data["supports"]] == ["项目2"]
    assert data["notifications"][0]["message"].startswith("您已成为") and data["notifications"][0]["link"].startswith(
        "http"
    )
    for section in ("consents", "follows", "ratings", "objections", "paper_ballot_objections", "voting_receipts"):
        assert data[section] == [], section
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "privacy.data_exported"))
    assert entry.actor_id == me.id and entry.data == {"format": "json"}


def test_receipts_are_exported_never_the_ballot_or_its_choices(client, world):
    _community, me, voting_round = world
    login(client, me)
    cast = client.post(f"/c/xinglin/rounds/{voting_round.id}", data={"option": option_ids(voting_round, 2)})
    assert cast.status_code == 303
    participation = db.session.scalar(select(RoundParticipation))
    ballot = db.session.scalar(select(RoundBallot))
    assert participation.ballot_id == ballot.id  # linked while the round is open: the export must not follow it
    text = download(client, "json").get_data(as_text=True)
    data = json.loads(text)
    [receipt] = data["voting_receipts"]
    assert receipt == {
        "round_id": voting_round.id,
        "round_title": voting_round.title,
        "channel": "online",
        "receipt_code": format_code(participation.receipt_code),
        "recorded_at": receipt["recorded_at"],
    }
    assert "choices" not in text and str(ballot.id) not in text
    archive = zipfile.ZipFile(io.BytesIO(download(client, "csv").get_data()))
    receipts_csv = archive.read("voting_receipts.csv").decode("utf-8-sig")
    assert format_code(participation.receipt_code) in receipts_csv and str(ballot.id) not in receipts_csv


def test_csv_is_a_zip_of_one_table_per_section_safe_for_spreadsheets(client, world):
    _community, me, _round = world
    login(client, me)
    response = download(client, "csv")
    assert response.status_code == 200 and response.mimetype == "application/zip"
    assert response.headers["Cache-Control"] == "no-store"
    archive = zipfile.ZipFile(io.BytesIO(response.get_data()))
    assert {"profile.csv", "memberships.csv", "matters.csv", "comments.csv", "voting_receipts.csv"} <= set(
        archive.namelist()
    )
    raw = archive.read("comments.csv")
    assert raw.startswith("\ufeff".encode())  # Excel reads it as UTF-8
    [row] = list(csv.DictReader(io.StringIO(raw.decode("utf-8-sig"))))
    assert row["body"] == '\'=HYPERLINK("x")楼道灯太暗'  # not run as a formula
    [profile] = list(csv.DictReader(io.StringIO(archive.read("profile.csv").decode("utf-8-sig"))))
    assert profile["display_name"] == "王阿姨"


def test_only_for_the_person_logged_in(client, world):
    assert download(client, "json").status_code == 302  # to the login page
    assert client.get("/privacy/my-data").status_code == 302
    _community, me, _round = world
    login(client, me)
    page = client.get("/privacy/my-data")
    assert page.status_code == 200 and page.headers["Cache-Control"] == "no-store"
    assert "投票" in page.get_data(as_text=True)
    # There is no way to name another account: whatever is sent, the data is the caller's own.
    data = json.loads(client.post("/privacy/my-data", data={"format": "json", "user_id": "1"}).get_data(as_text=True))
    assert data["profile"]["id"] == me.id
    assert download(client, "xml").status_code == 400


def test_volunteering_is_in_my_data(client, world):
    from app.partners.models import Volunteer

    community, me, _round = world
    db.session.add(Volunteer(community_id=community.id, user_id=me.id, skills="会修电器", availability="周末上午"))
    db.session.commit()
    login(client, me)
    data = json.loads(download(client, "json").get_data(as_text=True))
    [profile] = data["volunteer_profiles"]
    assert (profile["community"], profile["skills"], profile["availability"]) == ("xinglin", "会修电器", "周末上午")
    assert data["volunteer_tasks"] == []
