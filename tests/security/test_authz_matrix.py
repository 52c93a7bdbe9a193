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

import pytest
from sqlalchemy import update

from app import create_app
from app.auth import sessions as auth_sessions
from app.auth.models import User
from app.extensions import db
from tests.database import empty_database, fresh_schema, once_per_run
from tests.security.headers import csp_blocked_markup, security_header_problems
from tests.security.world import ROLES, build, restore, restore_into
from tests.security.writes import WriteWatch, digest, table_digests

LOGIN = "login"
SIGNED_IN = tuple(r for r in ROLES if r != "anonymous")
VERIFIED = ("resident", "council", "chair", "committee", "proposer")  # verified members of the demo community


def everyone(code=200):
    return dict.fromkeys(ROLES, code)


def signed_in(code=200):
    return {**everyone(code), "anonymous": LOGIN}


def only(*roles, denied=403):
    """Login required; these roles get 200, the others `denied`."""
    return {role: LOGIN if role == "anonymous" else (200 if role in roles else denied) for role in ROLES}


COUNCIL = ("council", "chair")  # council members of the demo community (the chair presides over the demo meetings)
RUNS_MEETINGS = ("chair", "committee")  # the demo meetings' chair and secretary
STAFF = ("committee", "admin")


def public_data():
    """Open data and counted results: everyone, whoever they are."""
    return everyone()


