"""Printed paperwork (templates/_print.html, static/print.css) printed to A4 PDFs by chromium.

Every sheet of the demo fits one page (the demo's minutes, four debated items with named votes,
take two) with its QR code, its address and its signature lines on the first page; the QR code
reads as the address printed beside it. A council of 40 members and a meeting of 40 items run
over several pages with the table header repeated on each and no row split between pages."""

import io
import re
import secrets
from datetime import timedelta

import pytest
from pypdf import PdfReader
from sqlalchemy import select

from app import create_app
from app.auth.models import User
from app.auth.sessions import signed_in
from app.communities.models import Community, Membership, MembershipStatus, Role
from app.core import clock
from app.councils.models import AgendaItem, Meeting, MeetingItem, Minutes
from app.extensions import db
from app.matters.models import MicroMatter
from app.publishing.models import Notice
from app.rules.models import RuleSet
from app.tracker.models import ImplementationRecord
from app.voting.models import VotingRound
from tests.database import copy_sqlite_file
from tests.publishing.qr_decode import decode, rasterise

from .conftest import LiveServer
from .helpers import assert_accessible, screenshot

LONG = 40  # council members and agenda items of the long meeting


def _long_meeting(committee):
    """A second community whose council has 40 members, and a meeting of 40 items."""
    community = Community(
        slug="changqing", name="长青社区", district="姑苏区", register_size=5000, annual_budget=300_000
    )
    db.session.add(community)
    db.session.flush()
    ruleset = RuleSet(community_id=community.id, version=1)
    db.session.add(ruleset)
    db.session.add(
        Membership(
            user_id=committee.id, community_id=community.id, role=Role.COMMITTEE, status=MembershipStatus.VERIFIED
        )
    )
    members = []
    for n in range(1, LONG + 1):
        user = User(username=f"cq{n}", display_name=f"长青议事员{n:02d}")
        user.set_password(secrets.token_hex(8))
        db.session.add(user)
        db.session.flush()
        role = Role.CHAIR if n == 1 else Role.COUNCIL_MEMBER
        db.session.add(
            Membership(user_id=user.id, community_id=community.id, role=role, status=MembershipStatus.VERIFIED)
        )
        members.append(user)
    db.session.flush()
    meeting = Meeting(
        community_id=community.id,
        title="长青社区2026年第4次居民议事会",
        starts_at=clock.now() + timedelta(days=10),
        place="长青社区党群服务中心",
        ruleset_id=ruleset.id,
        chair_id=members[0].id,
        secretary_id=committee.id,
        checkin_token=secrets.token_urlsafe(24),
        created_by_id=committee.id,
    )
    db.session.add(meeting)
    db.session.flush()
    for n in range(1, LONG + 1):
        matter = MicroMatter(
            community_id=community.id,
            proposer_id=members[n - 1].id,
            title=f"第{n:02d}项：楼道照明与扶手改造",
            description="说明",
            description_html="<p>说明</p>",
            category="accessibility",
            location=f"{n}栋",
            estimated_cost=1000 * n,
            project_type="works",
            status="on_agenda",
        )
        db.session.add(matter)
        db.session.flush()
        agenda_item = AgendaItem(community_id=community.id, matter_id=matter.id, position=n)
        db.session.add(agenda_item)
        db.session.flush()
        db.session.add(MeetingItem(meeting_id=meeting.id, agenda_item_id=agenda_item.id, position=n))
    db.session.commit()
    return meeting.id


@pytest.fixture(scope="module")
def printing(tmp_path_factory, demo_file):
    """The demo (a copy) and the long meeting served once for every test of this file: printing reads only."""
    folder = tmp_path_factory.mktemp("printouts")
    copy_sqlite_file(demo_file, folder / "print.db")
    app = create_app("test", SQLALCHEMY_DATABASE_URI=f"sqlite:///{folder / 'print.db'}", UPLOAD_FOLDER=str(folder))
    with app.app_context():
        committee = db.session.scalar(select(User).where(User.username == "committee"))
        home = db.session.scalar(select(Community).where(Community.slug == "xinglin"))
        locked = db.session.scalar(select(Minutes.meeting_id).where(Minutes.locked_at.is_not(None)).limit(1))
        scheduled = db.session.scalar(
            select(Meeting.id).where(Meeting.community_id == home.id, Meeting.status == "scheduled").limit(1)
        )
        rounds = db.session.scalars(select(VotingRound).where(VotingRound.community_id == home.id)).all()
        ids = {
            "locked": locked,
            "scheduled": scheduled,
            "rounds": {r.method: r.id for r in rounds},
            "record": db.session.scalar(
                select(ImplementationRecord.id).where(ImplementationRecord.state == "evaluation").limit(1)
            ),
            "notices": db.session.scalars(select(Notice.id).order_by(Notice.id)).all(),
            "long": _long_meeting(committee),
        }
        serializer = app.session_interface.get_signing_serializer(app)
        ids["committee_cookie"] = serializer.dumps(signed_in(committee.get_id()))
    with LiveServer(app) as server:
        app.config["PUBLIC_BASE_URL"] = server.url
        yield server, ids
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


def _squash(text):
    return re.sub(r"\s+", "", text)


def signed_in_as(page, server, cookie):
    page.context.add_cookies([{"name": "session", "value": cookie, "url": server.url}])
    return page


