"""Services: the record the approval creates, the committee's updates, states and their rules."""

from datetime import date

import pytest
from sqlalchemy import select

from app.audit.models import AuditEntry
from app.audit.services import verify
from app.core import clock
from app.core.errors import DomainError, FieldError
from app.extensions import db
from app.matters import lifecycle
from app.tracker import delivery, rating
from app.tracker import records as record_services
from app.tracker.models import Milestone, RecordState
from tests.helpers import upload

from .helpers import days, reload, today


def actions(record):
    return [
        e.action
        for e in db.session.scalars(
            select(AuditEntry).where(AuditEntry.data["record_id"].as_integer() == record.id).order_by(AuditEntry.id)
        )
    ]


# ---------------------------------------------------------------- created by the approval


def test_approval_by_council_creates_the_record(record):
    assert record.state == RecordState.PLANNED
    assert record.matter.status == "approved"
    assert record.approved_budget == 10_000  # from data["budget"], not the estimate (12,000)
    assert (record.meeting_id, record.motion_id, record.round_id) == (7, 3, None)
    assert record.decided_by == "meeting"
    assert record_services.decision_link(record) == "/c/xinglin/meetings/7/minutes"
    assert record.responsible_unit == "" and record.planned_start is None
    created = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "tracker.record_created"))
    assert created.data["budget"] == 10_000 and created.data["matter_id"] == record.matter_id


def test_approval_by_round_links_the_results(approve):
    record = approve(round_id=4, budget=8_000)
    assert record.decided_by == "round" and record.approved_budget == 8_000
    assert record_services.decision_link(record) == "/c/xinglin/rounds/4/results"


def test_approval_without_budget_takes_the_estimated_cost(approve):
    record = approve(estimated_cost=23_456)
    assert record.approved_budget == 23_456
    assert record_services.decision_link(record) is None


def test_rejection_creates_no_record(community, committee, approve):
    record = approve()
    matter = record.matter
    assert record_services.record_for_matter(matter) is not None
    # a second approval is impossible (the matter is no longer on the agenda): one record per matter
    with pytest.raises(DomainError):
        lifecycle.apply(matter, "approve", committee, system=True)


# ---------------------------------------------------------------- plan and milestones


def test_details_validated(record, committee):
    with pytest.raises(FieldError) as error:
        delivery.update_details(
            committee, record, responsible_unit="A", contact="", planned_start=days(10), planned_end=days(1)
        )
    assert error.value.field == "planned_end"
    with pytest.raises(FieldError) as error:
        delivery.update_details(
            committee, record, responsible_unit="x" * 121, contact="", planned_start=None, planned_end=None
        )
    assert error.value.field == "responsible_unit"
    delivery.update_details(
        committee, record, responsible_unit="施工队", contact="李工", planned_start=days(1), planned_end=days(30)
    )
    assert reload(record).planned_end == days(30)
    assert "tracker.details_updated" in actions(record)


def test_start_needs_the_responsible_unit(record, committee):
    with pytest.raises(FieldError) as error:
        delivery.start(committee, record)
    assert error.value.field == "responsible_unit"
    delivery.update_details(
        committee, record, responsible_unit="施工队", contact="", planned_start=None, planned_end=None
    )
    delivery.start(committee, record)
    record = reload(record)
    assert record.state == RecordState.IN_PROGRESS and record.matter.status == "implementing"
    assert record.started_at is not None
    with pytest.raises(DomainError):
        delivery.start(committee, record)


def test_milestone_done_with_photo_and_date_rules(started, committee, app):
    milestone = delivery.add_milestone(committee, started, title="材料进场", planned_date=days(3))
    with pytest.raises(FieldError) as error:
        delivery.complete_milestone(committee, started, milestone.id, done_on=days(1), note="")
    assert error.value.field == "done_on"  # not in the future
    with pytest.raises(FieldError) as error:
        delivery.complete_milestone(
            committee, started, milestone.id, done_on=today(), note="", photos=[upload(b"not an image", name="x.png")]
        )
    assert error.value.field == "photos"
    assert reload(started).milestones[0].done_on is None
    delivery.complete_milestone(committee, started, milestone.id, done_on=today(), note="材料已到", photos=[upload()])
    milestone = db.session.get(Milestone, milestone.id)
    assert milestone.done_on == today() and len(milestone.photos) == 1
    assert record_services.photo_community_id(milestone.photos[0].photo_id) == started.community_id
    with pytest.raises(DomainError):
        delivery.complete_milestone(committee, started, milestone.id, done_on=today(), note="")