# ------------------------------------------------------------------ GET: endpoint[@variant] -> role -> outcome
GET = {
    "static": everyone(),
    "front.index": everyone(),
    "core.healthz": everyone(),
    "core.favicon": everyone(),
    "core.service_worker": everyone(),
    "core.offline": everyone(),
    "auth.login": everyone(),
    "auth.register": everyone(),
    "auth.profile": signed_in(),
    "auth.forgot_password": everyone(),
    "auth.reset_with_link": everyone(404),  # the world's link is made up: not found, whoever asks
    "auth.reset_with_code": everyone(),
    "recovery.issue_code": only("committee"),  # a reset code for a resident, given in person
    # residents' rights over their data: the notice is public, the rest is one's own account only
    "privacy.notice": everyone(),
    "privacy.consent": signed_in(),
    "privacy.my_data": signed_in(),
    "privacy.delete_account": signed_in(),  # the page; deleting needs the password (POST)
    "notifications.inbox": signed_in(),
    # opening marks the entry read and goes to its page: one's own entries only
    "notifications.open_notification": {**everyone(404), "anonymous": LOGIN, "resident": "redirect"},
    "notifications.preferences_page": signed_in(),
    "notifications.sms_number": signed_in(),  # one's own number for SMS
    "admin.index": only("admin"),
    "admin.community": only("admin"),
    "tracker_admin.index": only("admin"),
    "tracker_admin.export_csv": only("admin"),
    # the street office: its staff and site admins read; site admins manage streets and their staff
    "streets.index": signed_in(),  # the list of one's streets (empty for most)
    "streets.dashboard": only("street", "admin"),
    "streets.figures_csv": only("street", "admin"),
    "streets.exception_lists": only("street", "admin"),
    "streets.exceptions_csv": only("street", "admin"),
    "street_admin.index": only("admin"),
    "street_admin.street": only("admin"),
    # the yearly record (台账): public, like the figures, notices and results it is made from
    "yearbook.community_report": everyone(),
    "yearbook.community_csv": everyone(),
    "street_yearbook.street_report": everyone(),
    "street_yearbook.street_csv": everyone(),
    "communities.home": everyone(),
    "communities.members": only(*STAFF),
    "communities.remove_member": only(*STAFF),  # a verified resident's membership
    "communities.settings": only(*STAFF),  # the WeCom group robot (its key is a secret)
    "rules.show": everyone(),
    "rules.version": everyone(),
    "rules.edit": only(*STAFF),
    "rule_adoption.residents_round": only(*STAFF),  # a rule change adopted by the council, to the residents
    # micro-matters: public once submitted; drafts only for the proposer, the committee and admins
    "matters.index": everyone(),
    "matters.detail": everyone(),
    "matters.detail@draft": {**everyone(404), "proposer": 200, "committee": 200, "admin": 200},
    "matters.comment_page": everyone(),
    "matters.comment_page@draft": everyone(404),  # the comment is not on the draft
    "matters.photo": everyone(),
    "matters.photo@draft": everyone(404),  # the photo is not the draft's
    "matters.pending_photo": {**everyone(404), "anonymous": LOGIN, "proposer": 200},  # its owner's eyes only
    "matters.new": only(*VERIFIED),
    "matters.edit": only("proposer"),
    "matters.edit@draft": {**only("proposer", denied=404), "committee": 403, "admin": 403},
    # review, agenda list and meetings
    "councils.review": only("committee"),
    "councils.agenda": everyone(),
    "councils.meetings": everyone(),
    "councils.meeting": everyone(),
    "councils.meeting@scheduled": everyone(),
    "councils.new_meeting": only("committee"),
    "councils.chair_view": only(*RUNS_MEETINGS),
    "councils.chair_view@scheduled": only(*RUNS_MEETINGS),
    "councils.projector_view": only(*RUNS_MEETINGS),
    "councils.projector_view@scheduled": only(*RUNS_MEETINGS),
    "councils.member_view": only(*COUNCIL),
    "councils.member_view@scheduled": only(*COUNCIL),
    "councils.live": everyone(),  # the public view's live region
    "councils.live@scheduled": everyone(),
    "councils.live@chair": {**only(*RUNS_MEETINGS), "anonymous": 403},
    "councils.live@projector": {**only(*RUNS_MEETINGS), "anonymous": 403},
    "councils.live@member": {**only(*COUNCIL), "anonymous": 403},
    # the check-in page is reached with the meeting's secret token (QR code in the room); checking in
    # itself is for council members (see POST)
    "councils.checkin": signed_in(),
    "councils.checkin@scheduled": signed_in(),
    "councils.minutes": everyone(),  # locked minutes are public
    "councils.minutes@scheduled": everyone(404),  # none yet
    # printed paperwork: the poster, the agenda and locked minutes are public; the sign-in sheet names the council
    "councils.print_meeting_notice": everyone(),
    "councils.print_meeting_notice@scheduled": everyone(),
    "councils.print_agenda": everyone(),
    "councils.print_agenda@scheduled": everyone(),
    "councils.print_sign_in": only(*RUNS_MEETINGS),
    "councils.print_sign_in@scheduled": only(*RUNS_MEETINGS),
    "councils.print_minutes": everyone(),
    "councils.print_minutes@scheduled": everyone(404),  # no locked minutes yet
    # resident voting rounds
    "voting.index": everyone(),
    "voting.ballot": everyone(),  # the ballot page explains who may vote
    "voting.ballot@counted": everyone(),
    "voting.check": everyone(),  # receipt look-up
    "voting.mine": signed_in(),
    "voting.receipt": signed_in(),
    "voting.receipt@counted": signed_in(),
    "voting.results": everyone(),  # before the count: participation only
    "voting.results@counted": everyone(),
    "voting.ballots": everyone(404),  # anonymised ballots only once counted
    "voting.ballots@counted": everyone(),
    "voting.ballots_csv": everyone(404),
    "voting.ballots_csv@counted": everyone(),
    "voting.ballots_pb": everyone(404),
    "voting.ballots_pb@counted": everyone(),
    "voting.round_json": everyone(404),
    "voting.round_json@counted": everyone(),
    "voting.results_csv": everyone(404),
    "voting.results_csv@counted": everyone(),
    "voting.paper_template": everyone(),
    "voting.paper_template@counted": everyone(),
    "voting.new": only(*STAFF),
    "voting.paper": only(*STAFF, *COUNCIL),  # council members confirm tally sheets as scrutineers
    "voting.paper@counted": only(*STAFF, *COUNCIL),
    "voting.print_ballot": only(*STAFF, *COUNCIL),  # blank paper ballots, for whoever runs the sessions
    "voting.print_ballot@counted": only(*STAFF, *COUNCIL),
    "voting.paper_objection": signed_in(),  # the page says whether you were marked in person
    "voting.paper_objection@counted": signed_in(),
    "voting.households": only(*STAFF),
    "voting.household": only(*STAFF),
    # implementation tracker
    "tracker.index": everyone(),
    "tracker.record": everyone(),
    "tracker.record@evaluation": everyone(),
    "tracker.photo": everyone(),
    "tracker.matter_timeline": everyone(),
    "tracker.matter_timeline@draft": everyone(404),
    "tracker.rate": signed_in(),  # the page says who may rate; rating itself is checked on POST
    "tracker.rate@evaluation": signed_in(),
    "tracker.manage": only("committee"),
    "tracker.manage@evaluation": only("committee"),
    "tracker.print_rating_form": only("committee"),
    "tracker.print_rating_form@evaluation": only("committee"),
    "tracker.dashboard": only(*STAFF),
    # publishing
    "fund.index": everyone(),
    "fund.page": everyone(),
    "fund.reverse": only("committee"),
    "conventions.index": everyone(),
    "conventions.print_current": everyone(),
    "conventions.version": everyone(),
    "conventions.amendment": everyone(),
    "conventions.establish": {**only("committee"), "committee": "redirect"},  # written down once: the demo's is
    "conventions.propose": only(*VERIFIED),
    # the committee enters the assembly's counts; a second person (committee, council, admin) confirms them
    "conventions.assembly": only("committee", "council", "chair", "admin"),
    "conventions.approval_round": only("committee"),  # the residents' yes/no round, when the rules say so
    # 五社联动: public profiles and tasks; the committee manages; verified members volunteer
    "partners.index": everyone(),
    # entries on behalf of residents (代录): the committee and grid workers record; administrators read the lists
    "onbehalf.index": only("committee", "admin"),
    "onbehalf.entries_csv": only("committee", "admin"),
    **{
        f"onbehalf.{name}": {**only("committee"), "admin": 404}  # nobody an administrator may record for
        for name in ("resident", "propose", "support", "comment", "rate")
    },
    "register.index": only("committee"),
    # council terms: the list of the council and attendance are public; the committee keeps terms and substitutes
    "council_terms.members": everyone(),
    "council_terms.attendance": everyone(),
    "council_terms.manage": only("committee"),
    "council_terms.end_term": only("committee"),
    "committee_items.index": everyone(),
    "moderation.report": only(*VERIFIED),
    "moderation.queue": only("committee"),
    "moderation.block": only("committee"),
    "moderation.hide_matter": only("committee"),
    "committee_items.detail": everyone(),
    "committee_items.new": only("committee"),
    "attachments.new": only("committee"),  # on the demo's assigned committee item
    "attachments.file": everyone(),
    "attachments.remove": only("committee"),  # the committee added the demo's files
    "api.attachments": public_data(),
    "api.attachments_csv": public_data(),
    "api.committee_items": public_data(),
    "api.committee_items_csv": public_data(),
    "partners.partner": everyone(),
    "partners.new_partner": only("committee"),
    "partners.edit_partner": only("committee"),
    "partners.volunteer": signed_in(),  # the page says who may volunteer; signing up is checked on POST
    "partners.tasks": everyone(),
    "partners.task": everyone(),
    "partners.new_task": only("committee"),
    "publishing.results": everyone(),
    "publishing.notices": everyone(),
    "publishing.notice": everyone(),
    "publishing.print_notice": everyone(),
    "publishing.atom_feed": everyone(),
    "publishing.new_notice": only("committee"),
    # open data: read-only and public; nothing before it is public on the site
    "api.index": public_data(),
    "api.docs": public_data(),
    "api.docs_group": public_data(),
    "api.openapi_document": public_data(),
    "api.communities": public_data(),
    "api.communities_csv": public_data(),
    "api.community": public_data(),
    "api.matters": public_data(),
    "api.matters_csv": public_data(),
    "api.matter": public_data(),
    "api.matter@draft": everyone(404),
    "api.notices": public_data(),
    "api.notices_csv": public_data(),
    "api.notice": public_data(),
    "api.agenda": public_data(),
    "api.agenda_csv": public_data(),
    "api.meetings": public_data(),
    "api.meetings_csv": public_data(),
    "api.meeting": public_data(),
    "api.meeting@scheduled": public_data(),
    "api.minutes": public_data(),
    "api.minutes@scheduled": everyone(404),
    "api.decisions": public_data(),
    "api.decisions_csv": public_data(),
    "api.rounds": public_data(),
    "api.rounds_csv": public_data(),
    "api.voting_round": public_data(),
    "api.voting_round@counted": public_data(),
    "api.ballots": everyone(404),
    "api.ballots@counted": public_data(),
    "api.ballots_csv": everyone(404),
    "api.ballots_csv@counted": public_data(),
    "api.implementations": public_data(),
    "api.implementations_csv": public_data(),
    "api.implementation": public_data(),
    "api.implementation@evaluation": public_data(),
    "api.ratings": public_data(),
    "api.ratings_csv": public_data(),
    "api.fund_year": public_data(),
    "api.fund_entries": public_data(),
    "api.fund_entries_csv": public_data(),
    "api.convention_versions": public_data(),
    "api.convention_versions_csv": public_data(),
    "api.convention_amendments": public_data(),
    "api.convention_amendments_csv": public_data(),
    "api.partners": public_data(),
    "api.partners_csv": public_data(),
    "api.tasks": public_data(),
    "api.tasks_csv": public_data(),
}

