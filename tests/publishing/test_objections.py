"""Objections during the notice period: who may lodge them, when, the committee's public
answer, and the guard that holds the micro-matter back until every objection is answered."""
from datetime import timedelta

import pytest
from freezegun import freeze_time
from sqlalchemy import select

from app.audit.models import AuditEntry
from app.core.errors import DomainError
from app.extensions import db
from app.matters import lifecycle
from app.models_base import utcnow
from app.notifications.models import Notification
from app.publishing import services
from app.publishing.models import Objection
from app.publishing.permissions import local_today
from app.tracker import services as tracker
from tests.conftest import login

from .conftest import publish


def lodge(client, notice, body="坡道坡度太陡，轮椅上不去。"):
    return client.post(f"/c/xinglin/notices/{notice.id}/objections", data={"body": body})


def answer(client, notice, objection, text="已请施工方复测，坡度符合1:12的规范。"):
    prefix = f"answer-{objection.id}"
    return client.post(f"/c/xinglin/notices/{notice.id}/objections/{objection.id}/answer",
                       data={f"{prefix}-answer": text})


def test_the_whole_flow_holds_and_then_releases_the_matter(client, world):
    notice = publish(world)
    login(client, world.resident)
    page = client.get(f"/c/xinglin/notices/{notice.id}").get_data(as_text=True)
    assert f'action="/c/xinglin/notices/{notice.id}/objections"' in page

    response = lodge(client, notice)
    assert response.status_code == 302
    objection = db.session.scalar(select(Objection))
    assert objection.author_id == world.resident.id and not objection.is_answered
    assert db.session.scalar(select(AuditEntry).where(AuditEntry.action == "notice.objection_lodged"))
    assert db.session.scalar(select(Notification).where(Notification.user_id == world.committee.id,
                                                        Notification.link.contains("#objection-")))

    # The micro-matter cannot move on while the objection waits for its answer.
    with pytest.raises(DomainError) as refused:
        tracker.open_evaluation(world.committee, world.record, closes_on=local_today() + timedelta(days=14))
    assert notice.title in str(refused.value.message)
    db.session.rollback()
    assert world.matter.status == "completed"

    # Anyone sees the objection, without the name of who lodged it.
    client.post("/auth/logout")
    public = client.get(f"/c/xinglin/notices/{notice.id}").get_data(as_text=True)
    assert "坡道坡度太陡" in public and world.resident.display_name not in public

    login(client, world.committee)
    response = answer(client, notice, objection)
    assert response.status_code == 302
    db.session.refresh(objection)
    assert objection.is_answered and objection.answered_by_id == world.committee.id
    assert db.session.scalar(select(AuditEntry).where(AuditEntry.action == "notice.objection_answered"))
    assert db.session.scalar(select(Notification).where(Notification.user_id == world.resident.id,
                                                        Notification.link.contains("#objection-")))
    assert "坡度符合1:12的规范" in client.get(f"/c/xinglin/notices/{notice.id}").get_data(as_text=True)

    # Every objection answered: the matter moves on.
    tracker.open_evaluation(world.committee, world.record, closes_on=local_today() + timedelta(days=14))
    assert world.matter.status == "evaluating"


def test_the_guard_refuses_every_transition_and_says_why(world):
    notice = publish(world)
    services.lodge_objection(world.resident, notice, "有异议")
    with pytest.raises(DomainError) as refused:
        lifecycle.apply(world.matter, "open_evaluation", world.committee)
    assert "has not been answered" in str(refused.value.message) or "异议未答复" in str(refused.value.message)
    db.session.rollback()
    # Other micro-matters are not held.
    assert services.unanswered_objections(world.matter.id + 1000) == []


def test_one_pending_objection_per_person(client, world):
    notice = publish(world)
    login(client, world.resident)
    assert lodge(client, notice).status_code == 302
    second = lodge(client, notice, "第二条异议")
    assert second.status_code == 400
    assert "第二条异议" in second.get_data(as_text=True)  # the text is kept
    assert db.session.scalar(select(db.func.count(Objection.id))) == 1
    # Once answered, the same person may object again during the period.
    services.answer_objection(world.committee, notice, db.session.scalar(select(Objection.id)), "答复")
    assert lodge(client, notice, "新的问题").status_code == 302