def test_rejected_photo_leaves_no_file(started, committee, app, tmp_path):
    import os

    milestone = delivery.add_milestone(committee, started, title="材料进场", planned_date=days(3))
    folder = app.config["UPLOAD_FOLDER"]
    with pytest.raises(FieldError):
        delivery.complete_milestone(
            committee,
            started,
            milestone.id,
            done_on=today(),
            note="",
            photos=[upload(), upload(b"GIF89a....", name="a.gif")],
        )
    assert os.listdir(folder) == []


def test_milestone_of_another_record_is_not_found(approve, started, committee):
    other = approve(title="另一个项目")
    milestone = delivery.add_milestone(committee, other, title="签合同", planned_date=days(3))
    from werkzeug.exceptions import NotFound

    with pytest.raises(NotFound):
        delivery.complete_milestone(committee, started, milestone.id, done_on=today(), note="")


def test_milestones_cannot_be_done_before_work_starts(record, committee):
    milestone = delivery.add_milestone(committee, record, title="签合同", planned_date=days(3))
    with pytest.raises(DomainError):
        delivery.complete_milestone(committee, record, milestone.id, done_on=today(), note="")


# ---------------------------------------------------------------- progress and spending


def test_progress_is_validated(started, committee):
    for bad in (101, -1, True):
        with pytest.raises(FieldError) as error:
            delivery.post_update(committee, started, percent=bad)
        assert error.value.field == "percent"
    with pytest.raises(FieldError):
        delivery.post_update(committee, started, body="", percent=started.progress_percent)  # nothing new
    update = delivery.post_update(committee, started, body="地基完成", percent=40, photos=[upload()])
    assert reload(started).progress_percent == 40
    assert update.progress_percent == 40 and len(update.photos) == 1
    text_only = delivery.post_update(committee, started, body="下周浇筑", percent=40)
    assert text_only.progress_percent is None


def test_progress_does_not_change_before_the_start(record, committee):
    with pytest.raises(FieldError):
        delivery.post_update(committee, record, percent=10)
    update = delivery.post_update(committee, record, body="合同已签")  # an update without progress is fine
    assert update.body == "合同已签" and update.progress_percent is None
    assert record.progress_percent == 0 and record.updates == [update]


def test_spending_rules(started, committee):
    for bad in (0, -5, "100", 10**9):
        with pytest.raises(FieldError) as error:
            delivery.record_spending(committee, started, amount=bad, spent_on=today(), purpose="材料")
        assert error.value.field == "amount"
    with pytest.raises(FieldError) as error:
        delivery.record_spending(committee, started, amount=100, spent_on=days(1), purpose="材料")
    assert error.value.field == "spent_on"
    with pytest.raises(FieldError) as error:
        delivery.record_spending(committee, started, amount=100, spent_on=date(1999, 1, 1), purpose="材料")
    assert error.value.field == "spent_on"
    with pytest.raises(FieldError) as error:
        delivery.record_spending(committee, started, amount=100, spent_on=today(), purpose="  ")
    assert error.value.field == "purpose"
    delivery.record_spending(committee, started, amount=6_000, spent_on=today(), purpose="材料")
    delivery.record_spending(committee, started, amount=4_000, spent_on=today(), purpose="人工")  # exactly 10,000
    with pytest.raises(FieldError) as error:
        delivery.record_spending(committee, started, amount=1, spent_on=today(), purpose="扶手")
    assert error.value.field == "over_budget_reason"
    entry = delivery.record_spending(
        committee, started, amount=500, spent_on=today(), purpose="扶手", over_budget_reason="居民要求加装扶手"
    )
    assert entry.over_budget_reason == "居民要求加装扶手"
    assert reload(started).spent == 10_500
    audit = db.session.scalar(
        select(AuditEntry).where(AuditEntry.action == "tracker.spending_recorded").order_by(AuditEntry.id.desc())
    )
    assert audit.data["total"] == 10_500 and audit.data["over_budget_reason"] == "居民要求加装扶手"


