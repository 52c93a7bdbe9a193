"""Statement budgets: the micro-matter list, a matter's page and a counted round's results run at
most BUDGET SQL statements each, for a visitor and for a logged-in resident, and the number does
not grow with the rows shown (no per-row queries): three times the comments, supports, photos,
milestones, ballots and matters give the same count.

Statements are counted on the engine (every SELECT, INSERT, UPDATE and DELETE the request sends;
BEGIN, COMMIT and ROLLBACK are the transaction's, not the page's). The page cache is emptied
before each request, so the page is rendered, not served from memory."""

import re
from contextlib import contextmanager
from datetime import timedelta

import pytest
from sqlalchemy import event, select

from app.auth.models import User
from app.communities.models import Community, Role
from app.core import version_cache
from app.extensions import db
from app.matters import services
from app.matters.models import MatterPhoto, MicroMatter
from app.rules.models import RuleSet
from app.tracker import delivery
from app.tracker import records as record_services
from app.voting import casting, counting
from tests.helpers import image_bytes, login, upload
from tests.matters.helpers import fields
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


# Pages still above the budget, with the count they must not exceed (issue 12 §2, left): the
# panels other features add to an approved matter's page (council review and agenda entry,
# delivery record, milestones and tasks, the round) and, logged in, the results page's paper
# sessions. Lower a figure when a change brings a page down; never raise it.
LEFT_OVER = {
    ("anonymous", "approved matter"): 13,
    ("resident", "approved matter"): 18,
    ("resident", "results"): 13,
}
# The first view after a write reads what the later ones find kept per data version: the
# community, the support threshold, the officials' badges.
PER_VERSION = 3


def over_budget(who, counts):
    return {name: len(s) for name, s in counts.items() if len(s) > max(BUDGET, LEFT_OVER.get((who, name), BUDGET))}


def numbers(counts):
    return {name: len(s) for name, s in counts.items()}


@pytest.fixture
def world(app, make):
    return World(make)


@pytest.mark.parametrize("who", ["anonymous", "resident"])
def test_pages_stay_within_the_statement_budget_whatever_the_rows(app, client, world, who):
    if who == "resident":
        login(client, User(username="resident"))
    cold = measure(app, client, world, warm=False)
    first = measure(app, client, world)
    assert not over_budget(who, first), {name: "\n".join(first[name]) for name in over_budget(who, first)}
    assert all(len(cold[name]) <= len(first[name]) + PER_VERSION for name in first), (numbers(cold), numbers(first))
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
    """The filter form's HTML is kept per language and filter values (matters/routes._filters_html)."""

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
