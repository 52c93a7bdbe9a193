"""Objections during the notice period: who may lodge them, when, the committee's public
answer, and the guard that holds the micro-matter back until every objection is answered."""

from datetime import timedelta

import pytest
from freezegun import freeze_time
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from app.audit.models import AuditEntry
from app.core import clock
from app.core.clock import utcnow
from app.core.errors import DomainError
from app.extensions import db
from app.matters import lifecycle
from app.notifications.models import Notification
from app.publishing import objections
from app.publishing.models import Objection
from app.tracker import rating
from tests.helpers import login
from tests.once_per_module import once_per_module

from .helpers import publish


@pytest.fixture
def world(request, app):
    """The accepted matter of conftest.py's `world`, built once for this module's tests."""
    return once_per_module(request)


def lodge(client, notice, body="坡道坡度太陡，轮椅上不去。"):
    return client.post(f"/c/xinglin/notices/{notice.id}/objections", data={"body": body})


def answer(client, notice, objection, text="已请施工方复测，坡度符合1:12的规范。"):
    prefix = f"answer-{objection.id}"
    return client.post(
        f"/c/xinglin/notices/{notice.id}/objections/{objection.id}/answer", data={f"{prefix}-answer": text}
    )


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
    assert db.session.scalar(
        select(Notification).where(
            Notification.user_id == world.committee.id, Notification.link.contains("#objection-")
        )
    )

    # The micro-matter cannot move on while the objection waits for its answer.
    with pytest.raises(DomainError) as refused:
        rating.open_evaluation(world.committee, world.record, closes_on=clock.local_today() + timedelta(days=14))
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
    assert db.session.scalar(
        select(Notification).where(Notification.user_id == world.resident.id, Notification.link.contains("#objection-"))
    )
    assert "坡度符合1:12的规范" in client.get(f"/c/xinglin/notices/{notice.id}").get_data(as_text=True)

    # Every objection answered: the matter moves on.
    rating.open_evaluation(world.committee, world.record, closes_on=clock.local_today() + timedelta(days=14))
    assert world.matter.status == "evaluating"


def test_the_guard_refuses_every_transition_and_says_why(world):
    notice = publish(world)
    objections.lodge_objection(world.resident, notice, "有异议")
    with pytest.raises(DomainError) as refused:
        lifecycle.apply(world.matter, "open_evaluation", world.committee)
    assert "has not been answered" in str(refused.value.message) or "异议未答复" in str(refused.value.message)
    db.session.rollback()
    # Other micro-matters are not held.
    assert objections.unanswered_objections(world.matter.id + 1000) == []


def test_one_objection_per_person_per_notice(client, world):
    notice = publish(world)
    login(client, world.resident)
    assert lodge(client, notice).status_code == 302
    second = lodge(client, notice, "第二条异议")
    assert second.status_code == 400
    assert "第二条异议" in second.get_data(as_text=True)  # the text is kept
    assert db.session.scalar(select(db.func.count(Objection.id))) == 1
    # Once answered, still one: the answer does not open a second turn.
    objections.answer_objection(world.committee, notice, db.session.scalar(select(Objection.id)), "答复")
    third = client.post(f"/c/xinglin/notices/{notice.id}/objections?lang=en", data={"body": "新的问题"})
    assert third.status_code == 400
    assert "each resident may lodge one" in third.get_data(as_text=True)
    assert db.session.scalar(select(db.func.count(Objection.id))) == 1
    # Another resident still may.
    assert objections.lodge_objection(world.council, notice, "我也有异议").author_id == world.council.id


def test_the_database_refuses_a_second_objection(world):
    notice = publish(world)
    objections.lodge_objection(world.resident, notice, "有异议")
    db.session.add(Objection(notice_id=notice.id, author_id=world.resident.id, body="绕过服务"))
    with pytest.raises(IntegrityError):
        db.session.flush()
    db.session.rollback()


def reopen(client, notice, objection, reason="居民提供了新的测量照片，重新核实。"):
    prefix = f"reopen-{objection.id}"
    return client.post(
        f"/c/xinglin/notices/{notice.id}/objections/{objection.id}/reopen", data={f"{prefix}-reason": reason}
    )


def test_the_committee_reopens_an_answered_objection_and_it_holds_again(client, world):
    notice = publish(world)
    objection = objections.lodge_objection(world.resident, notice, "坡度太陡")
    objections.answer_objection(world.committee, notice, objection.id, "已复测，符合规范。")
    assert objections.unanswered_objections(world.matter.id) == []

    login(client, world.committee)
    page = client.get(f"/c/xinglin/notices/{notice.id}").get_data(as_text=True)
    assert f"/objections/{objection.id}/reopen" in page
    assert reopen(client, notice, objection, "").status_code == 400  # a reason is required
    assert reopen(client, notice, objection).status_code == 302
    db.session.refresh(objection)
    assert not objection.is_answered and objection.reopened_by_id == world.committee.id
    assert objection.answer == "已复测，符合规范。"  # the earlier answer stays on record
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "notice.objection_reopened"))
    assert entry is not None and entry.data["reason"] == "居民提供了新的测量照片，重新核实。"
    told = db.session.scalars(
        select(Notification).where(Notification.user_id == world.resident.id, Notification.message.contains("reopened"))
    ).all()
    assert [n.params["reason"] for n in told] == ["居民提供了新的测量照片，重新核实。"]
    html = client.get(f"/c/xinglin/notices/{notice.id}?lang=en").get_data(as_text=True)
    assert "Reopened by the committee on" in html and "The committee's earlier answer" in html

    # It holds the matter again until it is answered again.
    with pytest.raises(DomainError) as refused:
        rating.open_evaluation(world.committee, world.record, closes_on=clock.local_today() + timedelta(days=14))
    assert notice.title in str(refused.value.message)
    db.session.rollback()
    assert reopen(client, notice, objection).status_code == 400  # not answered: nothing to reopen
    assert answer(client, notice, objection, "再次复测，已整改。").status_code == 302
    rating.open_evaluation(world.committee, world.record, closes_on=clock.local_today() + timedelta(days=14))
    assert world.matter.status == "evaluating"


