"""Ending a rating early needs the rule set's minimum of ratings and a confirmation; progress comes
from the milestones; the timeline orders same-day events by the matter's course and does not say
a state twice."""

from datetime import datetime, time, timedelta

import pytest
from freezegun import freeze_time

from app.core import clock
from app.core.errors import DomainError
from app.extensions import db
from app.rules.services import current_ruleset
from app.tracker import delivery, rating, rules, timeline
from app.tracker.timeline_events import RECTIFICATION_MILESTONE, Event, order_events
from tests.helpers import login

from .helpers import days, reload, today


def url(record, tail=""):
    return f"/c/xinglin/tracker/{record.id}{tail}"


def set_minimum(community, n):
    current_ruleset(community).early_close_min_ratings = n
    db.session.commit()


# ---------------------------------------------------------------- ending a rating early


def test_early_close_is_refused_below_the_rules_minimum(client, community, evaluating, committee, residents):
    set_minimum(community, 3)
    for user in residents[:2]:
        rating.rate(user, evaluating, stars=5)
    login(client, committee)
    page = client.get(url(evaluating, "/manage?lang=en")).get_data(as_text=True)
    assert "only once at least 3 residents have rated (2 so far)" in page
    assert url(evaluating, "/evaluation/end") not in page  # no button below the minimum
    response = client.post(url(evaluating, "/evaluation/end?lang=en"), data={"end_window-understood": "y"})
    assert response.status_code == 400
    body = response.get_data(as_text=True)
    assert "it has 2 ratings" in body and "(version 1) ask for at least 3" in body
    assert reload(evaluating).current_window.is_open()
    with pytest.raises(DomainError):
        rating.end_window(committee, evaluating)


def test_early_close_needs_the_tick_then_ends(client, community, evaluating, committee, residents):
    set_minimum(community, 3)
    for user in residents[:3]:
        rating.rate(user, evaluating, stars=4)
    login(client, committee)
    page = client.get(url(evaluating, "/manage?lang=en")).get_data(as_text=True)
    assert "the verdict is taken from the 3 ratings given so far" in page and "cannot be undone" in page
    assert "confirm.js" in page  # one tap with JavaScript
    refused = client.post(url(evaluating, "/evaluation/end"), data={})
    assert refused.status_code == 400 and 'id="end_window-understood-error"' in refused.get_data(as_text=True)
    assert reload(evaluating).current_window.is_open()
    done = client.post(url(evaluating, "/evaluation/end"), data={"end_window-understood": "y"})
    assert done.status_code == 302
    window = reload(evaluating).current_window
    assert not window.is_open() and window.ended_early


def test_the_default_minimum_is_twenty(app, make):
    community = make.community()
    assert current_ruleset(community).early_close_min_ratings == 20


# ---------------------------------------------------------------- progress from milestones


@pytest.mark.parametrize(
    "done, total, expected", [(0, 0, None), (0, 3, 0), (1, 3, 33), (2, 3, 66), (3, 3, 100), (199, 200, 99)]
)
def test_milestone_progress(done, total, expected):
    assert rules.milestone_progress(done, total) == expected


def test_progress_follows_the_milestones_before_acceptance(client, started, committee):
    first = delivery.add_milestone(committee, started, title="签订合同", planned_date=days(3))
    second = delivery.add_milestone(committee, started, title="材料进场", planned_date=days(6))
    delivery.add_milestone(committee, started, title="安装完成", planned_date=days(9))
    assert reload(started).progress_percent == 0
    delivery.complete_milestone(committee, started, first.id, done_on=today(), note="")
    assert reload(started).progress_percent == 33
    delivery.complete_milestone(committee, started, second.id, done_on=today(), note="")
    record = reload(started)
    assert record.progress_percent == 66
    html = client.get(url(record) + "?lang=en").get_data(as_text=True)
    assert "Progress: 66% done" in html and 'value="66"' in html
    assert 'value="66"' in client.get(f"/c/xinglin/matters/{record.matter_id}").get_data(as_text=True)
    login(client, committee)
    manage = client.get(url(record, "/manage?lang=en")).get_data(as_text=True)
    assert "Progress follows the milestones: 2 of 3 done." in manage and 'name="update-percent"' not in manage


def test_a_rectification_counts_its_own_milestones(evaluating, committee, residents):
    rating.rate(residents[0], evaluating, stars=1)
    delivery.rectify(committee, evaluating, "坡道太陡")
    record = reload(evaluating)
    assert record.progress_percent == 0
    fix = delivery.add_milestone(committee, record, title="加装防滑条", planned_date=days(3))
    delivery.add_milestone(committee, record, title="复测坡度", planned_date=days(5))
    delivery.complete_milestone(committee, record, fix.id, done_on=today(), note="")
    assert reload(record).progress_percent == 50


# ---------------------------------------------------------------- the timeline


def test_same_day_events_follow_the_course_whatever_the_hour(app):
    day = today()
    noon = clock.to_utc(datetime.combine(day, time(15)))  # 15:00 local
    events = [
        Event(day, "milestone", "rectification milestone done", step=RECTIFICATION_MILESTONE),
        Event(noon, "rectification", "rectification opened"),
        Event(clock.to_utc(datetime.combine(day, time(9))), "update", "morning update"),
        Event(day, "acceptance", "accepted"),
        Event(day, "milestone", "milestone done"),
        Event(clock.to_utc(datetime.combine(day, time(8))), "implementation", "work started"),
    ]
    titles = [e.title for e in order_events(events)]
    assert titles == [
        "work started",
        "morning update",
        "milestone done",
        "accepted",
        "rectification opened",
        "rectification milestone done",
    ]


def test_timeline_of_a_rectification_is_in_order_and_says_the_state_once(client, evaluating, committee, residents):
    for user in residents[:3]:
        rating.rate(user, evaluating, stars=1)
    # 16:00 local, or a minute from now when the window opened later today (the window must be open)
    local_afternoon = max(clock.to_utc(datetime.combine(today(), time(16))), clock.utcnow() + timedelta(minutes=1))
    with freeze_time(local_afternoon):  # after noon: a milestone "done today" must still follow the opening
        rating.end_window(committee, evaluating)
        delivery.rectify(committee, evaluating, "坡道太陡")
        record = reload(evaluating)
        fix = delivery.add_milestone(committee, record, title="加装防滑条", planned_date=today())
        delivery.complete_milestone(committee, record, fix.id, done_on=today(), note="")
        events, _supports = timeline.build(record.matter)
        kinds = [e.kind for e in events]
        fixed = next(i for i, e in enumerate(events) if "加装防滑条" in e.title and e.kind == "milestone")
        ended = max(i for i, e in enumerate(events) if e.kind == "evaluation")  # ended by the committee
        assert ended < kinds.index("rating") < kinds.index("rectification") < fixed
        html = client.get(f"/c/xinglin/matters/{record.matter_id}/timeline").get_data(as_text=True)
    now_line = next(line for line in html.splitlines() if "当前：" in line)  # "Now:"
    assert now_line.count("整改中") == 1, now_line
