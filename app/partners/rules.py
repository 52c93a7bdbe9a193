"""Pure rules of delivery tasks (no Flask, no database): reading hours as people type them,
showing minutes as hours, and the yearly figures of the committee's dashboard."""

import re
import unicodedata
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal

MAX_TASK_MINUTES = 24 * 60  # a task is done within a day; longer work is several tasks
_HOURS = re.compile(r"^([+-]?)(\d{1,4})(?:\.(\d+))?$")


class HoursError(ValueError):
    """Why a number of hours was refused: "missing", "not_a_number", "negative", "zero",
    "precision" (more than one decimal) or "too_long" (beyond `limit`)."""

    def __init__(self, reason):
        super().__init__(reason)
        self.reason = reason


def parse_hours(text, limit_minutes):
    """Hours as typed ("2", "1.5", "２.５", "1,5") -> whole minutes, at most `limit_minutes`.
    One decimal at most: 0.1 hour is six minutes, so every accepted value is exact in minutes."""
    value = unicodedata.normalize("NFKC", str(text if text is not None else "")).strip().replace(",", ".")
    if not value:
        raise HoursError("missing")
    match = _HOURS.match(value)
    if match is None:
        raise HoursError("not_a_number")
    sign, whole, fraction = match.groups()
    if sign == "-" and (int(whole) or int(fraction or 0)):
        raise HoursError("negative")
    if fraction is not None and len(fraction.rstrip("0")) > 1:
        raise HoursError("precision")
    minutes = int(Decimal(f"{whole}.{fraction or 0}") * 60)
    if minutes <= 0:
        raise HoursError("zero")
    if minutes > limit_minutes:
        raise HoursError("too_long")
    return minutes


def hours_text(minutes):
    """Minutes as hours for people: 150 -> "2.5", 120 -> "2" (every stored value is a tenth of an hour)."""
    tenths = round((minutes or 0) / 6)
    whole, tenth = divmod(tenths, 10)
    return f"{whole}.{tenth}" if tenth else str(whole)


@dataclass(frozen=True)
class YearFigures:
    year: int
    tasks: int
    partners: int  # partners with a confirmed sign-up on a task of the year
    volunteers: int  # volunteers with a confirmed sign-up on a task of the year
    minutes: int  # volunteers' confirmed service time
    charity: int  # yuan of charity co-funding entered in the fund that year

    @property
    def hours(self):
        return hours_text(self.minutes)


def figures_by_year(task_years, partner_signups, volunteer_signups, charity=None):
    """YearFigures per year, newest first. `task_years`: the year of each task; `partner_signups`:
    (year, partner id) of confirmed partner sign-ups; `volunteer_signups`: (year, volunteer id,
    confirmed minutes or None) of confirmed volunteer sign-ups; `charity`: {year: yuan}."""
    tasks = defaultdict(int)
    partners, volunteers, minutes = defaultdict(set), defaultdict(set), defaultdict(int)
    for year in task_years:
        tasks[year] += 1
    for year, partner_id in partner_signups:
        partners[year].add(partner_id)
    for year, volunteer_id, logged in volunteer_signups:
        volunteers[year].add(volunteer_id)
        minutes[year] += logged or 0
    charity = dict(charity or {})
    years = set(tasks) | set(partners) | set(volunteers) | {y for y, amount in charity.items() if amount}
    return [
        YearFigures(
            year=year,
            tasks=tasks[year],
            partners=len(partners[year]),
            volunteers=len(volunteers[year]),
            minutes=minutes[year],
            charity=charity.get(year, 0),
        )
        for year in sorted(years, reverse=True)
    ]
