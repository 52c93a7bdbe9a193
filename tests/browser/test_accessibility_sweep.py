"""axe-core over the main pages of every feature, as the people who use them, on a phone
(390x844) and a desktop; serious or critical violations fail. Along the way every submit
control is collected: an `<input type=submit>` and a `<button>` of the same class must look the
same (background, text colour, border). Screenshots of every page go to
artifacts/screenshots/a11y-<who>-<page>-<viewport>.jpg (kept by CI)."""

import re

import pytest
from sqlalchemy import select

from app.auth.models import User
from app.extensions import db
from tests.security import test_authz_matrix as matrix
from tests.security.world import restore_into

from .helpers import assert_accessible, screenshot, sign_in

world_snapshot = matrix.world_snapshot  # the authorisation matrix's world, built once per run

# Submit controls outside header/nav (the header's controls are styled for the dark bar on purpose).
CONTROL_LOOKS = """() => Array.from(document.querySelectorAll('main button, main input[type=submit]'))
  .filter(e => e.getClientRects().length)
  .map(e => { const s = getComputedStyle(e);
    return {tag: e.tagName, cls: [...e.classList].sort().join('.'),
            look: [s.backgroundColor, s.color, s.borderTopColor, s.borderTopWidth]}; })"""


def _pages(snap):
    from app.tracker.models import ImplementationRecord
    from app.voting.models import VotingRound

    a = snap.args
    c = f"/c/{a['slug']}"
    counted = next(r.id for r in db.session.scalars(select(VotingRound)) if r.state() == "counted")
    evaluation = db.session.scalar(select(ImplementationRecord.id).where(ImplementationRecord.state == "evaluation"))
    return {
        None: [
            "/",
            "/auth/login",
            "/auth/register",
            "/auth/forgot",
            "/auth/reset-code",
            f"{c}/",
            f"{c}/matters/",
            f"{c}/matters/{a['matter_id']}",
            f"{c}/agenda/",
            f"{c}/meetings/",
            f"{c}/meetings/{a['meeting_id']}",
            f"{c}/meetings/{a['meeting_id']}/minutes",
            f"{c}/rounds/",
            f"{c}/rounds/{counted}/results",
            f"{c}/tracker/",
            f"{c}/tracker/{a['record_id']}",
            f"{c}/notices/",
            f"{c}/notices/{a['notice_id']}",
            f"{c}/notices/{a['notice_id']}/print",
            f"{c}/results",
            f"{c}/rules/",
            "/api/v1/docs",
        ],
        "resident": [
            f"{c}/matters/new",
            f"{c}/rounds/{a['round_id']}",
            f"{c}/tracker/{evaluation}/rate",
            "/inbox/",
            "/inbox/preferences",
            "/auth/profile",
        ],
        "council": [f"{c}/meetings/{a['meeting_id']}/member"],
        "chair": [f"{c}/meetings/{a['meeting_id']}/chair"],
        "committee": [
            f"{c}/members",
            f"{c}/members/{a['membership_id']}/reset-code",
            f"{c}/review",
            f"{c}/meetings/new",
            f"{c}/rounds/new",
            f"{c}/tracker/{a['record_id']}/manage",
            f"{c}/dashboard",
            f"{c}/notices/new",
            f"{c}/households",
            f"{c}/rules/edit",
            f"{c}/rounds/{counted}/paper",
            f"{c}/rounds/{a['round_id']}/paper",
        ],
        "admin": ["/admin/", "/admin/dashboard/"],
    }


# One test a viewport, so that two workers share the sweep; the looks of submit controls are
# compared within a viewport, as before.
@pytest.mark.parametrize("viewport", ["phone", "desktop"])
def test_main_pages_are_accessible_on_phone_and_desktop(live_app, live_server, new_page, world_snapshot, viewport):
    with live_app.app_context():
        snap = restore_into(live_app, world_snapshot)
        pages = _pages(snap)
        usernames = {role: db.session.get(User, user_id).username for role, (user_id, _token) in snap.users.items()}
    failures = []
    looks = {}  # class -> {(tag, background, colour, border): first page seen}
    for role, paths in pages.items():
        page = new_page(viewport)
        if role:
            sign_in(page, live_server, usernames[role])
        for path in paths:
            response = page.goto(live_server.url + path)
            name = re.sub(r"[^a-z0-9]+", "-", path.lower()).strip("-") or "front"
            screenshot(page, f"a11y-{role or 'visitor'}-{name}-{viewport}")
            if response.status != 200:
                failures.append(f"{path} as {role or 'visitor'} ({viewport}): HTTP {response.status}")
                continue
            for control in page.evaluate(CONTROL_LOOKS):
                seen = looks.setdefault(control["cls"], {})
                seen.setdefault((control["tag"], *control["look"]), path)
            try:
                assert_accessible(page, f"{path} as {role or 'visitor'} ({viewport})")
            except AssertionError as error:
                failures.append(str(error))
        page.close()  # the member's and the chair's live views would poll on through the next roles' pages
    for cls, seen in looks.items():
        by_tag = {}
        for tag, *look in seen:
            by_tag.setdefault(tag, set()).add(tuple(look))
        if len(by_tag) > 1 and len(set().union(*by_tag.values())) > 1:
            failures.append(f"class {cls!r} ({viewport}): input and button differ: {seen}")
    assert not failures, "\n".join(failures)