# ------------------------------------------------------------------ writes: endpoint -> roles that may act
POST = {
    "auth.login": ROLES,
    "auth.register": ROLES,
    "auth.logout": SIGNED_IN,
    "auth.profile": SIGNED_IN,
    "auth.forgot_password": ROLES,
    "auth.reset_with_link": ROLES,  # whoever holds the link
    "auth.reset_with_code": ROLES,  # whoever holds the code
    "recovery.issue_code": ("committee",),
    "privacy.consent": SIGNED_IN,
    "privacy.my_data": SIGNED_IN,  # the download of one's own data
    "privacy.delete_account": SIGNED_IN,  # one's own account, with its password
    "notifications.mark_read": SIGNED_IN,
    "notifications.preferences_page": SIGNED_IN,
    "notifications.sms_number": SIGNED_IN,
    "notifications.remove_sms_number": SIGNED_IN,
    "admin.index": ("admin",),
    "admin.community": ("admin",),
    "communities.join": ("other", "admin", "street"),  # people without a membership here
    "streets.add_note": ("street",),  # a public note on an exception; nobody else, site admins neither
    **{f"street_admin.{name}": ("admin",) for name in ("index", "assign", "grant", "unassign", "withdraw")},
    "communities.members": STAFF,
    "communities.remove_member": STAFF,
    "communities.settings": STAFF,
    "communities.remove_group_robot": STAFF,
    "communities.register_size": STAFF,  # the register size a share threshold counts of
    "rules.edit": STAFF,
    "rules.withdraw": STAFF,  # the committee's draft version, before the council decides it
    "rule_adoption.residents_round": STAFF,
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
    "councils.admit": ("committee",),
    "councils.decline": ("committee",),
    "councils.move_agenda_item": ("committee",),
    "councils.new_meeting": ("committee",),
    "councils.open_meeting": RUNS_MEETINGS,
    "councils.close_meeting": RUNS_MEETINGS,
    "councils.attendance": RUNS_MEETINGS,
    "councils.handover": RUNS_MEETINGS,
    "councils.open_item": RUNS_MEETINGS,
    "councils.close_item": RUNS_MEETINGS,
    "councils.next_speaker": RUNS_MEETINGS,
    "councils.end_turn": RUNS_MEETINGS,
    "councils.open_vote": RUNS_MEETINGS,
    "councils.close_vote": RUNS_MEETINGS,
    "councils.decide": ("chair",),  # only the presiding chair settles a tie
    "councils.minutes_notes": RUNS_MEETINGS,
    "councils.minutes_correct": RUNS_MEETINGS,
    "councils.minutes_lock": ("chair",),
    "councils.minutes_send": RUNS_MEETINGS,  # the draft to the members for comments
    "councils.minutes_comment": COUNCIL,
    "councils.minutes_answer": ("chair",),  # only the presiding chair answers a comment
    "councils.checkin": COUNCIL,
    "councils.speak": COUNCIL,
    "councils.withdraw_turn": COUNCIL,
    "councils.move_motion": COUNCIL,
    "councils.second": COUNCIL,
    "councils.withdraw_motion": COUNCIL,
    "councils.amend": COUNCIL,  # the chair records it for a member (member_id)
    "councils.procedure": COUNCIL,  # a motion to defer or adjourn
    "councils.point_of_order": COUNCIL,
    "councils.rule_on_point": ("chair",),  # only the presiding chair rules
    "councils.ballot": COUNCIL,
    "councils.hand": COUNCIL,
    "proxies.give": COUNCIL,  # one's own written proxy, before the meeting opens
    "proxies.record_paper": RUNS_MEETINGS,  # a proxy signed on paper
    "proxies.revoke": RUNS_MEETINGS,  # or its giver (the demo's is not a role of the world)
    "proxies.ballot": COUNCIL,  # the holder's vote for the giver
    "voting.ballot": VERIFIED,
    "voting.new": STAFF,
    "voting.count": STAFF,
    "voting.my_share": tuple(ROLES),  # works out where a ballot's share went; stores nothing
    "voting.paper": STAFF + COUNCIL,
    "voting.paper_objection": VERIFIED,  # those marked in person (the service checks the mark)
    "voting.households": STAFF,
    "voting.household": STAFF,
    "tracker.rate": ("resident", "council", "chair", "proposer"),  # not the committee that manages it
    **{
        f"tracker.{name}": ("committee",)
        for name in (
            "details",
            "add_milestone",
            "milestone_done",
            "post_update",
            "spending",
            "start",
            "pause",
            "resume",
            "accept",
            "open_evaluation",
            "end_window",
            "respond",
            "rectify",
            "close",
            "cancel",
        )
    },
    "fund.record_source": ("committee",),
    "fund.reverse": ("committee",),
    "fund.close_year": ("committee",),
    "conventions.establish": ("committee",),
    "conventions.propose": VERIFIED,
    "conventions.support": VERIFIED,
    "conventions.admit": ("committee",),
    "conventions.decline": ("committee",),
    "conventions.assembly": ("committee",),
    "conventions.confirm_assembly": STAFF + COUNCIL,  # never the one who entered it (the service checks)
    "conventions.reject_assembly": STAFF + COUNCIL,
    "conventions.approval_round": ("committee",),
    "partners.new_partner": ("committee",),
    **{f"onbehalf.{name}": ("committee",) for name in ("propose", "support", "comment", "rate")},
    "register.import_file": ("committee",),
    "register.households": ("committee",),
    **{
        f"council_terms.{name}": ("committee",)
        for name in ("add_term", "end_term", "add_substitute", "remove_substitute", "move_up")
    },
    "committee_items.new": ("committee",),
    "moderation.report": VERIFIED,
    "moderation.close": ("committee",),
    "moderation.block": ("committee",),
    "moderation.unblock": ("committee",),
    "moderation.hide_matter": ("committee",),
    "moderation.unhide_matter": ("committee",),
    "attachments.new": ("committee",),
    "attachments.remove": ("committee",),
    "partners.edit_partner": ("committee",),
    "partners.volunteer": VERIFIED,
    "partners.new_task": ("committee",),
    "partners.sign_up": (),  # volunteers only, and no role of the world is one yet
    "partners.withdraw": (),  # only one's own sign-up
    "partners.sign_up_partner": ("committee",),
    "partners.decide_signup": ("committee",),
    "partners.log_hours": ("committee",),
    "publishing.new_notice": ("committee",),
    "publishing.lodge_objection": ("resident", "council", "chair", "proposer"),
    "publishing.answer_objection": ("committee",),
    "publishing.reopen_objection": ("committee",),
    "matters.clarify": ("proposer", "committee"),
}

