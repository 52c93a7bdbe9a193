"""Pure rules and dashboard figures, checked against values worked out by hand."""

from dataclasses import dataclass
from datetime import date, datetime

import pytest

from app.tracker import figures, rules
from app.tracker.figures import RecordFacts


@dataclass
class M:
    planned_date: date
    done_on: date | None = None


TODAY = date(2026, 5, 10)


def test_overdue_is_a_past_planned_date_without_done():
    milestones = [M(date(2026, 5, 9)), M(date(2026, 5, 10)), M(date(2026, 5, 1), date(2026, 5, 2))]
    assert rules.overdue_milestones(milestones, TODAY) == [milestones[0]]  # due today is not late yet
    assert rules.is_overdue(milestones, TODAY)
    assert not rules.is_overdue(milestones, TODAY, closed=True)
    assert not rules.is_overdue(milestones[1:], TODAY)
    assert not rules.is_overdue([], TODAY)
    assert rules.days_late(milestones[0], TODAY) == 1 and rules.days_late(milestones[2], TODAY) == 0


def test_dates_and_percentages():
    assert rules.valid_percent(0) and rules.valid_percent(100)
    assert not rules.valid_percent(101) and not rules.valid_percent(-1) and not rules.valid_percent(50.5)
    assert not rules.valid_percent(True) and not rules.valid_percent("50")
    assert rules.valid_past_date(TODAY, TODAY) and not rules.valid_past_date(date(2026, 5, 11), TODAY)
    assert not rules.valid_past_date(date(1999, 12, 31), TODAY)


def test_over_budget_only_above_the_budget():
    assert not rules.over_budget(10_000, 6_000, 4_000)  # exactly the budget
    assert rules.over_budget(10_000, 6_000, 4_001)
    assert rules.over_budget(0, 0, 1)


def test_satisfaction_by_hand():
    # 5,5,4,3,2,1,4: satisfied = 4 of 7 = 57.1 %; average = 24 / 7 = 3.43
    summary = rules.satisfaction([5, 5, 4, 3, 2, 1, 4])
    assert (summary.count, summary.satisfied, summary.rate, summary.average) == (7, 4, 57.1, 3.43)
    assert summary.distribution == {1: 1, 2: 1, 3: 1, 4: 2, 5: 2}
    assert summary.below(60) and not summary.below(57)
    empty = rules.satisfaction([])
    assert empty.rate is None and empty.average is None and not empty.below(60)
    with pytest.raises(ValueError):
        rules.satisfaction([0])
    with pytest.raises(ValueError):
        rules.satisfaction([6])


def test_threshold_boundary_is_not_below():
    # 3 of 5 satisfied = exactly 60 %: meets a 60 % threshold
    summary = rules.satisfaction([4, 5, 4, 1, 2])
    assert summary.rate == 60.0 and not summary.below(60)
    assert rules.needs_response(rules.satisfaction([1, 5]), 60, window_ended=True, responded=False)
    assert not rules.needs_response(rules.satisfaction([1, 5]), 60, window_ended=False, responded=False)
    assert not rules.needs_response(rules.satisfaction([1, 5]), 60, window_ended=True, responded=True)
    assert not rules.needs_response(rules.satisfaction([]), 60, window_ended=True, responded=False)


def test_stage_counts_keep_order_and_zeroes():
    counts = figures.stage_counts(["approved", "closed", "approved", "mystery"], ["collecting", "approved", "closed"])
    assert list(counts.items()) == [("collecting", 0), ("approved", 2), ("closed", 1), ("mystery", 1)]
    assert figures.stage_counts({"closed": 3}, ["approved", "closed"]) == {"approved": 0, "closed": 3}


def test_average_days():
    pairs = [
        (datetime(2026, 1, 1), datetime(2026, 1, 31)),  # 30 days
        (datetime(2026, 2, 1), datetime(2026, 2, 11, 12)),  # 10.5 days
        (datetime(2026, 3, 1), None),
    ]  # not completed: left out
    assert figures.average_days(pairs) == 20.2  # (30 + 10.5) / 2 = 20.25 -> 20.2 (round half even)
    assert figures.average_days([]) is None


