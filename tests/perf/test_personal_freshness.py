"""Never stale, logged in: the values kept per data version that a logged-in person's page shows
(app/core/version_cache.py: the community's, and the person's own — their membership, unread
count and streets in the header) are what a fresh reading gives, after every write the URL map allows.

The walk of tests/perf/test_freshness.py (every write route, posted as a role that may act, on the
authorisation matrix's world), with every signed-in role looking at the community's list before
and after each write; after a write that changed the database, each role's page must equal the
page rendered with nothing kept."""

import re

import pytest

from app.core import version_cache
from tests.security.test_authz_matrix import POST, SIGNED_IN, WRITE_METHODS, change_marker, digest, rules

FORM_TOKEN = re.compile(r'name="csrf_token" value="[^"]*"')


def _page(walk, role, url):
    response = walk.request(role, url)
    return response.status_code, FORM_TOKEN.sub("", response.get_data(as_text=True))


@pytest.mark.slow
def test_after_every_write_each_persons_page_shows_fresh_values(walker):
    url = f"/c/{walker.snap.args['slug']}/matters/"
    stale, writes = [], 0
    pristine = digest()
    marker = change_marker()
    for rule in rules(walker.app, WRITE_METHODS):
        if not POST.get(rule.endpoint):
            continue
        role = sorted(POST[rule.endpoint])[0]
        method = sorted(rule.methods & WRITE_METHODS)[0]
        for person in SIGNED_IN:  # their values kept
            _page(walker, person, url)
        walker.request(role, walker.url(rule), method)
        now = change_marker()
        if now == marker or digest() == pristine:
            marker = now
            continue
        writes += 1
        served = {person: _page(walker, person, url) for person in SIGNED_IN}
        version_cache.clear()
        for person in SIGNED_IN:
            if _page(walker, person, url) != served[person]:
                stale.append(f"{method} {rule.rule} as {role}: {person}'s page served stale values")
        walker.rebuild()
        marker = change_marker()
    assert writes >= 10, "the walk wrote too little to prove anything"
    assert not stale, "\n".join(stale)