WRITE_METHODS = {"POST", "PUT", "PATCH", "DELETE"}


def rules(app, methods):
    return sorted((r for r in app.url_map.iter_rules() if r.methods & methods), key=lambda r: r.endpoint)


def test_every_route_has_a_rule_in_the_table(app):
    missing_get = sorted({r.endpoint for r in rules(app, {"GET"})} - {k.split("@")[0] for k in GET})
    missing_post = sorted({r.endpoint for r in rules(app, WRITE_METHODS)} - set(POST))
    assert not missing_get and not missing_post, (
        "Routes without an authorisation rule in tests/security/test_authz_matrix.py — add them to the table "
        f"(GET: {missing_get}; POST: {missing_post})"
    )
    stale = sorted(({k.split("@")[0] for k in GET} | set(POST)) - {r.endpoint for r in app.url_map.iter_rules()})
    assert not stale, f"the table names endpoints that no longer exist: {stale}"
    for table in (GET, POST):
        for key, value in table.items():
            roles = set(value)
            assert roles <= set(ROLES), f"{key}: unknown roles {roles - set(ROLES)}"
    for key, outcomes in GET.items():
        assert set(outcomes) == set(ROLES), f"{key}: every role needs an expected outcome"


_world = {}  # the world of this process, whichever module's copy of the fixture asks first


