"""Pure rules: hours as people type them, minutes shown as hours, the yearly figures."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from app.partners import rules
from app.partners.rules import HoursError, figures_by_year, hours_text, parse_hours


@pytest.mark.parametrize(
    ("text", "minutes"),
    [("2", 120), ("1.5", 90), ("0.1", 6), ("1,5", 90), ("２.５", 150), (" 3 ", 180), ("2.50", 150), ("+1", 60)],
)
def test_hours_read(text, minutes):
    assert parse_hours(text, 24 * 60) == minutes


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("", "missing"),
        (None, "missing"),
        ("abc", "not_a_number"),
        ("1e3", "not_a_number"),
        ("1.5.1", "not_a_number"),
        ("-1", "negative"),
        ("-0.5", "negative"),
        ("0", "zero"),
        ("0.0", "zero"),
        ("1.25", "precision"),
        ("2.6", "too_long"),
    ],
)
def test_hours_refused(text, reason):
    with pytest.raises(HoursError) as refused:
        parse_hours(text, 150)
    assert refused.value.reason == reason


@given(st.integers(min_value=1, max_value=240))
def test_every_tenth_of_an_hour_round_trips(tenths):
    minutes = tenths * 6
    assert parse_hours(hours_text(minutes), rules.MAX_TASK_MINUTES) == minutes


@given(st.integers(min_value=1, max_value=240), st.integers(min_value=1, max_value=240))
def test_never_beyond_the_limit(tenths, limit_tenths):
    text = hours_text(tenths * 6)
    if tenths > limit_tenths:
        with pytest.raises(HoursError):
            parse_hours(text, limit_tenths * 6)
    else:
        assert parse_hours(text, limit_tenths * 6) <= limit_tenths * 6


def test_hours_text():
    assert [hours_text(m) for m in (0, None, 6, 60, 90, 150)] == ["0", "0", "0.1", "1", "1.5", "2.5"]


@given(
    st.lists(st.tuples(st.integers(2024, 2027), st.integers(1, 5), st.one_of(st.none(), st.integers(6, 600)))),
    st.lists(st.tuples(st.integers(2024, 2027), st.integers(1, 3))),
)
def test_year_figures_add_up(volunteer_signups, partner_signups):
    rows = figures_by_year([], partner_signups, volunteer_signups)
    assert sum(r.minutes for r in rows) == sum(m or 0 for _y, _v, m in volunteer_signups)
    assert [r.year for r in rows] == sorted({y for y, *_ in volunteer_signups + partner_signups}, reverse=True)
    for row in rows:
        assert row.volunteers == len({v for y, v, _m in volunteer_signups if y == row.year})
        assert row.partners == len({p for y, p in partner_signups if y == row.year})


def test_years_with_charity_money_only_are_listed():
    (row,) = figures_by_year([], [], [], {2026: 8000, 2025: 0})
    assert (row.year, row.charity, row.tasks) == (2026, 8000, 0)