@pytest.mark.parametrize("who", ["resident", "council", "other_committee", "admin"])
def test_only_the_committee_reopens(client, world, who):
    notice = publish(world)
    objection = objections.lodge_objection(world.resident, notice, "有异议")
    objections.answer_objection(world.committee, notice, objection.id, "已核实")
    login(client, getattr(world, who))
    assert reopen(client, notice, objection).status_code == 403
    with pytest.raises(DomainError):
        objections.reopen_objection(getattr(world, who), notice, objection.id, "重新看看")
    db.session.refresh(objection)
    assert objection.is_answered and objection.reopened_at is None


@pytest.mark.parametrize("who", ["council", "proposer"])
def test_any_verified_resident_may_object(client, world, who):
    notice = publish(world)
    login(client, getattr(world, who))
    assert lodge(client, notice).status_code == 302
    db.session.refresh(notice)
    assert [(o.author_id, o.body) for o in notice.objections] == [
        (getattr(world, who).id, "坡道坡度太陡，轮椅上不去。")
    ]


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
    notice = publish(world, start=clock.local_today() + timedelta(days=2), end=clock.local_today() + timedelta(days=6))
    login(client, world.resident)
    early = lodge(client, notice)
    assert early.status_code == 400
    assert client.get(f"/c/xinglin/notices/{notice.id}").status_code == 200
    with freeze_time(utcnow() + timedelta(days=3)):
        login(client, world.resident)  # days later: the earlier login has timed out
        response = lodge(client, notice)
        assert response.status_code == 302 and "/auth/login" not in response.headers["Location"]
    with freeze_time(utcnow() + timedelta(days=8)):
        login(client, world.resident)
        late = lodge(client, notice, "太晚了")
        assert late.status_code == 400
        assert "ended" in late.get_data(as_text=True) or "已结束" in late.get_data(as_text=True)
    assert db.session.scalar(select(db.func.count(Objection.id))) == 1


def test_the_committee_answers_even_after_the_period(world):
    notice = publish(world)
    objection = objections.lodge_objection(world.resident, notice, "有异议")
    with freeze_time(utcnow() + timedelta(days=30)):
        objections.answer_objection(world.committee, notice, objection.id, "已核实")
    assert objection.is_answered


@pytest.mark.parametrize("who", ["resident", "council", "other_committee", "admin"])
def test_only_the_committee_answers(client, world, who):
    notice = publish(world)
    objection = objections.lodge_objection(world.resident, notice, "有异议")
    login(client, getattr(world, who))
    assert answer(client, notice, objection).status_code == 403
    with pytest.raises(DomainError):
        objections.answer_objection(getattr(world, who), notice, objection.id, "我来答复")
    db.session.refresh(objection)
    assert not objection.is_answered


def test_bad_answers(client, world):
    notice = publish(world)
    objection = objections.lodge_objection(world.resident, notice, "有异议")
    login(client, world.committee)
    assert answer(client, notice, objection, "").status_code == 400
    assert answer(client, notice, objection, "字" * 3001).status_code == 400
    assert (
        client.post(
            f"/c/xinglin/notices/{notice.id}/objections/999/answer", data={"answer-999-answer": "答复"}
        ).status_code
        == 404
    )
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


def test_the_form_is_replaced_by_a_note_once_one_has_objected(client, world):
    notice = publish(world)
    login(client, world.resident)
    assert lodge(client, notice).status_code == 302
    objections.answer_objection(world.committee, notice, db.session.scalar(select(Objection.id)), "答复")
    html = client.get(f"/c/xinglin/notices/{notice.id}?lang=en").get_data(as_text=True)
    assert f'action="/c/xinglin/notices/{notice.id}/objections"' not in html
    assert "You have lodged your objection to this notice" in html


def test_the_api_shows_a_reopened_objection_as_waiting(client, world):
    notice = publish(world)
    objection = objections.lodge_objection(world.resident, notice, "有异议")
    objections.answer_objection(world.committee, notice, objection.id, "已核实")
    objections.reopen_objection(world.committee, notice, objection.id, "需要再核实")
    data = client.get(f"/api/v1/communities/xinglin/notices/{notice.id}").get_json()
    assert data["unanswered_objections"] == 1
    shown = data["objections"][0]
    assert shown["answered_at"] is None and shown["answer"] == "已核实"
    assert shown["reopen_reason"] == "需要再核实" and shown["reopened_at"] is not None
