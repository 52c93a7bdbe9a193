"""Never stale, logged in: the pages a logged-in person gets (app/core/shared_body.py: the list,
a counted round's results and a matter's page, put together from a body kept per data version and
audience and a header kept per person; app/core/version_cache.py: the community's values and the person's own —
their membership, unread count and streets in the header) are what a fresh rendering gives, after
every write the URL map allows.

The walk of tests/perf/test_freshness.py (every write route, posted as a role that may act, on the
authorisation matrix's world), with every signed-in role looking at the community's list, their own
list, a counted round's results and a matter's page before and after each write; after a write that changed the
database, each role's page must equal the page rendered with nothing kept."""

import re

import pytest

from app.core import shared_body, version_cache
from tests.perf.kept_state import KeptState
from tests.security.test_authz_matrix import POST, SIGNED_IN, WRITE_METHODS, rules

FORM_TOKEN = re.compile(r'name="csrf_token" value="[^"]*"')
# What the check below empties to render a page with nothing kept.
KEPT_STORES = (version_cache._store, version_cache._people, shared_body._bodies, shared_body._headers)


def _page(walk, role, url):
    response = walk.request(role, url)
    return response.status_code, FORM_TOKEN.sub("", response.get_data(as_text=True))


def _pages(walk):
    slug = walk.snap.args["slug"]
    counted = walk.snap.variants["counted"]["round_id"]
    matter = walk.snap.args["matter_id"]
    return (
        f"/c/{slug}/matters/",
        f"/c/{slug}/matters/?mine=1",
        f"/c/{slug}/rounds/{counted}/results",
        f"/c/{slug}/matters/{matter}",
    )


@pytest.mark.slow
def test_after_every_write_each_persons_page_shows_fresh_values(walker):
    urls = _pages(walker)
    stale, writes, hits = [], 0, 0
    # The kept parts stay valid while the world is put back (below), whatever the clock says.
    walker.app.config["PAGE_CACHE_SECONDS"] = 10**9
    for person in SIGNED_IN:
        for url in urls:
            _page(walker, person, url)
    # every person's pages kept for the world as it is (after a request that wrote nothing they still are)
    kept = KeptState(*KEPT_STORES)
    marker = walker.writes.marker()
    for rule in rules(walker.app, WRITE_METHODS):
        if not POST.get(rule.endpoint):
            continue
        role = sorted(POST[rule.endpoint])[0]
        method = sorted(rule.methods & WRITE_METHODS)[0]
        walker.request(role, walker.url(rule), method)
        now = walker.writes.marker()
        if now == marker or not walker.differs():
            marker = now
            continue
        writes += 1
        served = {}
        for person in SIGNED_IN:
            for url in urls:
                response = walker.request(person, url)
                hits += response.headers.get(shared_body.HIT) == "hit"
                served[person, url] = response.status_code, FORM_TOKEN.sub("", response.get_data(as_text=True))
        for person in SIGNED_IN:
            for url in urls:
                version_cache.clear()
                shared_body.clear()
                if _page(walker, person, url) != served[person, url]:
                    stale.append(f"{method} {rule.rule} as {role}: {person}'s {url} served stale")
        walker.rebuild()
        kept.put_back()  # the world as it was, and so what was kept for it
        marker = walker.writes.marker()
    assert writes >= 10, "the walk wrote too little to prove anything"
    assert hits >= writes, "too few pages came from kept parts to prove anything"
    assert not stale, "\n".join(stale)