@pytest.mark.parametrize("who", ["council", "proposer"])
def test_any_verified_resident_may_object(client, world, who):
    notice = publish(world)
    login(client, getattr(world, who))
    assert lodge(client, notice).status_code == 302


@pytest.mark.parametrize("who", ["pending", "outsider", "committee", "other_committee", "admin"])
def test_others_may_not_object(client, world, who):
    notice = publish(world)
    login(client, getattr(world, who))
    html = client.get(f"/c/xinglin/notices/{notice.id}").get_data(as_text=True)
    assert f'action="/c/xinglin/notices/{notice.id}/objections"' not in html
    response = lodge(client, notice)
    assert response.status_code == 400
    assert db.session.scalar(select(db.func.count(Objection.id))) == 0


def test_visitors_are_asked_to_log_in(client, world):
    notice = publish(world)
    response = lodge(client, notice)
    assert response.status_code == 302 and "/auth/login" in response.headers["Location"]
    assert "/auth/login" in client.get(f"/c/xinglin/notices/{notice.id}").get_data(as_text=True)


def test_only_during_the_period(client, world):
    notice = publish(world, start=local_today() + timedelta(days=2), end=local_today() + timedelta(days=5))
    login(client, world.resident)
    early = lodge(client, notice)
    assert early.status_code == 400
    assert client.get(f"/c/xinglin/notices/{notice.id}").status_code == 200
    with freeze_time(utcnow() + timedelta(days=3)):
        assert lodge(client, notice).status_code == 302
    with freeze_time(utcnow() + timedelta(days=7)):
        late = lodge(client, notice, "太晚了")
        assert late.status_code == 400
        assert "ended" in late.get_data(as_text=True) or "已结束" in late.get_data(as_text=True)
    assert db.session.scalar(select(db.func.count(Objection.id))) == 1


def test_the_committee_answers_even_after_the_period(world):
    notice = publish(world)
    objection = services.lodge_objection(world.resident, notice, "有异议")
    with freeze_time(utcnow() + timedelta(days=30)):
        services.answer_objection(world.committee, notice, objection.id, "已核实")
    assert objection.is_answered


@pytest.mark.parametrize("who", ["resident", "council", "other_committee", "admin"])
def test_only_the_committee_answers(client, world, who):
    notice = publish(world)
    objection = services.lodge_objection(world.resident, notice, "有异议")
    login(client, getattr(world, who))
    assert answer(client, notice, objection).status_code == 403
    with pytest.raises(DomainError):
        services.answer_objection(getattr(world, who), notice, objection.id, "我来答复")
    db.session.refresh(objection)
    assert not objection.is_answered


def test_bad_answers(client, world):
    notice = publish(world)
    objection = services.lodge_objection(world.resident, notice, "有异议")
    login(client, world.committee)
    assert answer(client, notice, objection, "").status_code == 400
    assert answer(client, notice, objection, "字" * 3001).status_code == 400
    assert client.post(f"/c/xinglin/notices/{notice.id}/objections/999/answer",
                       data={"answer-999-answer": "答复"}).status_code == 404
    assert answer(client, notice, objection).status_code == 302
    again = answer(client, notice, objection, "再答一次")
    assert again.status_code == 400
    db.session.refresh(objection)
    assert "再答一次" not in objection.answer


def test_bad_objections(client, world):
    notice = publish(world)
    login(client, world.resident)
    assert lodge(client, notice, "   ").status_code == 400
    assert lodge(client, notice, "异" * 2001).status_code == 400
    assert client.post("/c/xinglin/notices/999/objections", data={"body": "x"}).status_code == 404
    assert db.session.scalar(select(db.func.count(Objection.id))) == 0


def test_the_form_is_replaced_by_a_note_while_ones_objection_waits(client, world):
    notice = publish(world)
    login(client, world.resident)
    assert lodge(client, notice).status_code == 302
    html = client.get(f"/c/xinglin/notices/{notice.id}?lang=en").get_data(as_text=True)
    assert f'action="/c/xinglin/notices/{notice.id}/objections"' not in html
    assert "Your objection awaits the committee's answer" in html
