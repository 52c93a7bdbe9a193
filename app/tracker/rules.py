"""The tracker's rules as pure functions (no Flask, no database): overdue, satisfaction,
budget and the committee's duty to respond. Services and figures build on them."""

from dataclasses import dataclass, field
from datetime import date

SATISFIED_STARS = (4, 5)
MIN_GROUP = 5  # no breakdown group of fewer ratings is published
MAX_PERCENT = 100
EARLIEST_DATE = date(2000, 1, 1)


def overdue_milestones(milestones, today: date):
    """Milestones past their planned date and not done (planned_date < today, no done_on)."""
    return [m for m in milestones if m.done_on is None and m.planned_date < today]


def is_overdue(milestones, today: date, closed: bool = False) -> bool:
    return not closed and bool(overdue_milestones(milestones, today))


def days_late(milestone, today: date) -> int:
    return max(0, (today - milestone.planned_date).days) if milestone.done_on is None else 0


def valid_percent(value) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and 0 <= value <= MAX_PERCENT


def milestone_progress(done: int, total: int) -> int | None:
    """Progress in percent from the milestones done: rounded down, so 100 only when every one is
    done; None without milestones (then the committee states it)."""
    if total <= 0:
        return None
    return MAX_PERCENT * max(0, min(done, total)) // total


def valid_past_date(value: date, today: date) -> bool:
    """A date something happened on: not in the future, not absurdly early."""
    return isinstance(value, date) and EARLIEST_DATE <= value <= today


def over_budget(budget: int, spent_before: int, amount: int) -> bool:
    """Would this entry take the total above the approved budget?"""
    return spent_before + amount > budget


@dataclass(frozen=True)
class Satisfaction:
    count: int
    satisfied: int  # ratings of 4 or 5 stars
    rate: float | None  # percent of satisfied ratings, None without ratings
    average: float | None  # mean stars, None without ratings
    distribution: dict = field(default_factory=dict)  # stars -> count, 1..5

    def below(self, threshold_percent: int) -> bool:
        """Below the rule's threshold (no ratings: no verdict, so never below)."""
        return self.rate is not None and self.rate < threshold_percent


def satisfaction(stars) -> Satisfaction:
    stars = list(stars)
    if any(not isinstance(s, int) or not 1 <= s <= 5 for s in stars):
        raise ValueError("ratings are whole stars from 1 to 5")
    distribution = {s: 0 for s in range(1, 6)}
    for s in stars:
        distribution[s] += 1
    count = len(stars)
    if not count:
        return Satisfaction(0, 0, None, None, distribution)
    satisfied = sum(1 for s in stars if s in SATISFIED_STARS)
    return Satisfaction(count, satisfied, round(100 * satisfied / count, 1), round(sum(stars) / count, 2), distribution)


def needs_response(summary: Satisfaction, threshold_percent: int, window_ended: bool, responded: bool) -> bool:
    """After a window ends below the threshold the committee must rectify or give a public reason."""
    return window_ended and not responded and summary.below(threshold_percent)


def published_groups(sizes: dict, minimum: int = MIN_GROUP) -> set:
    """Which groups of a breakdown may be published, given {group: number of ratings}.

    A group with ratings but fewer than `minimum` is withheld. The total is published anyway, so
    when exactly one group is withheld the smallest other group with ratings is withheld too:
    otherwise the withheld one would follow by subtraction. Empty groups reveal nothing."""
    withheld = {key for key, n in sizes.items() if 0 < n < minimum}
    if len(withheld) == 1:
        rest = [key for key, n in sizes.items() if n and key not in withheld]
        if rest:
            withheld.add(min(rest, key=lambda key: sizes[key]))
    return {key for key in sizes if key not in withheld}


def breakdown(groups: dict, minimum: int = MIN_GROUP) -> dict:
    """{group: Satisfaction, or None when withheld} for {group: stars}."""
    groups = {key: list(stars) for key, stars in groups.items()}
    shown = published_groups({key: len(stars) for key, stars in groups.items()}, minimum)
    return {key: satisfaction(stars) if key in shown else None for key, stars in groups.items()}
