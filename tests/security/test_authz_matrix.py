"""The authorisation matrix: every rule in the URL map, for every role, against an
explicit table of what each role should get. A route missing from the table fails
the test by name, so a new route cannot ship without a rule.

GET: the exact outcome per role (200, 403, 404, "login" = redirect to the login page).
POST (and other writes): the roles that may act; every other role must be turned away
(login redirect, 400, 403 or 404, or a redirect that wrote nothing) — never a 200,
never a 5xx, and never a change to the database. Forms are sent empty with CSRF off:
this checks the gate, the services' own tests check the actions.

Along the way every response is checked for the security headers, and every HTML
page for markup the Content-Security-Policy would block (inline scripts, style=,
on*= handlers).
"""
import hashlib
import re

import pytest
from sqlalchemy import select

from app.extensions import db
from tests.conftest import login
from tests.database import clear_tables
from tests.security.headers import security_header_problems
from tests.security.world import PASSWORD, ROLES, build_world

LOGIN = "login"
SIGNED_IN = tuple(r for r in ROLES if r != "anonymous")
VERIFIED = ("resident", "council", "chair", "committee", "proposer")  # verified members of "alpha"


def everyone(code=200):
    return dict.fromkeys(ROLES, code)


def signed_in(code=200):
    return {**everyone(code), "anonymous": LOGIN}


def only(*roles, denied=403):
    """Login required; these roles get 200, the others `denied`."""
    return {role: LOGIN if role == "anonymous" else (200 if role in roles else denied) for role in ROLES}


# ------------------------------------------------------------------ GET: endpoint[@variant] -> role -> outcome
GET = {
    "static": everyone(),
    "core.index": everyone(),
    "core.healthz": everyone(),
    "core.favicon": everyone(),
    "auth.login": everyone(),
    "auth.register": everyone(),
    "auth.profile": signed_in(),
    "notifications.inbox": signed_in(),
    "admin.index": only("admin"),
    "admin.community": only("admin"),
    "communities.home": everyone(),
    "communities.members": only("committee", "admin"),
    # micro-matters: public once submitted; drafts only for the proposer, the committee and admins
    "matters.index": everyone(),
    "matters.detail": everyone(),
    "matters.detail@draft": {**everyone(404), "proposer": 200, "committee": 200, "admin": 200},
    "matters.photo": everyone(),
    "matters.new": only(*VERIFIED),
    "matters.edit": only("proposer"),
    "matters.edit@draft": {**only("proposer", denied=404), "committee": 403, "admin": 403},
    # publishing
    "publishing.results": everyone(),
    "publishing.notices": everyone(),
    "publishing.notice": everyone(),
    "publishing.print_notice": everyone(),
    "publishing.atom_feed": everyone(),
    "publishing.new_notice": only("committee"),
    # open data: read-only and public
    "api.index": everyone(),
    "api.docs": everyone(),
    "api.openapi_document": everyone(),
    "api.communities": everyone(),
    "api.communities_csv": everyone(),
    "api.community": everyone(),
    "api.matters": everyone(),
    "api.matters_csv": everyone(),
    "api.matter": everyone(),
    "api.notices": everyone(),
    "api.notices_csv": everyone(),
    "api.notice": everyone(),
}

# ------------------------------------------------------------------ writes: endpoint -> roles that may act
POST = {
    "auth.login": ROLES,
    "auth.register": ROLES,
    "auth.logout": SIGNED_IN,
    "auth.profile": SIGNED_IN,
    "notifications.mark_read": SIGNED_IN,
    "admin.index": ("admin",),
    "admin.community": ("admin",),
    "communities.join": ("other", "admin"),  # people without a membership here
    "communities.members": ("committee", "admin"),
    "matters.new": VERIFIED,
    "matters.edit": ("proposer",),
    "matters.submit": ("proposer",),
    "matters.withdraw": ("proposer",),
    "matters.support": ("resident", "council", "chair", "committee"),
    "matters.unsupport": ("resident", "council", "chair", "committee"),
    "matters.follow": SIGNED_IN,
    "matters.unfollow": SIGNED_IN,
    "matters.comment": VERIFIED,
    "matters.reply": ("proposer", "committee"),
    "matters.hide": ("committee",),
    "publishing.new_notice": ("committee",),
    "publishing.lodge_objection": ("resident", "council", "chair", "proposer"),
    "publishing.answer_objection": ("committee",),
}

WRITE_METHODS = {"POST", "PUT", "PATCH", "DELETE"}
INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)[^>]*>", re.I)
INLINE_HANDLER = re.compile(r"<[^>]+\son[a-z]+\s*=", re.I)
INLINE_STYLE = re.compile(r"<[^>]+\sstyle\s*=", re.I)


def rules(app, methods):
    return sorted((r for r in app.url_map.iter_rules() if r.methods & methods), key=lambda r: r.endpoint)