class C:
    def __init__(self, id, name, slug="c", district="d"):
        self.id, self.name, self.slug, self.district = id, name, slug, district


def facts(rid, state, budget, spent, proposed, completed=None, overdue=False, stars=()):
    return RecordFacts(
        record_id=rid,
        matter_id=rid,
        title=f"r{rid}",
        state=state,
        budget=budget,
        spent=spent,
        proposed_at=proposed,
        completed_at=completed,
        overdue=overdue,
        stars=tuple(stars),
    )


def test_community_figures_by_hand():
    records = [
        facts(1, "in_progress", 10_000, 3_000, datetime(2026, 1, 1), overdue=True),
        facts(2, "closed", 20_000, 21_000, datetime(2026, 1, 1), datetime(2026, 3, 2), stars=[5, 4, 4, 2]),
        facts(3, "evaluation", 30_000, 27_000, datetime(2026, 2, 1), datetime(2026, 2, 21), stars=[1, 5]),
        facts(4, "planned", 40_000, 0, datetime(2026, 4, 1)),
    ]
    statuses = ["collecting"] * 3 + ["approved", "implementing", "closed", "evaluating"]
    result = figures.community_figures(
        C(1, "杏林"),
        statuses,
        records,
        ["collecting", "approved", "implementing", "evaluating", "closed"],
        ["planned", "in_progress", "evaluation", "closed"],
    )
    assert result.matters == 7 and result.records == 4
    assert result.stage_counts == {"collecting": 3, "approved": 1, "implementing": 1, "evaluating": 1, "closed": 1}
    assert result.state_counts == {"planned": 1, "in_progress": 1, "evaluation": 1, "closed": 1}
    assert result.accepted == 2  # closed and evaluation
    assert result.overdue == 1 and result.overdue_records[0].record_id == 1
    assert result.allocated == 100_000 and result.spent == 51_000 and result.spent_percent == 51.0
    # record 2: Jan 1 -> Mar 2 = 60 days; record 3: Feb 1 -> Feb 21 = 20 days; mean 40.0
    assert result.average_days == 40.0
    # stars 5,4,4,2,1,5: satisfied 4 of 6 = 66.7 %; average 21 / 6 = 3.5
    assert (result.satisfaction.count, result.satisfaction.rate, result.satisfaction.average) == (6, 66.7, 3.5)
    row = result.as_row()
    assert row["community"] == "杏林" and row["satisfaction"] == 66.7 and row["average_days"] == 40.0


def test_empty_community():
    result = figures.community_figures(C(2, "空"), [], [], ["approved"], ["planned"])
    assert result.matters == 0 and result.spent_percent is None and result.average_days is None
    assert result.satisfaction.rate is None


def test_sort_rows():
    rows = [
        {"community": "b", "satisfaction": 70.0},
        {"community": "a", "satisfaction": None},
        {"community": "c", "satisfaction": 90.0},
    ]
    for row in rows:
        row.update({k: 0 for k in figures.SORT_KEYS if k not in row})
    assert [r["community"] for r in figures.sort_rows(rows, "satisfaction")] == ["b", "c", "a"]
    assert [r["community"] for r in figures.sort_rows(rows, "-satisfaction")] == ["c", "b", "a"]
    assert [r["community"] for r in figures.sort_rows(rows, "-community")] == ["c", "b", "a"]
    assert [r["community"] for r in figures.sort_rows(rows, "nonsense")] == ["a", "b", "c"]
    assert [r["community"] for r in figures.sort_rows(rows, None)] == ["a", "b", "c"]


def test_bar_widths():
    assert figures.bar_widths([0, 5, 10], 200) == [0, 100, 200]
    assert figures.bar_widths([0, 0], 200) == [0, 0]
    assert figures.bar_widths([], 200) == []