def print_sheet(page, server, path, name):
    """Open the sheet, check it (accessible, its QR code reads as its address) and print it on A4:
    (the sheet's facts from the page, the text of each PDF page without white space). The page
    is left showing the screen's styles again, for the next sheet."""
    response = page.goto(server.url + path)
    assert response.status == 200, path
    assert page.locator("header.site, nav").count() == 0
    qr = page.locator("header.sheet-head figure.qr-block")
    url = qr.locator(".url").inner_text()
    assert url.startswith(server.url + "/c/")
    assert decode(rasterise(qr.locator("svg.qr").evaluate("svg => svg.outerHTML"))) == url
    screenshot(page, f"print-{name}-phone")
    assert_accessible(page, f"printed {name}")
    page.emulate_media(media="print")
    facts = {
        "url": url,
        "signers": page.locator(".signatures .sign-role").all_inner_texts(),
        "row_break": page.evaluate(
            "() => { const r = document.querySelector('.sheet tbody tr'); return r && getComputedStyle(r).breakInside }"
        ),
        "head_display": page.evaluate(
            "() => { const h = document.querySelector('.sheet thead'); return h && getComputedStyle(h).display }"
        ),
        "headers": page.locator(".sheet thead th").all_inner_texts(),
    }
    pdf = page.pdf(format="A4")
    page.emulate_media(media="no-override")
    return facts, [_squash(p.extract_text()) for p in PdfReader(io.BytesIO(pdf)).pages]


def assert_first_page_carries_qr_url_and_signatures(facts, pages):
    # The QR code sits in the figure whose caption is the address: the address on page 1 puts it there.
    assert _squash(facts["url"]) in pages[0]
    for signer in facts["signers"]:
        assert _squash(signer) in pages[0], f"signature line {signer!r} is not on the first page"


def test_each_demo_sheet_prints_on_one_a4_page_with_qr_url_and_signatures_first(printing, new_page):
    server, ids = printing
    meeting = ids["locked"]
    sheets = {
        "meeting-notice": (f"/c/xinglin/meetings/{ids['scheduled']}/print/notice", None, 1),
        "agenda": (f"/c/xinglin/meetings/{ids['scheduled']}/print/agenda", None, 1),
        "sign-in": (f"/c/xinglin/meetings/{ids['scheduled']}/print/sign-in", ids["committee_cookie"], 1),
        "minutes": (f"/c/xinglin/meetings/{meeting}/minutes/print", None, 2),
        "rating-form": (f"/c/xinglin/tracker/{ids['record']}/rating-form", ids["committee_cookie"], 1),
        **{
            f"ballot-{method}": (f"/c/xinglin/rounds/{round_id}/paper/ballot", ids["committee_cookie"], 1)
            for method, round_id in ids["rounds"].items()
        },
        **{f"notice-{n}": (f"/c/xinglin/notices/{n}/print", None, 1) for n in ids["notices"]},
    }
    assert len(ids["notices"]) >= 3 and len(ids["rounds"]) >= 2
    # One phone for a visitor's sheets and one for the committee's: a page a sheet took a second each.
    phones = {None: new_page("phone"), ids["committee_cookie"]: new_page("phone")}
    signed_in_as(phones[ids["committee_cookie"]], server, ids["committee_cookie"])
    for name, (path, cookie, expected) in sheets.items():
        facts, pages = print_sheet(phones[cookie], server, path, name)
        assert len(pages) == expected, f"{name}: {len(pages)} pages"
        assert_first_page_carries_qr_url_and_signatures(facts, pages)
        if name in ("minutes", "sign-in", "meeting-notice", "rating-form") or name.startswith("notice-"):
            assert facts["signers"], f"{name} has no signature lines"
        if facts["row_break"] is not None:
            assert facts["row_break"] == "avoid" and facts["head_display"] == "table-header-group"


@pytest.mark.parametrize("sheet", ["sign-in", "agenda"])
def test_a_long_sheet_runs_over_pages_with_headers_repeated_and_no_row_cut(printing, new_page, sheet):
    server, ids = printing
    path = f"/c/changqing/meetings/{ids['long']}/print/{sheet}"
    page = signed_in_as(new_page("desktop"), server, ids["committee_cookie"])
    facts, pages = print_sheet(page, server, path, f"long-{sheet}")
    assert len(pages) >= 2
    assert _squash(facts["url"]) in pages[0]
    # The secretary and the chair sign below the full list, on its last page.
    assert all(_squash(signer) in pages[-1] for signer in facts["signers"])
    assert facts["row_break"] == "avoid" and facts["head_display"] == "table-header-group"
    # The header row is printed again at the top of every page.
    for number, text in enumerate(pages, 1):
        assert all(_squash(h) in text for h in facts["headers"]), f"page {number} lacks the table header"
    # Each row lies whole on one page: its number and its first text cell sit together, on one page only.
    for n in range(1, LONG + 1):
        row = f"{n}长青议事员{n:02d}" if sheet == "sign-in" else f"{n}第{n:02d}项"
        holding = [number for number, text in enumerate(pages, 1) if row in text]
        assert len(holding) == 1, f"row {n} is on pages {holding}"


def test_the_sign_in_sheet_is_not_printed_for_a_resident(printing, new_page):
    server, ids = printing
    page = new_page("phone")
    response = page.goto(f"{server.url}/c/xinglin/meetings/{ids['scheduled']}/print/sign-in")
    assert "/auth/login" in page.url and response.status == 200  # visitors are sent to log in
