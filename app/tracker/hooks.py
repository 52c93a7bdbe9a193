"""The tracker follows the micro-matter lifecycle.

- An approval (council motion or resident round) creates the implementation record.
- Delivery transitions (start, complete, open_evaluation, rectify, close), whoever applies
  them, bring the record's state along in the same transaction.
- Guards refuse what would leave a record inconsistent: accepting work with milestones
  not done, closing while residents can still rate or while a verdict below the
  threshold has no answer from the committee.
"""

from flask_babel import lazy_gettext as _l
from markupsafe import Markup
from sqlalchemy import func, select

from app.extensions import db

from .models import Milestone, RecordState
from .rating import needs_response
from .records import create_record, follow_transition, record_for_matter

FOLLOWED_ACTIONS = ("start_implementation", "complete", "open_evaluation", "rectify", "close", "cancel")


def on_transition(matter, action=None, actor=None, data=None, **_extra):
    data = data or {}
    if action == "approve":
        create_record(matter, actor, data)
    elif action in FOLLOWED_ACTIONS:
        record = record_for_matter(matter) or create_record(matter, actor, {})
        follow_transition(record, action, actor, data)


def tracker_guard(matter, action):
    if action not in ("complete", "close"):
        return None
    record = record_for_matter(matter)
    if record is None:
        return None
    if action == "complete":
        open_milestones = db.session.scalar(
            select(func.count(Milestone.id)).where(Milestone.record_id == record.id, Milestone.done_on.is_(None))
        )
        if open_milestones:
            return _l("Mark every milestone done before acceptance (%(n)s still open).", n=open_milestones)
        if record.state == RecordState.PAUSED:
            return _l("Resume the work before acceptance.")
        return None
    window = record.current_window
    if window is not None and not window.has_ended():
        return _l("Residents can still rate it: end the evaluation window first.")
    if needs_response(record):
        return _l("Satisfaction is below the threshold: open a rectification or give a public reason first.")
    return None


# Sections on the committee's dashboard from features above the tracker (the street office's public
# notes): panel(community) -> HTML from the feature's own render_template, or None.
DASHBOARD_PANELS: list = []


def add_dashboard_panel(panel):
    if panel not in DASHBOARD_PANELS:  # a second app, a test: registering again changes nothing
        DASHBOARD_PANELS.append(panel)


def dashboard_panels(community):
    return [Markup(html) for panel in DASHBOARD_PANELS if (html := panel(community))]  # nosec B704  # noqa: S704
