"""The councils demo step: rules v2, the agenda list, a held meeting with locked minutes, an upcoming one."""

import pytest
from sqlalchemy import func, select

from app.audit.services import verify
from app.councils import demo, minutes
from app.demo import core, rows_kept
from app.extensions import db
from app.matters.models import MicroMatter
from app.rules.services import current_ruleset


@pytest.mark.slow
def test_demo_step(app):
    context = {"password": "weiyi-demo"}
    with rows_kept():  # as `flask demo` loads
        core.load(context)
        demo.load(context)
    db.session.commit()
    held, upcoming = context["meetings"]
    assert current_ruleset(context["community"]).version == 2
    assert held.status == "closed" and held.ruleset.version == 2
    assert sorted(i.matter.status for i in held.items) == ["approved", "approved", "in_vote", "rejected"]
    assert all(i.status == "decided" for i in held.items)
    locked = minutes.original(held)
    assert locked.locked and len(locked.content["items"]) == 4 and locked.content["attendance"]
    assert upcoming.status == "scheduled" and len(upcoming.items) == 3 and not upcoming.urgent
    on_agenda = db.session.scalar(select(func.count(MicroMatter.id)).where(MicroMatter.status == "on_agenda"))
    assert on_agenda - len(upcoming.items) >= demo.RESERVED
    assert held.starts_at < upcoming.starts_at
    assert verify() == []
