"""A notice's objection period holds: work on the micro-matters it covers starts only after the
period has ended (the tracker's "start" is refused before, naming the notice and the date)."""

from datetime import timedelta

import pytest
from freezegun import freeze_time

from app.communities.models import Role
from app.core import clock
from app.core.clock import utcnow
from app.core.errors import DomainError
from app.extensions import db
from app.matters import lifecycle
from app.publishing import objections, services
from app.rules import services as rules
from app.rules.describe import describe
from app.tracker import delivery
from app.tracker import records as record_services
from app.tracker.models import RecordState
from tests.helpers import login
from tests.once_per_module import once_per_module_with

from . import records
from .helpers import new_matter


@pytest.fixture
def world(request, app, make):
    """conftest.py's world with the decided matter below, built once for this module's tests."""
    return once_per_module_with(request, "decided", lambda world: decided_matter(world, make))


@pytest.fixture
def decided(world):
    return world.decided


def decided_matter(world, make):
    """An approved matter with its implementation record, ready to start, and a decision notice
    on it whose objection period runs four more days (five days in all, the default rule)."""
    chair = make.member(world.community, role=Role.CHAIR, username="chair", display_name="陈会长")
    council = [chair] + [
        make.member(world.community, role=Role.COUNCIL_MEMBER, display_name=f"议事员{i}") for i in range(4)
    ]
    matter = new_matter(world.community, world.proposer, "小区路灯更换")
    held = records.held_meeting(world.community, matter, council[0], council[1], council, world.committee)
    lifecycle.apply(matter, "approve", world.committee, system=True, budget=8000)
    db.session.commit()
    record = record_services.record_for_matter(matter)
    delivery.update_details(
        world.committee,
        record,
        responsible_unit="杏林物业",
        contact="13700001111",
        planned_start=None,
        planned_end=None,
    )
    end = clock.local_today() + timedelta(days=4)
    notice = services.publish_notice(
        world.committee, world.community, "decision", held.motion.id, period_start=clock.local_today(), period_end=end
    )
    return record, notice


def test_work_cannot_start_during_the_objection_period(world, decided):
    record, notice = decided
    with pytest.raises(DomainError) as refused:
        delivery.start(world.committee, record)
    message = str(refused.value.message)
    assert notice.title in message and notice.period_end.isoformat() in message
    db.session.rollback()
    assert record.state == RecordState.PLANNED and record.matter.status == "approved"
    # On the last day of the period too.
    with freeze_time(utcnow() + timedelta(days=4)):
        assert objections.periods_not_ended(record.matter_id) == [notice]
        with pytest.raises(DomainError):
            delivery.start(world.committee, record)
        db.session.rollback()


def test_work_starts_once_the_period_has_ended(world, decided):
    record, notice = decided
    with freeze_time(utcnow() + timedelta(days=5)):
        assert objections.periods_not_ended(record.matter_id) == []
        delivery.start(world.committee, record)
    assert record.state == RecordState.IN_PROGRESS and record.matter.status == "implementing"


def test_an_unanswered_objection_still_holds_after_the_period(world, decided):
    record, notice = decided
    objections.lodge_objection(world.resident, notice, "路灯位置不合理")
    with freeze_time(utcnow() + timedelta(days=10)):
        with pytest.raises(DomainError) as refused:
            delivery.start(world.committee, record)
        assert "异议未答复" in str(refused.value.message)
        db.session.rollback()


def test_the_start_button_explains_the_refusal(client, world, decided):
    record, notice = decided
    login(client, world.committee)
    manage = client.get(f"/c/xinglin/tracker/{record.id}/manage?lang=en").get_data(as_text=True)
    assert "Work cannot start before the objection period of the notice" in manage  # said before the click
    response = client.post(f"/c/xinglin/tracker/{record.id}/start?lang=en", follow_redirects=True)
    html = response.get_data(as_text=True)
    assert "Work cannot start before the objection period of the notice" in html
    assert notice.period_end.isoformat() in html
    db.session.refresh(record)
    assert record.state == RecordState.PLANNED


def test_only_starting_work_waits_and_only_for_the_matters_covered(world, decided):
    record, notice = decided
    other = new_matter(world.community, world.proposer, "另一个项目")
    lifecycle.apply(other, "approve", world.committee, system=True)
    db.session.commit()
    assert objections.objection_period_holds_the_work(other, "start_implementation") is None
    assert objections.objection_period_holds_the_work(record.matter, "complete") is None
    assert objections.objection_period_holds_the_work(record.matter, "start_implementation") is not None


def test_the_notice_page_says_when_work_may_start(client, world, decided):
    _record, notice = decided
    html = client.get(f"/c/xinglin/notices/{notice.id}?lang=en").get_data(as_text=True)
    assert "can start only after the notice period has ended" in html


def test_a_notice_period_shorter_than_the_rules_ask_is_refused(world, decided, client):
    """The rule set's objection period (公示期, 5 days by default) is the least a notice may have."""
    login(client, world.committee)
    with pytest.raises(DomainError) as refused:
        services.publish_notice(
            world.committee,
            world.community,
            "acceptance",
            world.record.id,
            period_start=clock.local_today(),
            period_end=clock.local_today() + timedelta(days=3),
        )
    assert "5" in str(refused.value.message)
    db.session.rollback()
    # The form offers a period as long as the rules ask.
    start, end = services.default_period(world.community)
    assert (end - start).days + 1 > 5


def test_rules_without_an_objection_period_do_not_hold_the_work(world, decided):
    """A rule set with no objection period (0 days): a notice still takes objections, but the start
    of work does not wait for its period."""
    record, notice = decided
    draft = rules.propose_version(
        world.committee,
        world.community,
        {**rules.field_values(rules.current_ruleset(world.community)), "objection_days": 0},
        "不设公示期",
    )
    rules.adopt(draft, world.committee)  # in force once adopted (tests/rules covers the council's vote)
    assert objections.objection_period_holds_the_work(record.matter, "start_implementation") is None
    delivery.start(world.committee, record)
    assert record.state == RecordState.IN_PROGRESS
    text = " ".join(s.text for s in describe(rules.current_ruleset(world.community)))
    assert "no objection period" in text
