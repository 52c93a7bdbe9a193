"""Statement budgets: the micro-matter list, a matter's page and a counted round's results run at
most BUDGET SQL statements each, for a visitor and for a logged-in resident, and the number does
not grow with the rows shown (no per-row queries): three times the comments, supports, photos,
milestones, ballots and matters give the same count.

Statements are counted on the engine (every SELECT, INSERT, UPDATE and DELETE the request sends;
BEGIN, COMMIT and ROLLBACK are the transaction's, not the page's). The page cache and the
bodies kept for people logged in are emptied before each request, so the page is rendered, not
served from memory."""

import re
from contextlib import contextmanager
from datetime import timedelta

import pytest
from sqlalchemy import event, select, text

from app.auth.models import User
from app.communities.models import Community, Role
from app.core import shared_body, version_cache
from app.core.clock import utcnow
from app.councils import attendance, meetings, review, speakers
from app.councils import minutes as council_minutes
from app.councils import votes as council_votes
from app.extensions import db
from app.matters import services
from app.matters.models import MatterPhoto, MicroMatter
from app.rules.models import RuleSet
from app.tracker import delivery
from app.tracker import records as record_services
from app.voting import casting, counting
from tests.councils import helpers as council_helpers
from tests.helpers import image_bytes, login, upload
from tests.matters.helpers import fields
from tests.once_per_module import once_per_module
from tests.voting.helpers import close, make_matters, open_round

BUDGET = 12
BASE = "/c/xinglin"
TRANSACTION = re.compile(r"\s*(BEGIN|COMMIT|ROLLBACK|SAVEPOINT|RELEASE)\b", re.IGNORECASE)


@contextmanager
def counted_statements():
    statements = []

    def count(_connection, _cursor, statement, _parameters, _context, _executemany):
        if not TRANSACTION.match(statement):
            statements.append(statement)

    engine = db.engine
    event.listen(engine, "before_cursor_execute", count)
    try:
        yield statements
    finally:
        event.remove(engine, "before_cursor_execute", count)


def statements_of(app, client, path, warm=True):
    """(status, statements) of a rendering of `path`, not served from the page cache. Warm: the
    values kept per data version (app/core/version_cache.py) are there, as for every view after
    the first since the last write; cold: that first view."""
    if not warm:
        version_cache.clear()
    for _ in range(2 if warm else 1):
        if hasattr(app.wsgi_app, "clear"):
            app.wsgi_app.clear()
        shared_body.clear()  # logged in: the body and header kept for people logged in
        db.session.remove()  # each request with an empty session, as in production
        with counted_statements() as statements:
            response = client.get(path)
    return response.status_code, list(statements)


