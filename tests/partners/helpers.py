"""Plain helpers for the 五社联动 tests."""

from app.extensions import db
from tests.tracker.helpers import days


def has_taken_place(task, days_ago=1):
    """The task's day is over (as if it had been planned earlier): hours can be logged, sign-ups close."""
    task.task_date = days(-days_ago)
    db.session.commit()
    return task
