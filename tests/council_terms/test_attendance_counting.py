"""The pure count of attendance: meetings held while on the council, and those attended."""

from datetime import date

from hypothesis import given
from hypothesis import strategies as st

from app.council_terms.attendance import Figures, attendance, on_council, year_span

MEETINGS = [(1, date(2026, 1, 15)), (2, date(2026, 4, 10)), (3, date(2026, 9, 3)), (4, date(2026, 12, 31))]


def test_only_meetings_within_the_period_count_both_ends_included():
    periods = {7: [(date(2026, 4, 10), date(2026, 9, 3))]}
    assert attendance(MEETINGS, periods, {(2, 7), (3, 7), (1, 7)}) == {7: Figures(2, 2)}


def test_two_periods_and_absences():
    periods = {7: [(date(2026, 1, 1), date(2026, 2, 1)), (date(2026, 12, 1), date(2026, 12, 31))], 8: [year_span(2026)]}
    figures = attendance(MEETINGS, periods, {(4, 7), (1, 8), (2, 8), (3, 8)})
    assert figures == {7: Figures(1, 2), 8: Figures(3, 4)}
    assert figures[7].percent == 50 and figures[8].percent == 75


def test_no_meeting_has_no_share():
    assert attendance([], {7: [year_span(2026)]}, set()) == {7: Figures(0, 0)}
    assert Figures(0, 0).percent is None
    assert Figures(2, 3).percent == 67 and Figures(1, 3).percent == 33


days = st.dates(min_value=date(2026, 1, 1), max_value=date(2026, 12, 31))


@given(
    st.lists(days, max_size=12),
    st.lists(st.tuples(days, days).map(sorted), max_size=3),
    st.sets(st.integers(0, 11)),
)
def test_attended_never_exceeds_held_and_held_is_the_meetings_in_the_periods(meeting_days, spans, present_at):
    meetings = list(enumerate(meeting_days))
    present = {(i, 1) for i in present_at}
    result = attendance(meetings, {1: spans}, present)[1]
    assert 0 <= result.attended <= result.held
    assert result.held == sum(on_council(day, spans) for day in meeting_days)