class World:
    """A community with matters that have everything a page can show; `grow()` adds one more
    unit of every kind of row (the pages are measured at one unit and at three). It keeps ids:
    each request starts with an empty session, as in production."""

    def __init__(self, make):
        self.make = make
        community = make.community(slug="xinglin", support_threshold_count=50, min_turnout_percent=1)
        self.community_id = community.id
        self.committee_id = make.member(community, role=Role.COMMITTEE, username="committee").id
        self.proposer_id = make.member(community, username="proposer", display_name="王阿姨").id
        make.member(community, username="resident", display_name="居民")
        matter = services.create_matter(
            self.proposer, community, submit=True, photos=[upload(image_bytes())], **fields()
        )
        self.matter_id, self.approved_id, self.round_ids = matter.id, None, []
        self.grow()

    @property
    def community(self):
        return db.session.get(Community, self.community_id)

    @property
    def proposer(self):
        return db.session.get(User, self.proposer_id)

    def _person(self):
        return self.make.member(self.community)

    def grow(self):
        community, matter, proposer = self.community, db.session.get(MicroMatter, self.matter_id), self.proposer
        for _ in range(2):  # more matters on the list, each with a photo and a supporter
            other = services.create_matter(
                self._person(), community, submit=True, photos=[upload(image_bytes())], **fields(title="路灯")
            )
            services.support(self._person(), other)
        if len(matter.photos) < services.PHOTOS_MAX:  # another photo (the same image, a new row)
            db.session.add(MatterPhoto(matter_id=matter.id, photo_id=matter.photos[0].photo_id))
            db.session.commit()
        for stance in ("support", "oppose", "neutral"):
            for _ in range(2):
                author = self._person()
                comment = services.add_comment(author, matter, stance, "有道理")
                services.reply(proposer, comment, "谢谢")
                if stance == "support":
                    services.support(author, matter)
        services.add_clarification(proposer, matter, "补充说明")
        self._count_a_round()

    def _count_a_round(self):
        """A counted round with a few more options and ballots each time; its first winner is
        approved and gets milestones (the matter page shows the vote and the delivery)."""
        community, committee, n = self.community, db.session.get(User, self.committee_id), len(self.round_ids)
        options = make_matters(community, self.proposer, costs=[10_000, 20_000, 30_000, 40_000][: 2 + n])
        voters = [self._person() for _ in range(3 * (1 + n))]  # on the register before the round opens
        voting_round = open_round(committee, community, options, budget=1_000_000)
        for voter in voters:
            casting.cast_ballot(voter, voting_round, (1,))
        close(voting_round)
        counting.count_round(committee, voting_round)
        record = record_services.record_for_matter(options[0])
        for i in range(2 + n):
            delivery.add_milestone(
                committee, record, title=f"第{i}步", planned_date=voting_round.closes_at.date() + timedelta(i)
            )
        self.round_ids.append(voting_round.id)
        self.approved_id = options[0].id


def pages(world):
    return {
        "list": f"{BASE}/matters/",
        "list, sorted and filtered": f"{BASE}/matters/?sort=supported&category=accessibility&q=坡道",
        "matter": f"{BASE}/matters/{world.matter_id}",
        "matter, one stance": f"{BASE}/matters/{world.matter_id}?stance=support",
        "approved matter": f"{BASE}/matters/{world.approved_id}",
        "results": f"{BASE}/rounds/{world.round_ids[-1]}/results",
    }


def measure(app, client, world, warm=True):
    counts = {}
    for name, path in pages(world).items():
        status, statements = statements_of(app, client, path, warm)
        assert status == 200, (name, path)
        counts[name] = statements
    return counts


# The first view after a write reads what the later ones find kept per data version: the
# community, the support threshold, the officials' badges; logged in, also the person's own values
# kept per their data version (their account row, membership, unread count and streets: the
# header's) and whether the list shows them drafts or hidden matters of their own
# (app/matters/list_routes._sees_own).
PER_VERSION = 3
PER_PERSON = 5


def over_budget(counts):
    return {name: len(s) for name, s in counts.items() if len(s) > BUDGET}


def numbers(counts):
    return {name: len(s) for name, s in counts.items()}


@pytest.fixture
def world(app, make, request):
    """The same world for every test here: built by the first, put back from its rows (with its
    photos, and the builder's count, so that the accounts `grow()` adds get new names) for the others."""
    return once_per_module(request, lambda: World(make))


@pytest.mark.parametrize("who", ["anonymous", "resident"])
def test_pages_stay_within_the_statement_budget_whatever_the_rows(app, client, world, who):
    if who == "resident":
        login(client, User(username="resident"))
    cold = measure(app, client, world, warm=False)
    first = measure(app, client, world)
    assert not over_budget(first), {name: "\n".join(first[name]) for name in over_budget(first)}
    extra = PER_VERSION + (PER_PERSON if who == "resident" else 0)
    assert all(len(cold[name]) <= len(first[name]) + extra for name in first), (numbers(cold), numbers(first))
    world.grow()
    world.grow()
    later = measure(app, client, world)
    # three times the comments, supports, photos, clarifications, matters, milestones, options and
    # ballots: the same statements (no query per row)
    assert numbers(later) == numbers(first)


