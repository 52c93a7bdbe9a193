"""The street office's rules as pure functions (no Flask, no database): when a community's record
is an exception a street officer should act on, and the yearly figures computed from plain facts.
exceptions.py and figures.py read the facts; everything decided from them is here."""

from datetime import date

RECTIFICATION_OPEN_DAYS = 30  # a rectification open longer than this is an exception
MEETING_GAP_DAYS = 60  # a community with no council meeting held for longer than this is an exception


def days_between(start: date, end: date) -> int:
    return (end - start).days


def rectification_too_long(opened_on: date, accepted_on: date | None, today: date) -> bool:
    """Open (not yet accepted again) for more than RECTIFICATION_OPEN_DAYS days."""
    return accepted_on is None and days_between(opened_on, today) > RECTIFICATION_OPEN_DAYS


def meeting_gap(last_held_on: date | None, today: date) -> int | None:
    """Days since the last council meeting held; None when none was ever held."""
    return None if last_held_on is None else days_between(last_held_on, today)


def no_recent_meeting(last_held_on: date | None, today: date) -> bool:
    """No council meeting held in the last MEETING_GAP_DAYS days (or never)."""
    gap = meeting_gap(last_held_on, today)
    return gap is None or gap > MEETING_GAP_DAYS


def on_time(planned_end: date | None, accepted_on: date | None) -> bool | None:
    """Was the project accepted (验收) by its planned end? None while not accepted; a project
    planned without an end date counts as on time once accepted."""
    if accepted_on is None:
        return None
    return planned_end is None or accepted_on <= planned_end


def on_time_percent(pairs) -> float | None:
    """Percent of accepted projects accepted on time, over (planned_end, accepted_on) pairs; None
    when none was accepted."""
    verdicts = [v for v in (on_time(end, accepted) for end, accepted in pairs) if v is not None]
    return round(100 * sum(verdicts) / len(verdicts), 1) if verdicts else None


def turnout_percent(ballots: int, electorate: int) -> float | None:
    """Turnout over several rounds: all ballots over all electors (not an average of percents)."""
    return round(100 * ballots / electorate, 1) if electorate else None
