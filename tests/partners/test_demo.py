"""The demo: two partners and a volunteer team, volunteers, tasks on delivered matters with
confirmed hours, an upcoming task with a sign-up waiting; the pages render."""

import pytest
from sqlalchemy import select

from app.extensions import db
from app.partners.models import DeliveryTask, Partner, SignupStatus, TaskSignup, Volunteer
from tests.helpers import login


@pytest.mark.slow
def test_demo_shares_out_the_delivery(app, client, load_demo):
    from app.demo import STEPS

    modules = [s.__module__ for s in STEPS]
    assert modules.index("app.partners.demo") > modules.index("app.tracker.demo")
    context = load_demo()  # every step of app.demo.STEPS
    kinds = sorted(db.session.scalars(select(Partner.kind)))
    assert len(kinds) == 3 and "volunteer_team" in kinds
    assert len(db.session.scalars(select(Volunteer)).all()) >= 10
    signups = db.session.scalars(select(TaskSignup)).all()
    confirmed_hours = [s for s in signups if s.minutes]
    assert len(confirmed_hours) >= 8
    delivered = {s.task.record.state for s in confirmed_hours}
    assert delivered <= {"completed", "evaluation", "rectification", "closed"}
    assert any(s.status == SignupStatus.PENDING for s in signups)
    task = db.session.scalar(select(DeliveryTask).order_by(DeliveryTask.id))
    for path in ("/c/xinglin/partners/", f"/c/xinglin/tasks/{task.id}", f"/c/xinglin/matters/{task.record.matter_id}"):
        assert client.get(path).status_code == 200, path
    login(client, context["residents"][0], "password123")
    assert "已确认" in client.get("/c/xinglin/volunteer").get_data(as_text=True)
