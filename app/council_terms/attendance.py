"""A member's attendance over a year, counted: pure, no Flask, no database.

A meeting counts for a member when it was held on a day they were on the council (inside one of
their periods, both ends included); they attended it when they checked in and were not marked absent.
"""

from dataclasses import dataclass
from datetime import date


@dataclass(frozen=True)
class Figures:
    attended: int
    held: int

    @property
    def percent(self):
        """Whole per cent, rounded half up; None when no meeting was held."""
        return None if self.held == 0 else (200 * self.attended + self.held) // (2 * self.held)


def on_council(day, periods):
    return any(start <= day <= end for start, end in periods)


def attendance(meetings, periods, present):
    """`meetings`: (meeting id, day held); `periods`: {person: [(first day, last day), ...]};
    `present`: {(meeting id, person)} of those who attended. Returns {person: Figures}."""
    figures = {}
    for person, spans in periods.items():
        held = [meeting_id for meeting_id, day in meetings if on_council(day, spans)]
        figures[person] = Figures(sum((meeting_id, person) in present for meeting_id in held), len(held))
    return figures


def year_span(year):
    return date(year, 1, 1), date(year, 12, 31)
