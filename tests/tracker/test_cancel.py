"""Cancelling a decided micro-matter that will not be delivered: committee only, before acceptance,
with a published reason and a tick (it cannot be undone); everyone who follows it is told, the
public record and the timeline say why."""

from sqlalchemy import select

from app.audit.models import AuditEntry
from app.extensions import db
from app.matters.lifecycle import Status
from app.matters.models import MicroMatter
from app.notifications.models import Notification
from app.tracker.models import ImplementationRecord, RecordState
from tests.helpers import login

REASON = "该楼栋纳入旧改计划，坡道将由旧改工程统一建设。"


def cancel(client, record, reason=REASON, understood="y"):
    return client.post(
        f"/c/xinglin/tracker/{record.id}/cancel", data={"cancel-reason": reason, "cancel-understood": understood}
    )


def test_the_committee_cancels_with_a_published_reason(client, started, committee, follower):
    login(client, committee)
    assert "取消该微实事" in client.get(f"/c/xinglin/tracker/{started.id}/manage").get_data(as_text=True)
    response = cancel(client, started)
    assert response.status_code == 302
    db.session.expire_all()
    record = db.session.get(ImplementationRecord, started.id)
    assert record.state == RecordState.CANCELLED and record.cancel_reason == REASON and record.closed_at
    assert db.session.get(MicroMatter, record.matter_id).status == Status.CANCELLED
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "matter.cancel"))
    assert entry.actor_id == committee.id and entry.data["reason"] == REASON
    told = db.session.scalar(
        select(Notification).where(Notification.user_id == follower.id).order_by(Notification.id.desc())
    )
    assert REASON in told.params["lines"][-1]["params"]["reason"]  # the last change of the day's entry
    public = client.get(f"/c/xinglin/tracker/{record.id}").get_data(as_text=True)
    assert REASON in public
    timeline = client.get(f"/c/xinglin/matters/{record.matter_id}/timeline").get_data(as_text=True)
    assert "已取消" in timeline and REASON in timeline
    # nothing more can happen to it, and the manage page offers nothing
    page = client.get(f"/c/xinglin/tracker/{record.id}/manage").get_data(as_text=True)
    assert "取消该微实事" not in page and cancel(client, record).status_code == 400


def test_a_reason_and_the_tick_are_required_and_the_text_is_kept(client, record, committee):
    login(client, committee)
    response = cancel(client, record, understood="")
    assert response.status_code == 400 and REASON in response.get_data(as_text=True)
    assert cancel(client, record, reason="  ").status_code == 400
    db.session.expire_all()
    assert db.session.get(ImplementationRecord, record.id).state == RecordState.PLANNED


def test_accepted_work_cannot_be_cancelled(client, completed, committee):
    login(client, committee)
    assert cancel(client, completed).status_code == 400
    db.session.expire_all()
    assert db.session.get(ImplementationRecord, completed.id).state == RecordState.COMPLETED


def test_only_the_committee_cancels(client, record, proposer):
    login(client, proposer)
    assert cancel(client, record).status_code == 403
    db.session.expire_all()
    assert db.session.get(ImplementationRecord, record.id).state == RecordState.PLANNED
