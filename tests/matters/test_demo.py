"""The micro-matters demo step: realistic Chinese matters in every category, type and early status."""

from collections import Counter

import pytest
from sqlalchemy import func, select

from app.audit.models import AuditEntry
from app.extensions import db
from app.matters.models import Category, Comment, Follow, ProjectType, Stance, Support
from tests.helpers import login


@pytest.mark.slow
def test_demo_step(app, client):
    from app.demo import STEPS, core, rows_kept
    from app.matters import demo
    from app.notifications import demo as notifications_demo

    assert STEPS[:3] == [core.load, notifications_demo.load, demo.load]  # the preferences set, nothing else
    context = {"password": "password123"}
    with rows_kept():  # as `flask demo` loads
        core.load(context)
        demo.load(context)
    db.session.commit()
    matters = context["matters"]
    assert len(matters) == 28
    assert Counter(m.status for m in matters) == {
        "on_agenda": 16,
        "collecting": 5,
        "draft": 3,
        "under_review": 2,
        "withdrawn": 1,
        "not_admitted": 1,
    }
    assert {m.category for m in matters} == set(Category)
    assert {m.project_type for m in matters} == set(ProjectType)
    threshold = 15
    for m in matters:
        supports = db.session.scalar(select(func.count(Support.id)).where(Support.matter_id == m.id))
        assert m.support_count == supports
        if m.status in ("on_agenda", "under_review", "not_admitted"):
            assert supports >= threshold
        elif m.status == "collecting":
            assert 0 < supports < threshold
        if m.status != "draft":
            assert m.submitted_at is not None and m.created_at <= m.submitted_at
    stances = set(db.session.scalars(select(Comment.stance).where(Comment.parent_id.is_(None))))
    assert stances == set(Stance)
    assert db.session.scalar(select(func.count(Comment.id)).where(Comment.hidden_at.is_not(None))) == 1
    assert db.session.scalar(select(func.count(Comment.id)).where(Comment.parent_id.is_not(None))) >= 5
    assert db.session.scalar(select(func.count(Follow.id))) >= 28
    actions = Counter(db.session.scalars(select(AuditEntry.action)))
    assert actions["matter.reach_threshold"] == 19 and actions["matter.admit"] == 16
    assert actions["matter.supported"] == db.session.scalar(select(func.count(Support.id)))
    # resident1, a demo login, has a draft and a matter collecting supports
    resident1 = context["residents"][0]
    assert {m.status for m in matters if m.proposer_id == resident1.id} == {"draft", "collecting"}
    login(client, resident1, "password123")
    assert client.get("/c/xinglin/matters/?mine=1").status_code == 200
    assert client.get("/c/xinglin/matters/?q=坡道").get_data(as_text=True).count('class="card matter-card"') >= 1
    for m in matters[:3]:
        assert client.get(f"/c/xinglin/matters/{m.id}").status_code == 200
