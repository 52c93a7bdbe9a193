"""Every change tells the proposer, supporters and followers (inbox), and emails those with an address."""

from datetime import timedelta

from freezegun import freeze_time
from sqlalchemy import func, select

from app.core import clock
from app.extensions import db
from app.notifications.models import Notification, Outbox
from app.tracker import delivery

from .helpers import days, today


def inbox(user):
    return db.session.scalars(
        select(Notification).where(Notification.user_id == user.id).order_by(Notification.id)
    ).all()


def test_changes_reach_proposer_supporters_and_followers(record, committee, proposer, supporters, follower, residents):
    interested = [proposer, *supporters, follower]
    before = {u.id: len(inbox(u)) for u in interested}
    with freeze_time(clock.now() + timedelta(days=1)):  # the day after the approval
        delivery.update_details(
            committee, record, responsible_unit="施工队", contact="", planned_start=None, planned_end=None
        )
        delivery.start(committee, record)
        milestone = delivery.add_milestone(committee, record, title="安装扶手", planned_date=days(2))
        delivery.complete_milestone(committee, record, milestone.id, done_on=today(), note="")
        delivery.post_update(committee, record, body="扶手已到货")
        delivery.record_spending(committee, record, amount=300, spent_on=today(), purpose="扶手")
        delivery.pause(committee, record, "材料未到")
        delivery.resume(committee, record)
    for user in interested:
        # One entry per matter and day: the eight changes are one "progress update" listing them.
        (entry,) = inbox(user)[before[user.id] :]
        lines = [line["message"] for line in entry.params["lines"]]
        assert entry.message.startswith("Progress update") and len(lines) == 8
        assert any("Milestone done" in m for m in lines)
        assert any("Spending" in m for m in lines)
        assert any("has started" in m for m in lines)  # the lifecycle's own message for the start
    assert inbox(committee) == []  # the one acting is not told about their own change
    assert inbox(residents[0]) == []  # not interested


def test_message_link_and_translation(record, committee, proposer, client):
    with freeze_time(clock.now() + timedelta(days=1)):  # the day after the approval: an entry of its own
        delivery.update_details(
            committee, record, responsible_unit="施工队", contact="", planned_start=None, planned_end=None
        )
    note = inbox(proposer)[-1]
    assert note.link == f"/c/xinglin/tracker/{record.id}"
    assert note.params["title"] == record.matter.title
    from tests.helpers import login

    login(client, proposer)
    html = client.get("/inbox/").get_data(as_text=True)
    assert "实施计划已更新" in html


def test_email_is_queued_for_users_with_an_address(record, committee, proposer, supporters):
    proposer.email = "wang@example.org"
    supporters[0].email = "li@example.org"
    supporters[0].locale = "en"
    db.session.commit()
    with freeze_time(clock.now() + timedelta(days=1)):  # the approval's e-mail was the one of its day
        delivery.update_details(
            committee, record, responsible_unit="施工队", contact="", planned_start=None, planned_end=None
        )
    rows = db.session.scalars(select(Outbox).order_by(Outbox.id)).all()
    assert [r.to_address for r in rows] == ["wang@example.org", "li@example.org"]
    chinese, english = rows
    assert chinese.locale == "zh_Hans" and "实施计划已更新" in chinese.subject
    assert english.locale == "en" and "implementation plan" in english.subject
    assert f"/c/xinglin/tracker/{record.id}" in english.body
    # Without MAIL_SERVER (the test configuration) they were written to the log right after the commit.
    assert {r.status for r in rows} == {"sent"} and {r.transport for r in rows} == {"log"}
    assert db.session.scalar(select(func.count(Outbox.id)).where(Outbox.user_id == committee.id)) == 0