def test_within_budget_reason_is_not_kept(started, committee):
    entry = delivery.record_spending(
        committee, started, amount=100, spent_on=today(), purpose="材料", over_budget_reason="不需要"
    )
    assert entry.over_budget_reason is None


# ---------------------------------------------------------------- states


def test_pause_and_resume(started, committee):
    with pytest.raises(FieldError):
        delivery.pause(committee, started, "  ")
    delivery.pause(committee, started, "雨季停工")
    record = reload(started)
    assert record.state == RecordState.PAUSED and record.pause_reason == "雨季停工"
    assert record.matter.status == "implementing"
    with pytest.raises(DomainError):
        delivery.accept(committee, record, accepted_on=today(), note="验收")
    delivery.resume(committee, record)
    assert reload(record).state == RecordState.IN_PROGRESS and reload(record).pause_reason is None
    assert {"tracker.paused", "tracker.resumed"} <= set(actions(record))


def test_acceptance_needs_every_milestone_done(started, committee):
    milestone = delivery.add_milestone(committee, started, title="安装", planned_date=days(2))
    with pytest.raises(DomainError, match="节点"):
        delivery.accept(committee, started, accepted_on=today(), note="验收")
    delivery.complete_milestone(committee, started, milestone.id, done_on=today(), note="")
    with pytest.raises(FieldError):
        delivery.accept(committee, started, accepted_on=days(1), note="验收")  # not in the future
    with pytest.raises(FieldError):
        delivery.accept(committee, started, accepted_on=today(), note="")
    delivery.accept(committee, started, accepted_on=today(), note="验收合格")
    record = reload(started)
    assert record.state == RecordState.COMPLETED and record.matter.status == "completed"
    assert record.accepted_on == today() and record.acceptance_note == "验收合格"
    assert record.progress_percent == 100 and record.completed_at is not None
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "matter.complete"))
    assert entry.data["accepted_on"] == today().isoformat() and entry.data["note"] == "验收合格"


def test_evaluation_window_dates(completed, committee):
    with pytest.raises(FieldError):
        rating.open_evaluation(committee, completed, closes_on=days(-1))
    with pytest.raises(FieldError):
        rating.open_evaluation(committee, completed, closes_on=days(91))
    window = rating.open_evaluation(committee, completed, closes_on=days(14))
    record = reload(completed)
    assert record.state == RecordState.EVALUATION and record.matter.status == "evaluating"
    assert window.number == 1 and window.threshold_percent == 60 and window.is_open()
    assert window.closes_at == clock.end_of_local_day(days(14))


def test_end_of_local_day_is_in_utc(app):
    # Shanghai is UTC+8: the local day 2026-03-01 ends at 2026-03-01 16:00 UTC.
    from datetime import datetime

    assert clock.end_of_local_day(date(2026, 3, 1)) == datetime(2026, 3, 1, 16, 0)


def test_close_after_a_good_verdict(evaluating, committee, residents):
    for user, stars in zip(residents, (5, 4, 4, 3, 5), strict=True):
        rating.rate(user, evaluating, stars=stars)
    with pytest.raises(DomainError, match="结束评价"):
        delivery.close(committee, evaluating)  # residents can still rate
    rating.end_window(committee, evaluating)
    assert not rating.needs_response(evaluating)
    with pytest.raises(DomainError):
        rating.respond(committee, evaluating, "不需要")  # the threshold was reached
    delivery.close(committee, evaluating)
    record = reload(evaluating)
    assert record.state == RecordState.CLOSED and record.matter.status == "closed" and record.closed_at