def test_the_count_is_real(app, client, world):
    """The counter sees the page's statements, and one more row read per item would show."""
    _status, statements = statements_of(app, client, f"{BASE}/matters/{world.matter_id}")
    assert any("micro_matter" in s for s in statements)
    assert len(statements) >= 4


def test_a_write_shows_at_once_on_pages_that_use_values_kept_per_version(app, client, world):
    """The community's name and the support threshold are kept per data version: a change to
    them is on the next page view."""
    page = client.get(f"{BASE}/matters/").get_data(as_text=True)
    assert "为社区" in page and "获得 50 人附议" in page
    community = world.community
    community.name = "杏林新村"
    db.session.commit()
    ruleset = db.session.scalar(select(RuleSet).where(RuleSet.community_id == community.id))
    ruleset.support_threshold_count = 7
    db.session.commit()
    if hasattr(app.wsgi_app, "clear"):
        app.wsgi_app.clear()
    db.session.remove()
    page = client.get(f"{BASE}/matters/").get_data(as_text=True)
    assert "为杏林新村" in page and "获得 7 人附议" in page


def test_the_filter_form_rendered_once_shows_each_visitors_own_filters_and_language(app, client, world):
    """The filter form's HTML is kept per language and filter values (matters/list_routes._filters_html)."""

    def form_of(path):
        html = client.get(path).get_data(as_text=True)
        return html[html.index('<form method="get"') : html.index("</form>")]

    first = form_of(f"{BASE}/matters/?q=坡道&status=collecting")
    assert 'value="坡道"' in first and '<option selected value="collecting">' in first
    assert form_of(f"{BASE}/matters/?q=坡道&status=collecting") == first
    other = form_of(f"{BASE}/matters/?q=路灯&sort=supported")
    assert 'value="路灯"' in other and "坡道" not in other and '<option selected value="supported">' in other
    client.get("/?lang=en")
    english = form_of(f"{BASE}/matters/?q=坡道&status=collecting")
    assert "Search" in english and english != first


# ---------------------------------------------------------------- meetings