@pytest.fixture(scope="session")
def world_snapshot():
    """The demo world, built once per run (by one worker, `once_per_run`) on the test database, kept
    as rows, with the folder of its uploads. Modules that import this fixture register a copy of
    their own (tests/security/test_hostile_input.py, tests/perf, the browser tests): all share one
    build."""
    if not _world:
        _world["snapshot"] = once_per_run("matrix-world", _build_world)
    return _world["snapshot"]


def _build_world(uploads):
    app = create_app("test", UPLOAD_FOLDER=str(uploads))
    with app.app_context():
        fresh_schema()
        try:
            return uploads, build(app)
        finally:
            empty_database()


class Walker:
    """Clients for every role on an app whose database holds the world; `writes` tells whether
    anything was written, `differs()` whether the data is no longer the world's."""

    def __init__(self, app, snap, writes):
        self.app, self.snap, self.writes = app, snap, writes
        self.pristine = table_digests()  # the world's tables, as put back
        serializer = app.session_interface.get_signing_serializer(app)
        # The session login_user() makes, signed with the app's key (quicker than a scrypt login).
        self.sessions = {
            role: serializer.dumps(auth_sessions.signed_in(f"{user_id}:{token}"))
            for role, (user_id, token) in snap.users.items()
        }
        self.client = app.test_client()
        self._urls = {}

    def request(self, role, url, method="GET"):
        """Every request starts from the role's fresh session (a logout before does not carry over)."""
        self.client.delete_cookie("session", domain="localhost")
        if role != "anonymous":
            self.client.set_cookie("session", self.sessions[role], domain="localhost")
        return self.client.open(url, method=method, data={} if method != "GET" else None, buffered=True)

    def differs(self):
        """Whether the data differs from the world's: the tables written since the last rebuild,
        each compared with its digest as the world has it."""
        written = self.writes.written()
        now = table_digests(written)
        return now != {name: self.pristine[name] for name in now}

    def rebuild(self):
        """The world as it was (the tables written since the last rebuild put back); the users keep
        their ids and session tokens, so nobody logs in again."""
        restore(self.snap, tables=self.writes.written())
        self.writes.settle()

    def url(self, rule, variant=None):
        values = dict(self.snap.args)
        values.update(self.snap.endpoint_args.get(rule.endpoint, {}))
        if variant:
            values.update(self.snap.variants[variant])
        missing = [arg for arg in rule.arguments if arg not in values]
        assert not missing, f"{rule.endpoint}: the world has no value for {missing} (extend tests/security/world.py)"
        if rule.endpoint == "councils.checkin":
            # The check-in code changes every minute: the one the projector shows now.
            from app.councils.attendance import checkin_code
            from app.councils.models import Meeting

            values["token"] = checkin_code(db.session.get(Meeting, values["meeting_id"]))
        return self.url_for(rule.endpoint, **{a: values[a] for a in rule.arguments})

    def url_for(self, endpoint, **values):
        """`url_for` in a request context of its own, once per URL: the walks build the same ones
        again and again (the hostile values, every example)."""
        key = endpoint, tuple(sorted(values.items()))
        if key not in self._urls:
            with self.app.test_request_context():
                self._urls[key] = self.app.url_for(endpoint, **values)
        return self._urls[key]


