"""Dashboard figures as pure functions over plain facts (no Flask, no database).

dashboards.py reads the facts from the database; everything computed from them is here
so that it can be checked against hand-computed values.
"""

from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime

from .rules import MIN_GROUP, Satisfaction, published_groups, satisfaction

# Record states in which the project has been accepted at least once.
ACCEPTED_STATES = ("completed", "evaluation", "rectification", "closed")


@dataclass(frozen=True)
class RecordFacts:
    record_id: int
    matter_id: int
    title: str
    state: str
    budget: int
    spent: int
    proposed_at: date | datetime  # when the micro-matter was submitted (or created, if never submitted)
    completed_at: date | datetime | None  # the first acceptance (验收) date
    overdue: bool
    stars: tuple = ()  # ratings of the record's latest evaluation window
    progress: int = 0  # percent


@dataclass(frozen=True)
class CommunityFigures:
    community_id: int
    name: str
    slug: str
    district: str
    stage_counts: dict  # micro-matter status -> count, in lifecycle order
    state_counts: dict  # record state -> count
    matters: int
    records: int
    accepted: int
    overdue: int
    overdue_records: tuple
    allocated: int
    spent: int
    spent_percent: float | None
    average_days: float | None  # proposal to first acceptance (验收), in days
    satisfaction: Satisfaction = field(default_factory=lambda: satisfaction([]))

    def as_row(self):
        """The flat row used by the admin table, its sorting and the CSV download."""
        return {
            "community": self.name,
            "slug": self.slug,
            "district": self.district,
            "matters": self.matters,
            "records": self.records,
            "accepted": self.accepted,
            "overdue": self.overdue,
            "allocated": self.allocated,
            "spent": self.spent,
            "spent_percent": self.spent_percent,
            "average_days": self.average_days,
            "ratings": self.satisfaction.count,
            "satisfaction": self.satisfaction.rate,
            "average_stars": self.satisfaction.average,
        }


def stage_counts(statuses, stages):
    """Count per status, every stage listed (zero included), in `stages` order.
    `statuses` is an iterable of statuses or a mapping status -> count."""
    counts = Counter(statuses) if not isinstance(statuses, dict) else Counter(dict(statuses))
    ordered = {str(stage): counts.pop(str(stage), 0) for stage in stages}
    ordered.update(sorted(counts.items()))  # any status not in `stages` still shows
    return ordered


def average_days(pairs):
    """Mean days from start to end over (start, end) pairs with an end; None when there are none."""
    spans = [(end - start).total_seconds() / 86400 for start, end in pairs if start and end]
    return round(sum(spans) / len(spans), 1) if spans else None


def percent(part, whole):
    return round(100 * part / whole, 1) if whole else None


def community_figures(community, statuses, records, stages, record_states) -> CommunityFigures:
    """`community` has id, name, slug, district; `statuses` are its micro-matters' statuses (or a
    mapping status -> count); `records` are RecordFacts of its implementation records."""
    records = list(records)
    counts = stage_counts(statuses, stages)
    allocated = sum(r.budget for r in records)
    spent = sum(r.spent for r in records)
    overdue = tuple(r for r in records if r.overdue)
    all_stars = [s for r in records for s in r.stars]
    return CommunityFigures(
        community_id=community.id,
        name=community.name,
        slug=community.slug,
        district=community.district,
        stage_counts=counts,
        state_counts=stage_counts([r.state for r in records], record_states),
        matters=sum(counts.values()),
        records=len(records),
        accepted=sum(1 for r in records if r.state in ACCEPTED_STATES),
        overdue=len(overdue),
        overdue_records=overdue,
        allocated=allocated,
        spent=spent,
        spent_percent=percent(spent, allocated),
        average_days=average_days((r.proposed_at, r.completed_at) for r in records),
        satisfaction=satisfaction(all_stars),
    )


def withhold_small_groups(rows, minimum=MIN_GROUP):
    """Rows (as_row()) side by side are a breakdown of all ratings: a row's satisfaction and average
    are withheld (None, with "withheld" set) when it rests on fewer than `minimum` ratings."""
    shown = published_groups({i: row["ratings"] for i, row in enumerate(rows)}, minimum)
    out = []
    for i, row in enumerate(rows):
        withheld = i not in shown
        out.append(dict(row, withheld=withheld, **({"satisfaction": None, "average_stars": None} if withheld else {})))
    return out


SORT_KEYS = (
    "community",
    "district",
    "matters",
    "records",
    "accepted",
    "overdue",
    "allocated",
    "spent",
    "spent_percent",
    "average_days",
    "ratings",
    "satisfaction",
    "average_stars",
)


def sort_rows(rows, sort, keys=SORT_KEYS):
    """Sort table rows by `sort` ("key" ascending, "-key" descending); a key not among `keys` sorts
    by community. Missing values (None, withheld) always come last."""
    sort = sort or "community"
    descending = sort.startswith("-")
    key = sort.lstrip("-")
    if key not in keys:
        key, descending = "community", False
    present = [r for r in rows if r[key] is not None]
    missing = [r for r in rows if r[key] is None]
    present.sort(key=lambda r: (r[key], r["community"]), reverse=descending)
    return present + sorted(missing, key=lambda r: r["community"])


def bar_widths(values, width):
    """Scale values to bar lengths for an SVG chart of the given width (the largest fills it)."""
    values = list(values)
    top = max(values, default=0)
    return [round(width * v / top) if top else 0 for v in values]