def test_low_satisfaction_blocks_closing_until_the_committee_answers(evaluating, committee, residents):
    for user, stars in zip(residents, (2, 1, 4, 3, 2), strict=True):  # 1 of 5 satisfied: 20 %
        rating.rate(user, evaluating, stars=stars)
    rating.end_window(committee, evaluating)
    assert rating.needs_response(evaluating)
    with pytest.raises(DomainError, match="标准"):
        delivery.close(committee, evaluating)
    with pytest.raises(FieldError):
        rating.respond(committee, evaluating, "")
    rating.respond(committee, evaluating, "坡道坡度符合国家标准，不再整改；扶手高度已调整。")
    with pytest.raises(DomainError):
        rating.respond(committee, evaluating, "再说一次")
    delivery.close(committee, evaluating)
    assert reload(evaluating).state == RecordState.CLOSED


def test_rectification_has_its_own_milestones_and_a_new_window(evaluating, committee, residents):
    for user in residents[:3]:
        rating.rate(user, evaluating, stars=1)
    rectification = delivery.rectify(committee, evaluating, "坡道太陡，需要整改")
    record = reload(evaluating)
    assert record.state == RecordState.RECTIFICATION and record.matter.status == "rectifying"
    window = record.windows[0]
    assert window.has_ended() and window.ended_early and window.response_kind == "rectification"
    milestone = delivery.add_milestone(committee, record, title="重新铺设坡道", planned_date=days(10))
    assert milestone.rectification_id == rectification.id
    with pytest.raises(DomainError):
        delivery.accept(committee, record, accepted_on=today(), note="整改验收")
    delivery.complete_milestone(committee, record, milestone.id, done_on=today(), note="")
    delivery.accept(committee, record, accepted_on=today(), note="整改验收合格")
    record = reload(record)
    assert record.state == RecordState.COMPLETED
    assert record.rectifications[0].accepted_on == today()
    assert record.acceptance_note == "居委会与施工方共同验收"  # the first acceptance is kept
    rating.open_evaluation(committee, record, closes_on=days(7))
    record = reload(record)
    assert [w.number for w in record.windows] == [1, 2]
    rating.rate(residents[0], record, stars=5)  # a new window: residents rate again
    assert len(record.windows[1].evaluations) == 1


def test_closed_record_takes_no_more_updates(evaluating, committee):
    rating.end_window(committee, evaluating)
    delivery.close(committee, evaluating)
    with pytest.raises(DomainError):
        delivery.record_spending(committee, evaluating, amount=1, spent_on=today(), purpose="x")
    with pytest.raises(DomainError):
        delivery.post_update(committee, evaluating, body="x")
    with pytest.raises(DomainError):
        delivery.add_milestone(committee, evaluating, title="x", planned_date=today())


def test_every_change_is_audited_and_the_chain_holds(evaluating, committee, residents):
    rating.rate(residents[0], evaluating, stars=4)
    logged = actions(evaluating)
    for action in (
        "tracker.details_updated",
        "matter.start_implementation",
        "tracker.milestone_planned",
        "tracker.milestone_done",
        "matter.complete",
        "matter.open_evaluation",
        "tracker.rated",
    ):
        assert action in logged, action
    assert verify() == []


# ---------------------------------------------------------------- transitions applied by someone else


def test_lifecycle_applied_directly_keeps_the_record_in_step(record, committee):
    lifecycle.apply(record.matter, "start_implementation", committee)
    db.session.commit()
    assert reload(record).state == RecordState.IN_PROGRESS
    lifecycle.apply(record.matter, "complete", committee)
    db.session.commit()
    record = reload(record)
    assert record.state == RecordState.COMPLETED and record.accepted_on == today()
    lifecycle.apply(record.matter, "open_evaluation", committee)
    db.session.commit()
    record = reload(record)
    assert record.state == RecordState.EVALUATION and record.current_window.is_open()
    with pytest.raises(DomainError):  # the guard: residents can still rate
        lifecycle.apply(record.matter, "close", committee)
    db.session.rollback()