def outcome(response):
    if response.status_code in (301, 302, 303, 307, 308):
        return LOGIN if "/auth/login" in response.headers.get("Location", "") else "redirect"
    return response.status_code


def page_problems(response):
    problems = list(security_header_problems(response))
    if response.mimetype == "text/html" and response.status_code == 200:
        problems += [
            f"{name} (blocked by the CSP): {markup}"
            for name, markup in csp_blocked_markup(response.get_data(as_text=True))
        ]
    return problems


@pytest.fixture
def walker(app, world_snapshot):
    """The run's app (its templates compiled once) holding the world, with a copy of the world's
    files in the test's own upload folder: a walk that removes an attachment or a photo must not
    take it from the next one."""
    snap = restore_into(app, world_snapshot)
    writes = WriteWatch()
    try:
        yield Walker(app, snap, writes)
    finally:
        writes.close()


def _rule(app, endpoint):
    return next(rule for rule in app.url_map.iter_rules() if rule.endpoint == endpoint)


def test_the_write_watch_moves_with_every_write_and_only_then(walker):
    """What the walks rest on: page views leave the marker where it was (no digest to pay for), and
    a write moves it, by a request or by a statement from outside the app's requests."""
    app, pristine = walker.app, digest()
    marker = walker.writes.marker()
    for role in ("anonymous", "resident"):
        for endpoint in ("matters.index", "matters.detail"):
            assert walker.request(role, walker.url(_rule(app, endpoint))).status_code == 200
    assert walker.writes.marker() == marker
    # A GET that writes on purpose (WRITING_GETS): the resident's inbox entry is marked read.
    assert not walker.differs()
    assert outcome(walker.request("resident", walker.url(_rule(app, "notifications.open_notification")))) == "redirect"
    assert walker.writes.marker() != marker and digest() != pristine
    assert "notification" in walker.writes.written() and walker.differs()
    walker.rebuild()  # only the tables written put back: the whole world is as it was
    assert digest() == pristine and not walker.differs()
    marker = walker.writes.marker()
    db.session.execute(update(User).values(display_name=User.display_name))
    db.session.commit()
    assert walker.writes.marker() != marker
    assert "user" in walker.writes.written()