def test_every_route_has_a_rule_in_the_table(app):
    missing_get = sorted({r.endpoint for r in rules(app, {"GET"})} - {k.split("@")[0] for k in GET})
    missing_post = sorted({r.endpoint for r in rules(app, WRITE_METHODS)} - set(POST))
    assert not missing_get and not missing_post, (
        "Routes without an authorisation rule in tests/security/test_authz_matrix.py — add them to the table "
        f"(GET: {missing_get}; POST: {missing_post})")
    stale = sorted(({k.split("@")[0] for k in GET} | set(POST)) - {r.endpoint for r in app.url_map.iter_rules()})
    assert not stale, f"the table names endpoints that no longer exist: {stale}"
    for table in (GET, POST):
        for key, value in table.items():
            roles = set(value)
            assert roles <= set(ROLES), f"{key}: unknown roles {roles - set(ROLES)}"
    for key, outcomes in GET.items():
        assert set(outcomes) == set(ROLES), f"{key}: every role needs an expected outcome"


class Walker:
    def __init__(self, app):
        self.app = app
        self.world = None
        self.clients = {}

    def build(self):
        self.world = build_world()
        self.clients = {}
        for role in ROLES:
            client = self.app.test_client()
            if role != "anonymous":
                login(client, self.world.users[role], PASSWORD)
            self.clients[role] = client

    def rebuild(self):
        """A clean world again; the users get the same ids and session tokens, so nobody logs in again."""
        clear_tables()
        self.world = build_world()

    def url(self, rule, variant=None):
        values = dict(self.world.args)
        if variant:
            values.update(self.world.variants[variant])
        missing = [arg for arg in rule.arguments if arg not in values]
        assert not missing, f"{rule.endpoint}: the world has no value for {missing} (extend tests/security/world.py)"
        with self.app.test_request_context():
            return self.app.url_for(rule.endpoint, **{a: values[a] for a in rule.arguments})


def outcome(response):
    if response.status_code in (301, 302, 303, 307, 308):
        return LOGIN if "/auth/login" in response.headers.get("Location", "") else "redirect"
    return response.status_code


def snapshot():
    """A digest of every row of every table: proves a refused request wrote nothing."""
    digest = hashlib.sha256()
    for table in db.metadata.sorted_tables:
        order = list(table.primary_key.columns) or list(table.columns)
        for row in db.session.execute(select(table).order_by(*order)):
            digest.update(repr(tuple(row)).encode())
    db.session.rollback()
    return digest.hexdigest()


def page_problems(response):
    problems = list(security_header_problems(response))
    if response.mimetype == "text/html" and response.status_code == 200:
        html = response.get_data(as_text=True)
        for name, pattern in (("inline <script>", INLINE_SCRIPT), ("on*= handler", INLINE_HANDLER),
                              ("style= attribute", INLINE_STYLE)):
            found = pattern.search(html)
            if found:
                problems.append(f"{name} (blocked by the CSP): {found.group(0)[:80]}")
    return problems


@pytest.fixture
def walker(app):
    walker = Walker(app)
    walker.build()
    return walker


def test_get_matrix(app, walker):
    failures, header_failures = [], []
    for rule in rules(app, {"GET"}):
        keys = [k for k in GET if k.split("@")[0] == rule.endpoint]
        for key in keys:
            variant = key.split("@")[1] if "@" in key else None
            url = walker.url(rule, variant)
            for role in ROLES:
                response = walker.clients[role].get(url)
                got, expected = outcome(response), GET[key][role]
                if got != expected:
                    failures.append(f"GET {url} ({key}) as {role}: expected {expected}, got {got}")
                for problem in page_problems(response):
                    header_failures.append(f"GET {url} as {role}: {problem}")
    assert not failures, "authorisation matrix (GET) differs:\n" + "\n".join(failures)
    assert not header_failures, "responses without the required protection:\n" + "\n".join(
        sorted(set(header_failures)))


def test_post_matrix(app, walker):
    failures = []
    dirty = False
    for rule in rules(app, WRITE_METHODS):
        if rule.endpoint not in POST:
            continue  # reported by test_every_route_has_a_rule_in_the_table
        if dirty:
            walker.rebuild()
        allowed = set(POST[rule.endpoint])
        method = sorted(rule.methods & WRITE_METHODS)[0]
        url = walker.url(rule)
        before = snapshot()
        # Refused roles first, on the untouched world; then the roles that may act.
        for role in sorted(ROLES, key=lambda r: r in allowed):
            response = walker.clients[role].open(url, method=method, data={})
            got = outcome(response)
            where = f"{method} {url} as {role}"
            if response.status_code >= 500:
                failures.append(f"{where}: server error {response.status_code}")
            for problem in security_header_problems(response):
                failures.append(f"{where}: {problem}")
            if role in allowed:
                continue
            if got not in (LOGIN, 400, 403, 404, 405, "redirect"):
                failures.append(f"{where}: should be refused, got {got}")
            if snapshot() != before:
                failures.append(f"{where}: refused ({got}) but the database changed")
                walker.rebuild()
                before = snapshot()
        dirty = snapshot() != before
    assert not failures, "authorisation matrix (writes) differs:\n" + "\n".join(failures)
