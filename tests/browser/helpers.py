"""Plain helpers for the browser tests: screenshots, the axe-core check, logging in through
the form or by a signed session cookie, and a seeded community. Screenshots go to
artifacts/screenshots (kept by CI, see README)."""

import weakref
from pathlib import Path

from axe_playwright_python.base import AXE_SCRIPT
from sqlalchemy import select

from app.extensions import db

SCREENSHOTS = Path(__file__).resolve().parents[2] / "artifacts" / "screenshots"


def screenshot(page, name, folder=SCREENSHOTS):
    """folder/name.jpg, the whole page at one pixel per CSS pixel: at a phone's DPR 3 the
    screenshots took more than half of the accessibility sweep's time, and a JPEG takes half the
    time of a PNG."""
    folder.mkdir(parents=True, exist_ok=True)
    page.wait_for_load_state("load")
    page.screenshot(path=str(folder / f"{name}.jpg"), full_page=True, scale="css", type="jpeg", quality=80)


# Pages that get axe-core on every new document (an init script, sent to the browser once):
# sending the half-megabyte script with each check took about as long as the check itself.
_axe_preloaded = weakref.WeakSet()


# axe-core gives every violation of a rule the impact the rule declares (its `impact`), so a rule
# declared minor or moderate can never fail the check below: it is not run (about a third of the
# time axe takes). Read from the axe that is loaded, so a new version's ratings count as they are.
_RUN_SERIOUS_RULES = """() => {
  const rules = {};
  for (const rule of axe._audit.rules) {
    if (rule.impact === "minor" || rule.impact === "moderate") rules[rule.id] = {enabled: false};
  }
  return axe.run({resultTypes: ["violations"], rules});
}"""


def assert_accessible(page, name=""):
    """axe-core in the page; fails on serious or critical violations."""
    # A click that navigates returns once the new page has committed, before its body has come:
    # axe would run on an empty document (no documentElement) or on one without its styles.
    page.wait_for_load_state("load")
    if page not in _axe_preloaded:
        page.add_init_script(AXE_SCRIPT)
        _axe_preloaded.add(page)
    if not page.evaluate("typeof window.axe === 'object'"):
        page.evaluate(AXE_SCRIPT)
    response = page.evaluate(_RUN_SERIOUS_RULES)
    bad = [v for v in response["violations"] if v.get("impact") in ("serious", "critical")]
    assert not bad, f"{name}: " + "; ".join(
        f"{v['id']} ({v['impact']}): {[n['target'] for n in v['nodes']][:3]}" for v in bad
    )


def login(page, server, username, password="password123"):
    page.goto(f"{server.url}/auth/login")
    page.get_by_label("手机号或用户名").or_(page.get_by_label("Phone number or user name")).fill(username)
    page.locator("input[name=password]").fill(password)
    page.locator("input[type=submit], button[type=submit]").filter(has_text="登录").or_(
        page.locator("#submit")
    ).first.click()


def sign_in(page, server, username):
    """`username` signed in by the session cookie a login through the form leaves (`login`), for
    steps that are not about logging in: no login page and no redirect to load."""
    from app.auth.models import User
    from app.auth.sessions import signed_in

    app = server.app
    with app.app_context():
        user = db.session.scalar(select(User).where(User.username == username))
        value = app.session_interface.get_signing_serializer(app).dumps(signed_in(user.get_id()))
        db.session.remove()
    page.context.add_cookies([{"name": "session", "value": value, "url": server.url}])
    return page


COMMITTEE = ("committee", "居委会 周主任", "committee")


def seed_community(people, **rules):
    """In an app context: the community /c/xinglin/ with verified members given as
    (username, display name, role) and rule-set fields; returns {username: User}.
    Every account's password is "password123"."""
    from app.auth.models import User
    from app.communities.models import Community, Membership, MembershipStatus
    from app.rules.models import RuleSet

    community = Community(slug="xinglin", name="杏林社区", district="姑苏区", register_size=3200, annual_budget=300_000)
    db.session.add(community)
    db.session.flush()
    db.session.add(RuleSet(community_id=community.id, version=1, **rules))
    users = {}
    for username, display_name, role in people:
        user = User(username=username, display_name=display_name)
        user.set_password("password123")
        db.session.add(user)
        db.session.flush()
        db.session.add(
            Membership(
                user_id=user.id,
                community_id=community.id,
                role=role,
                status=MembershipStatus.VERIFIED,
                address="3栋401",
            )
        )
        users[username] = user
    db.session.commit()
    return community, users


def seed_matter(
    community, proposer, title, cost, *, category="accessibility", project_type="works", status="on_agenda"
):
    """A micro-matter already at `status` (set directly: the test is about what comes after)."""
    from app.matters.models import MicroMatter

    matter = MicroMatter(
        community_id=community.id,
        proposer_id=proposer.id,
        title=title,
        description="说明",
        description_html="<p>说明</p>",
        category=category,
        location="小区",
        estimated_cost=cost,
        project_type=project_type,
        status=status,
    )
    db.session.add(matter)
    db.session.flush()
    return matter