# A page view writes nothing (no write lock on GET, issue 12), but for these, on purpose:
WRITING_GETS = {
    "notifications.open_notification",  # marks the reader's own entry read: see its docstring
}


@pytest.mark.slow
def test_get_matrix(walker):
    app = walker.app
    failures, header_failures, writers = [], [], []
    marker = walker.writes.marker()
    for rule in rules(app, {"GET"}):
        keys = [k for k in GET if k.split("@")[0] == rule.endpoint]
        for key in keys:
            variant = key.split("@")[1] if "@" in key else None
            url = walker.url(rule, variant)
            for role in ROLES:
                response = walker.request(role, url)
                got, expected = outcome(response), GET[key][role]
                if got != expected:
                    failures.append(f"GET {url} ({key}) as {role}: expected {expected}, got {got}")
                for problem in page_problems(response):
                    header_failures.append(f"GET {url} as {role}: {problem}")
                now = walker.writes.marker()
                if now != marker and walker.differs():
                    if rule.endpoint not in WRITING_GETS:
                        writers.append(f"GET {url} as {role}")
                    walker.rebuild()
                    now = walker.writes.marker()
                marker = now
    assert not failures, "authorisation matrix (GET) differs:\n" + "\n".join(failures)
    assert not writers, "page views that wrote to the database:\n" + "\n".join(writers)
    assert not header_failures, "responses without the required protection:\n" + "\n".join(sorted(set(header_failures)))


