"""The next version from the adopted amendments (app/conventions/revision.py): pure rules."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from app.conventions.revision import Conflict, Edit, Kind, new_articles, renumbering, revise

OLD = ["一", "二", "三", "四"]


def test_change_keeps_numbers():
    rows = revise(OLD, [Edit(Kind.CHANGE, 2, "二改")])
    assert new_articles(rows) == ["一", "二改", "三", "四"]
    assert [(r.kind, r.old_number, r.new_number) for r in rows][1] == ("change", 2, 2)


def test_insert_renumbers_the_articles_after_it():
    rows = revise(OLD, [Edit(Kind.INSERT, 2, "新")])
    assert new_articles(rows) == ["一", "二", "新", "三", "四"]
    assert renumbering(rows) == {0: 0, 1: 1, 2: 2, 3: 4, 4: 5}
    assert [r for r in rows if r.kind == "insert"][0].new_number == 3


def test_insert_at_the_start_and_delete():
    rows = revise(OLD, [Edit(Kind.INSERT, 0, "首"), Edit(Kind.DELETE, 3)])
    assert new_articles(rows) == ["首", "一", "二", "四"]
    deleted = next(r for r in rows if r.kind == "delete")
    assert (deleted.old_number, deleted.old_text, deleted.new_number) == (3, "三", None)
    assert 3 not in renumbering(rows)


def test_several_inserts_after_one_article_keep_their_order():
    assert new_articles(revise(OLD, [Edit(Kind.INSERT, 4, "甲"), Edit(Kind.INSERT, 4, "乙")])) == [*OLD, "甲", "乙"]


@pytest.mark.parametrize(
    "edits",
    [
        [Edit(Kind.CHANGE, 5, "x")],
        [Edit(Kind.DELETE, 0)],
        [Edit(Kind.INSERT, 5, "x")],
        [Edit(Kind.CHANGE, 1, "x"), Edit(Kind.DELETE, 1)],
    ],
)
def test_conflicts_are_refused(edits):
    with pytest.raises(Conflict):
        revise(OLD, edits)


def test_no_edits_no_change():
    rows = revise(OLD, [])
    assert new_articles(rows) == OLD and all(r.kind == "same" for r in rows)


@st.composite
def articles_and_edits(draw):
    articles = draw(st.lists(st.text(min_size=1, max_size=5), min_size=1, max_size=8))
    targets = draw(st.lists(st.integers(1, len(articles)), unique=True, max_size=len(articles)))
    edits = [Edit(draw(st.sampled_from([Kind.CHANGE, Kind.DELETE])), n, draw(st.text(max_size=5))) for n in targets]
    inserts = draw(st.lists(st.integers(0, len(articles)), max_size=4))
    edits += [Edit(Kind.INSERT, n, f"new{i}") for i, n in enumerate(inserts)]
    return articles, draw(st.permutations(edits))


@given(articles_and_edits())
def test_counts_and_numbering(case):
    articles, edits = case
    rows = revise(articles, edits)
    result = new_articles(rows)
    kinds = [e.kind for e in edits]
    assert len(result) == len(articles) + kinds.count(Kind.INSERT) - kinds.count(Kind.DELETE)
    # New numbers run 1..n in order; every old article appears exactly once on the left.
    assert [r.new_number for r in rows if r.new_number] == list(range(1, len(result) + 1))
    assert [r.old_number for r in rows if r.old_number] == list(range(1, len(articles) + 1))
    # Untouched articles keep their text and their order.
    touched = {e.number for e in edits if e.kind != Kind.INSERT}
    kept = [t for n, t in enumerate(articles, start=1) if n not in touched]
    assert [r.new_text for r in rows if r.kind == "same"] == kept
    # Every surviving article's new number points at its new text.
    for old, new in renumbering(rows).items():
        if old:
            assert result[new - 1] == next(r.new_text for r in rows if r.old_number == old)


@given(articles_and_edits())
def test_without_edits_nothing_changes_and_order_of_edits_does_not_matter(case):
    articles, edits = case
    assert new_articles(revise(articles, [])) == articles
    inserts_in_order = [e for e in edits if e.kind == Kind.INSERT]
    others = [e for e in edits if e.kind != Kind.INSERT]
    assert revise(articles, edits) == revise(articles, [*reversed(others), *inserts_in_order])
