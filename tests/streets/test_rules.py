"""The street office's pure rules: when a record is an exception, and the yearly rates."""

from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from app.streets import rules

TODAY = date(2026, 11, 30)


@pytest.mark.parametrize(
    ("opened_days_ago", "accepted", "expected"),
    [(31, None, True), (30, None, False), (0, None, False), (90, date(2026, 11, 1), False)],
)
def test_rectification_too_long(opened_days_ago, accepted, expected):
    opened = TODAY - timedelta(days=opened_days_ago)
    assert rules.rectification_too_long(opened, accepted, TODAY) is expected


@pytest.mark.parametrize(("last", "expected"), [(None, True), (61, True), (60, False), (0, False)])
def test_no_recent_meeting(last, expected):
    held = None if last is None else TODAY - timedelta(days=last)
    assert rules.no_recent_meeting(held, TODAY) is expected


def test_on_time():
    assert rules.on_time(date(2026, 5, 1), date(2026, 5, 1)) is True
    assert rules.on_time(date(2026, 5, 1), date(2026, 5, 2)) is False
    assert rules.on_time(None, date(2026, 5, 2)) is True  # planned without an end: not late
    assert rules.on_time(date(2026, 5, 1), None) is None  # not accepted: no verdict


def test_on_time_percent():
    pairs = [(date(2026, 5, 1), date(2026, 4, 1)), (date(2026, 5, 1), date(2026, 6, 1)), (date(2026, 5, 1), None)]
    assert rules.on_time_percent(pairs) == 50.0
    assert rules.on_time_percent([]) is None
    assert rules.on_time_percent([(date(2026, 5, 1), None)]) is None


def test_turnout_is_all_ballots_over_all_electors():
    assert rules.turnout_percent(0, 0) is None
    assert rules.turnout_percent(30, 200) == 15.0  # e.g. 20/100 and 10/100: not the mean of 20 % and 10 %


@given(st.lists(st.tuples(st.dates(), st.one_of(st.none(), st.dates())), max_size=20))
def test_on_time_percent_is_a_percent_of_the_accepted(pairs):
    value = rules.on_time_percent(pairs)
    accepted = [p for p in pairs if p[1] is not None]
    if not accepted:
        assert value is None
    else:
        assert 0 <= value <= 100
        assert (value == 100.0) == all(end is None or done <= end for end, done in accepted)