@pytest.mark.slow
def test_post_matrix(walker):
    app = walker.app
    failures = []
    marker = walker.writes.marker()

    def changed():
        nonlocal marker
        now = walker.writes.marker()
        if now == marker:
            return False
        marker = now
        return walker.differs()

    for rule in rules(app, WRITE_METHODS):
        if rule.endpoint not in POST:
            continue  # reported by test_every_route_has_a_rule_in_the_table
        allowed = set(POST[rule.endpoint])
        method = sorted(rule.methods & WRITE_METHODS)[0]
        url = walker.url(rule)
        # Refused roles first, on the untouched world; then the roles that may act.
        for role in sorted(ROLES, key=lambda r: r in allowed):
            response = walker.request(role, url, method)
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
            if changed():
                failures.append(f"{where}: refused ({got}) but the database changed")
                walker.rebuild()
                marker = walker.writes.marker()
        if changed():  # an allowed role wrote something: the next endpoint starts from the world again
            walker.rebuild()
            marker = walker.writes.marker()
    assert not failures, "authorisation matrix (writes) differs:\n" + "\n".join(failures)


OBJECT_ARGS = {
    "matter_id",
    "comment_id",
    "photo_id",
    "meeting_id",
    "item_id",
    "motion_id",
    "point_id",
    "vote_id",
    "turn_id",
    "minutes_id",
    "round_id",
    "household_id",
    "record_id",
    "milestone_id",
    "notice_id",
    "objection_id",
    "membership_id",
    "partner_id",
    "task_id",
    "signup_id",
    "attachment_id",
}


def test_objects_of_one_community_are_not_found_under_another(walker):
    """The demo community's ids under the other community's address (/c/beta/...): nothing is shown
    or changed, even for that community's committee or a site admin (refused or not found)."""
    app = walker.app
    failures = []
    slug = walker.snap.args["slug"]
    for rule in rules(app, {"GET"} | WRITE_METHODS):
        if "slug" not in rule.arguments or not OBJECT_ARGS & rule.arguments:
            continue
        url = (
            walker.url(rule)
            .replace(f"/c/{slug}/", "/c/beta/", 1)
            .replace(f"/communities/{slug}/", "/communities/beta/", 1)
        )
        method = "GET" if "GET" in rule.methods else sorted(rule.methods & WRITE_METHODS)[0]
        for role in ("other", "beta_committee", "admin"):
            marker = walker.writes.marker()
            response = walker.request(role, url, method)
            if response.status_code < 300 or response.status_code >= 500:
                failures.append(f"{method} {url} as {role}: {response.status_code}")
            if walker.writes.marker() != marker and walker.differs():
                failures.append(f"{method} {url} as {role}: something was written")
                walker.rebuild()
    assert not failures, "objects of one community reachable under another:\n" + "\n".join(failures)
