"""Never stale: pages served from the page cache (app/ops/pagecache.py) are exactly what a fresh
rendering would show, after every write the URL map allows.

The walk: every write route of the URL map, posted as a role that may act (as the authorisation
matrix does, on its world: tests/security/world.py). Before each write the community's list, a
matter's page, the community's home and the front page are in the cache; after a write that
changed the database, each of them must equal a fresh rendering (the cache emptied)."""

import pytest
from sqlalchemy import select

from app.communities.models import Community
from app.core.versions import SITE, DataVersion
from app.extensions import db
from app.matters import services
from app.matters.models import MicroMatter, Support
from tests.helpers import login
from tests.matters.helpers import fields
from tests.security.test_authz_matrix import POST, WRITE_METHODS, rules

HIT = "X-Page-Cache"


def cache_of(app):
    return app.wsgi_app


def pages(walk):
    slug = walk.snap.args["slug"]
    return ("/", f"/c/{slug}/", f"/c/{slug}/matters/", f"/c/{slug}/matters/{walk.snap.args['matter_id']}")


def anonymous(walk, url):
    return walk.request("anonymous", url)


@pytest.mark.slow
def test_after_every_write_the_cached_pages_are_fresh(walker):
    app = walker.app
    cache = cache_of(app)
    urls = pages(walker)
    stale, writes = [], 0
    marker = walker.writes.marker()
    for rule in rules(app, WRITE_METHODS):
        if not POST.get(rule.endpoint):
            continue
        role = sorted(POST[rule.endpoint])[0]
        method = sorted(rule.methods & WRITE_METHODS)[0]
        url = walker.url(rule)
        before = {page: anonymous(walker, page) for page in urls}
        assert all(
            anonymous(walker, page).headers.get(HIT) == "hit" for page in urls if before[page].status_code == 200
        )
        walker.request(role, url, method)
        now = walker.writes.marker()
        if now == marker or not walker.differs():
            marker = now
            continue
        writes += 1
        served = {page: anonymous(walker, page) for page in urls}
        cache.clear()
        for page in urls:
            fresh = anonymous(walker, page)
            if (served[page].status_code, served[page].data) != (fresh.status_code, fresh.data):
                stale.append(f"{method} {url} as {role}: {page} served stale")
        walker.rebuild()
        marker = walker.writes.marker()
    assert writes >= 10, "the walk wrote too little to prove anything"
    assert not stale, "\n".join(stale)


def _tokens():
    return dict(db.session.execute(select(DataVersion.scope, DataVersion.token)).all())


def _matter(community, proposer):
    return services.create_matter(proposer, community, submit=True, **fields())


def test_a_support_changes_the_count_on_the_cached_list_at_once(app, make, client):
    community = make.community()
    community_id = community.id
    proposer, supporter = make.member(community), make.member(community)
    matter = _matter(community, proposer)
    slug, matter_id = community.slug, matter.id
    url = f"/c/{slug}/matters/"
    visitor = app.test_client()
    visitor.get(url)
    cached = visitor.get(url)
    assert cached.headers.get(HIT) == "hit"
    before = db.session.scalar(select(MicroMatter.support_count).where(MicroMatter.id == matter_id))
    login(client, supporter)
    tokens = _tokens()
    assert client.post(f"/c/{slug}/matters/{matter_id}/support").status_code in (302, 303)
    after_tokens = _tokens()
    # the count's UPDATE names only this community's row: the site's pages elsewhere stay cached
    assert after_tokens[community_id] != tokens[community_id] and after_tokens[SITE] == tokens[SITE]
    assert db.session.scalar(select(Support.id).where(Support.matter_id == matter_id)) is not None
    after = visitor.get(url)
    assert HIT not in after.headers
    assert after.data != cached.data
    db.session.expire_all()
    assert db.session.get(MicroMatter, matter_id).support_count == before + 1


def test_a_write_in_one_community_leaves_the_pages_of_another_cached(app, make):
    a, b = make.community(), make.community()
    a_slug, b_slug = a.slug, b.slug
    visitor = app.test_client()
    for slug in (a_slug, b_slug):
        visitor.get(f"/c/{slug}/matters/")
    tokens = _tokens()
    db.session.get(Community, a.id).name = "甲社区改名"
    db.session.commit()
    after = _tokens()
    assert after[a.id] != tokens[a.id] and after[b.id] == tokens[b.id]
    assert visitor.get(f"/c/{b_slug}/matters/").headers.get(HIT) == "hit"
    page = visitor.get(f"/c/{a_slug}/matters/")
    assert HIT not in page.headers and "甲社区改名" in page.get_data(as_text=True)
    # the front page shows every community: any write renders it again
    visitor.get("/")
    assert visitor.get("/").headers.get(HIT) == "hit"
    db.session.get(Community, b.id).name = "乙社区改名"
    db.session.commit()
    assert HIT not in visitor.get("/").headers