class MeetingWorld:
    """A council of its own community: an open meeting some way through its agenda (`scale` items
    decided by named votes, then one under debate with a motion, speakers who spoke and wait, and
    an open vote half cast) and a meeting held and closed with its draft minutes. `scale` also sets
    the number of council members; the pages are measured at scale 1 and 3."""

    def __init__(self, make, slug, scale):
        community = make.community(
            slug=slug, seconders_needed=1, turns_per_item=2, minutes_per_turn=2, notice_days=3, minutes_comment_days=0
        )
        self.slug = slug
        committee = make.member(community, role=Role.COMMITTEE, username=f"{slug}-committee")
        chair = make.member(community, role=Role.CHAIR, username=f"{slug}-chair", display_name="陈会长")
        members = [
            make.member(community, role=Role.COUNCIL_MEMBER, username=f"{slug}-m{i}", display_name=f"议事员{i}")
            for i in range(2 + 2 * scale)
        ]
        resident = make.member(community, username=f"{slug}-resident")
        self.usernames = {"chair": chair.username, "member": members[0].username, "resident": resident.username}
        council = [chair, *members]
        self.open_id = self._meeting(community, committee, chair, council, resident, scale, close=False).id
        self.closed_id = self._meeting(community, committee, chair, council, resident, scale, close=True).id

    @staticmethod
    def _meeting(community, committee, chair, council, resident, scale, close):
        items = [
            council_helpers.make_matter(community, resident, title=f"议题{i}", cost=10_000) for i in range(scale + 1)
        ]
        meeting = meetings.schedule_meeting(
            committee,
            community,
            title="议事会",
            starts_at=utcnow() + timedelta(minutes=30),
            place="活动室",
            chair_id=chair.id,
            secretary_id=committee.id,
            agenda_item_ids=[review.ensure_agenda_item(m).id for m in items],
            urgent=True,
            urgent_reason="水管爆裂，需尽快决定",
        )
        for user in council:
            attendance.check_in(committee, meeting, user.id)
        meetings.open_meeting(committee, meeting)
        members = council[1:]
        for n, item in enumerate(meeting.items):
            meetings.open_item(committee, meeting, item)
            motion = council_votes.move_motion(members[0], meeting, item, "approve", 9_000, "同意实施")
            council_votes.second_motion(members[1], meeting, motion)
            for member in members[2:]:
                speakers.ask_to_speak(member, meeting, item, "pro")
            speakers.next_speaker(committee, meeting, item)
            point = council_votes.raise_point_of_order(members[-1], meeting, "发言超时")
            council_votes.rule_on_point(chair, meeting, point, True, "请注意时间")
            last = n == len(meeting.items) - 1 and not close
            if last:  # under debate: one has spoken, one speaks, the others wait, a vote half cast
                speakers.end_turn(committee, meeting, item)
                speakers.next_speaker(committee, meeting, item)
            else:
                speakers.end_turn(committee, meeting, item)
            vote = council_votes.open_vote(chair, meeting, motion, "named")
            for user in council[: len(council) // 2 if last else len(council)]:
                council_votes.cast_vote(user, meeting, vote, "yes")
            if not last:
                council_votes.close_vote(chair, meeting, vote)
        if close:  # and the minutes published
            meetings.close_meeting(chair, meeting)
            council_minutes.lock(chair, council_minutes.original(meeting))
        return meeting


def meeting_pages(world):
    base = f"/c/{world.slug}/meetings"
    return {
        ("anonymous", "meeting"): f"{base}/{world.open_id}",
        ("member", "meeting, member's view"): f"{base}/{world.open_id}/member",
        ("chair", "meeting, chair's console"): f"{base}/{world.open_id}/chair",
        ("chair", "minutes"): f"{base}/{world.closed_id}/minutes",
        ("anonymous", "minutes"): f"{base}/{world.closed_id}/minutes",
    }


def measure_meetings(app, world, warm=True):
    counts = {}
    for (who, name), path in meeting_pages(world).items():
        client = app.test_client()
        if who != "anonymous":
            login(client, User(username=world.usernames[who]))
        status, statements = statements_of(app, client, path, warm)
        assert status == 200, (who, name, path, status)
        counts[(who, name)] = statements
    return counts


def test_meeting_pages_stay_within_the_statement_budget_whatever_the_rows(app, make):
    small = MeetingWorld(make, "small", 1)
    cold = measure_meetings(app, small, warm=False)
    first = measure_meetings(app, small)
    over = over_budget(first)
    assert not over, {key: "\n".join(first[key]) for key in over}
    assert all(
        len(cold[key]) <= len(first[key]) + PER_VERSION + (PER_PERSON if key[0] != "anonymous" else 0) for key in first
    ), (numbers(cold), numbers(first))
    large = measure_meetings(app, MeetingWorld(make, "large", 3))
    # three times the items, motions, speakers, votes, ballots and members: the same statements
    assert numbers(large) == numbers(first)


def test_per_view_values_are_read_once_per_page_view_and_afresh_by_writes(app):
    reads = []

    def read():
        reads.append(1)
        return len(reads)

    # each request in its own app context (and `g`), as in production
    with app.app_context(), app.test_request_context("/", method="GET"):
        assert version_cache.per_view("x", 1, read) == version_cache.per_view("x", 1, read) == 1
        assert version_cache.per_view("x", 2, read) == 2  # another key: its own value
    with app.app_context(), app.test_request_context("/", method="GET"):
        assert version_cache.per_view("x", 1, read) == 3  # a new request reads again
    with app.app_context(), app.test_request_context("/", method="POST"):
        assert version_cache.per_view("x", 1, read) == version_cache.per_view("x", 1, read) == 4
        db.session.execute(text("DELETE FROM community WHERE id = 0"))  # the session writes
        assert version_cache.per_view("x", 1, read) == 5  # a write checks what it changes
        assert version_cache.per_view("x", 1, read) == 5
        db.session.rollback()  # its transaction ends
        assert version_cache.per_view("x", 1, read) == 6
