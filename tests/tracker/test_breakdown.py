"""No breakdown group of fewer than five ratings is published (pure rules)."""

from app.tracker import figures, rules


def test_groups_of_five_or_more_are_published():
    assert rules.published_groups({"a": 5, "b": 7}) == {"a", "b"}
    assert rules.published_groups({"a": 0, "b": 3}) == {"a"}  # b is small; the empty a reveals nothing
    assert rules.published_groups({"a": 0, "b": 0}) == {"a", "b"}


def test_a_small_group_is_withheld_with_the_smallest_other_so_subtraction_gives_nothing_away():
    assert rules.published_groups({"proposer": 1, "supporters": 6, "others": 9}) == {"others"}
    assert rules.published_groups({"a": 4, "b": 5}) == set()
    assert rules.published_groups({"a": 4, "b": 0}) == {"b"}
    # Two small groups withheld: neither follows from the published ones.
    assert rules.published_groups({"a": 2, "b": 3, "c": 8}) == {"c"}


def test_breakdown_gives_satisfaction_or_none():
    shown = rules.breakdown({"supporters": [5] * 5, "others": [1, 2, 3, 4, 5]})
    assert shown["supporters"].average == 5.0 and shown["others"].count == 5
    withheld = rules.breakdown({"supporters": [5], "others": [1] * 6})
    assert withheld == {"supporters": None, "others": None}
    assert rules.breakdown({"supporters": [], "others": [4] * 5})["supporters"].count == 0


def test_dashboard_rows_withhold_communities_with_few_ratings():
    rows = [
        {"community": "甲", "ratings": 2, "satisfaction": 50.0, "average_stars": 3.0},
        {"community": "乙", "ratings": 12, "satisfaction": 75.0, "average_stars": 4.1},
        {"community": "丙", "ratings": 30, "satisfaction": 90.0, "average_stars": 4.6},
        {"community": "丁", "ratings": 0, "satisfaction": None, "average_stars": None},
    ]
    out = figures.withhold_small_groups(rows)
    assert [r["withheld"] for r in out] == [True, True, False, False]
    assert out[0]["satisfaction"] is None and out[0]["average_stars"] is None and out[0]["ratings"] == 2
    assert out[1]["satisfaction"] is None  # else 甲 = total − 乙 − 丙
    assert out[2]["satisfaction"] == 90.0
    assert rows[0]["satisfaction"] == 50.0  # the input is not changed
