"""Reminders, each sent once by the worker (`flask notifications remind`): council members the day
before a meeting, residents who have not voted 24 hours before a round closes, supporters when a
rating window opens and two days before it closes."""

from datetime import timedelta

import pytest
from freezegun import freeze_time
from sqlalchemy import func, select

from app.communities.models import Role
from app.core import clock
from app.councils import meetings
from app.extensions import db
from app.notifications.models import SentReminder
from app.tracker import rating
from app.voting import casting
from tests.councils.helpers import agenda_ids, make_matter
from tests.tracker.helpers import days
from tests.voting.helpers import make_matters, open_round

from .helpers import inbox


def remind(app):
    result = app.test_cli_runner().invoke(args=["notifications", "remind"])
    assert result.exit_code == 0, result.output
    return result.output


def reminders_in(user, start):
    return [n for n in inbox(user) if n.message.startswith(start)]


@pytest.fixture
def council(make, community):
    chair = make.member(community, role=Role.CHAIR, username="chair")
    members = [make.member(community, role=Role.COUNCIL_MEMBER, username=f"council{i}") for i in range(1, 4)]
    return [chair, *members]


def test_council_members_the_day_before_a_meeting(app, community, committee, council, proposer):
    make_matter(community, proposer)
    meeting = meetings.schedule_meeting(
        committee,
        community,
        title="第1次议事会",
        starts_at=clock.now() + timedelta(days=2),
        place="社区活动室",
        chair_id=council[0].id,
        secretary_id=committee.id,
        agenda_item_ids=agenda_ids(community),
        urgent=True,
        urgent_reason="水管爆裂",
    )
    assert "reminders sent 0" in remind(app)  # two days ahead: not yet
    with freeze_time(clock.now() + timedelta(days=1, hours=1)):
        assert "reminders sent 4" in remind(app)
        assert "reminders sent 0" in remind(app)  # run again: nothing twice
    for member in council:
        (note,) = reminders_in(member, "Reminder: council meeting")
        assert note.link.endswith(f"/meetings/{meeting.id}")
    assert reminders_in(proposer, "Reminder") == []  # residents are not on the council
    assert db.session.scalar(select(func.count(SentReminder.id))) == 4


def test_residents_who_have_not_voted_24_hours_before_the_round_closes(app, make, community, committee, proposer):
    residents = [make.member(community, username=f"voter{i}") for i in range(3)]
    voting_round = open_round(committee, community, make_matters(community, proposer, costs=[50_000, 80_000]))
    casting.cast_ballot(residents[0], voting_round, [1])
    assert "reminders sent 0" in remind(app)  # a week to go
    with freeze_time(voting_round.closes_at - timedelta(hours=23)):
        output = remind(app)
        casting.cast_ballot(residents[1], voting_round, [2])  # votes after the reminder: no second one
        assert "reminders sent 0" in remind(app)
    assert reminders_in(residents[0], "Reminder: the residents' vote") == []  # voted: not reminded
    assert len(reminders_in(residents[1], "Reminder: the residents' vote")) == 1
    assert len(reminders_in(residents[2], "Reminder: the residents' vote")) == 1
    # The register: the proposer, the committee member, the three voters; one had voted.
    assert "reminders sent 4" in output


def test_a_closed_round_is_not_reminded(app, make, community, committee, proposer):
    voting_round = open_round(committee, community, make_matters(community, proposer, costs=[50_000, 80_000]))
    with freeze_time(voting_round.closes_at + timedelta(hours=1)):
        assert "reminders sent 0" in remind(app)


def test_supporters_when_rating_opens_and_two_days_before_it_closes(app, completed, committee, supporters, follower):
    rating.open_evaluation(committee, completed, closes_on=days(7))
    window = completed.current_window
    remind(app)
    for supporter in supporters:
        assert len(reminders_in(supporter, "Rating is open")) == 1
    assert reminders_in(follower, "Rating is open") == []  # following is not supporting
    remind(app)
    assert len(reminders_in(supporters[0], "Rating is open")) == 1  # once
    rating.rate(supporters[0], completed, stars=5, comment="")
    with freeze_time(window.closes_at - timedelta(days=1)):
        remind(app)
        remind(app)
    assert reminders_in(supporters[0], "Reminder: rating") == []  # rated already
    assert len(reminders_in(supporters[1], "Reminder: rating")) == 1


def test_a_reminder_claimed_by_another_worker_is_not_sent_again(app, make):
    """Two workers at once: the unique key lets one of them write the row; the other skips it and goes on."""
    from app.notifications.reminders import _claim

    user = make.user()
    assert _claim("round_closing", 7, user.id)
    db.session.commit()
    assert not _claim("round_closing", 7, user.id)  # the row is there: refused, the transaction goes on
    assert _claim("round_closing", 8, user.id)
    db.session.commit()
    assert db.session.scalar(select(func.count(SentReminder.id))) == 2


def test_the_resident_worker_sends_reminders_and_delivers_in_each_round(app, community, committee, council, proposer):
    """`flask outbox work` (what `make run` starts beside gunicorn) does what the timer commands do."""
    make_matter(community, proposer)
    meetings.schedule_meeting(
        committee,
        community,
        title="第1次议事会",
        starts_at=clock.now() + timedelta(hours=20),
        place="社区活动室",
        chair_id=council[0].id,
        secretary_id=committee.id,
        agenda_item_ids=agenda_ids(community),
        urgent=True,
        urgent_reason="水管爆裂",
    )
    result = app.test_cli_runner().invoke(args=["outbox", "work", "--rounds", "2", "--every", "0"])
    assert result.exit_code == 0, result.output
    first, second = result.output.splitlines()
    assert first.startswith("reminders 4,") and second.startswith("reminders 0,")  # once each
    for member in council:
        assert len(reminders_in(member, "Reminder: council meeting")) == 1
