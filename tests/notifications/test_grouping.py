"""At most one inbox entry per matter and day: the tracker's changes of one record are merged into
one "progress update" listing them; the next day starts a new one."""

from datetime import timedelta

from freezegun import freeze_time

from app.core import clock
from app.extensions import db
from app.notifications.services import unread_count
from app.tracker import delivery
from tests.tracker.helpers import days

from .helpers import inbox, outbox_of

# 10:00 in Suzhou: the whole test stays on one local day.
MORNING = "2030-05-06 02:00:00"


def three_changes(committee, record):
    milestone = delivery.add_milestone(committee, record, title="安装扶手", planned_date=days(2))
    delivery.record_spending(committee, record, amount=300, spent_on=clock.local_today(), purpose="扶手")
    delivery.complete_milestone(committee, record, milestone.id, done_on=clock.local_today(), note="")


def test_three_changes_in_a_day_are_one_message_with_three_lines(started, committee, proposer, client):
    proposer.email = "wang@example.org"
    db.session.commit()
    with freeze_time(MORNING):
        before = len(inbox(proposer))
        three_changes(committee, started)
    entries = inbox(proposer)[before:]
    assert len(entries) == 1
    (entry,) = entries
    assert entry.message == "Progress update on “%(title)s”:"
    lines = [line["message"] for line in entry.params["lines"]]
    assert len(lines) == 3
    assert lines[0].startswith("A milestone was planned") and lines[1].startswith("Spending")
    assert lines[2].startswith("Milestone done")
    # Only the day's first change went out by e-mail.
    assert len([r for r in outbox_of(proposer) if "安装扶手" in r.body]) == 1
    from tests.helpers import login

    login(client, proposer)
    html = client.get("/inbox/").get_data(as_text=True)
    assert html.count("<li>") >= 3 and "300" in html


def test_a_read_group_turns_unread_with_a_new_change(started, committee, proposer):
    with freeze_time(MORNING):
        delivery.add_milestone(committee, started, title="一", planned_date=days(2))
        entry = inbox(proposer)[-1]
        entry.read_at = clock.now()
        db.session.commit()
        delivery.add_milestone(committee, started, title="二", planned_date=days(2))
    db.session.refresh(entry)
    assert entry.read_at is None and len(entry.params["lines"]) == 2 and unread_count(proposer) >= 1


def test_the_next_day_starts_a_new_message(started, committee, proposer, supporters):
    with freeze_time(MORNING) as frozen:
        before = len(inbox(proposer))
        three_changes(committee, started)
        frozen.tick(timedelta(days=1))
        delivery.add_milestone(committee, started, title="第二天", planned_date=days(2))
    entries = inbox(proposer)[before:]
    assert len(entries) == 2
    assert len(entries[0].params["lines"]) == 3
    assert "lines" not in entries[1].params and entries[1].params["milestone"] == "第二天"
    assert len(inbox(supporters[0])) == len(inbox(proposer))  # the same for everyone told


def test_two_records_are_two_messages(approve, committee, proposer):
    first = approve(title="坡道", budget=5_000)
    second = approve(title="路灯", budget=5_000)
    with freeze_time(MORNING):
        before = len(inbox(proposer))
        delivery.add_milestone(committee, first, title="一", planned_date=days(2))
        delivery.add_milestone(committee, second, title="二", planned_date=days(2))
    assert len(inbox(proposer)[before:]) == 2
