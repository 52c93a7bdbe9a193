"""The demo: records in every state, created by the councils' and voting's approvals, pages that render."""

import pytest
from sqlalchemy import select

from app.extensions import db
from app.tracker import rating
from app.tracker import records as record_services
from app.tracker.models import ImplementationRecord, RecordState
from tests.helpers import login


@pytest.mark.slow
def test_demo_has_records_in_every_state(app, client, load_demo):
    from app.demo import STEPS
    from app.tracker import demo

    assert STEPS.index(demo.load) > [s.__module__ for s in STEPS].index("app.voting.demo")
    context = load_demo()  # every step of app.demo.STEPS
    # the demo community's records (the street's other communities have a few of their own)
    records = db.session.scalars(
        select(ImplementationRecord)
        .where(ImplementationRecord.community_id == context["community"].id)
        .order_by(ImplementationRecord.id)
    ).all()
    states = {r.state for r in records}
    assert states >= set(RecordState), states
    assert any(r.decided_by == "meeting" for r in records) and any(r.decided_by == "round" for r in records)
    overdue = record_services.overdue_record_ids()
    assert len(overdue) >= 1
    rated = next(r for r in records if r.state == RecordState.EVALUATION)
    assert len(rated.current_window.evaluations) >= 20
    rectifying = next(r for r in records if r.state == RecordState.RECTIFICATION)
    assert any(m.rectification_id for m in rectifying.milestones)
    assert rating.window_summary(rectifying.windows[0])["below"]
    closed = next(r for r in records if r.state == RecordState.CLOSED)
    assert closed.spent > closed.approved_budget  # with its published reason
    for record in records:
        assert (
            record.matter.status
            == {
                "planned": "approved",
                "in_progress": "implementing",
                "paused": "implementing",
                "completed": "completed",
                "evaluation": "evaluating",
                "rectification": "rectifying",
                "closed": "closed",
                "cancelled": "cancelled",
            }[record.state]
        )
        for path in (f"/c/xinglin/tracker/{record.id}", f"/c/xinglin/matters/{record.matter_id}/timeline"):
            response = client.get(path)
            assert response.status_code == 200 and len(response.data) < 50_000, path
    login(client, context["committee"], "password123")
    response = client.get("/c/xinglin/dashboard")
    assert response.status_code == 200 and len(response.data) < 50_000
    for record in records:
        assert client.get(f"/c/xinglin/tracker/{record.id}/manage").status_code == 200
