"""The speakers list order (pure): first-time speakers first, pro and contra alternating."""

from hypothesis import given
from hypothesis import strategies as st

from app.councils.speaking import CONTRA, PRO, Request, order


def r(id_, member, stance):
    return Request(id_, member, stance, id_)


def names(result):
    return [x.id for x in result]


def test_first_come_first_served_when_stances_alternate_anyway():
    assert names(order([r(1, 10, PRO), r(2, 11, CONTRA), r(3, 12, PRO)])) == [1, 2, 3]


def test_pro_and_contra_alternate():
    waiting = [r(1, 10, PRO), r(2, 11, PRO), r(3, 12, PRO), r(4, 13, CONTRA), r(5, 14, CONTRA)]
    assert names(order(waiting)) == [1, 4, 2, 5, 3]


def test_after_a_pro_speech_contra_comes_next():
    waiting = [r(1, 10, PRO), r(2, 11, CONTRA)]
    assert names(order(waiting, last_stance=PRO)) == [2, 1]
    assert names(order(waiting, last_stance=CONTRA)) == [1, 2]


def test_members_who_have_not_spoken_go_first_even_against_alternation():
    waiting = [r(1, 10, CONTRA), r(2, 11, PRO)]
    # member 10 already spoke; a contra would be next by alternation, but 11 has not spoken yet.
    assert names(order(waiting, spoken={10: 1}, last_stance=PRO)) == [2, 1]


def test_with_only_one_stance_waiting_the_list_keeps_its_order():
    assert names(order([r(3, 12, CONTRA), r(1, 10, CONTRA), r(2, 11, CONTRA)])) == [1, 2, 3]


def test_empty_list():
    assert order([]) == []


@st.composite
def lists(draw):
    n = draw(st.integers(0, 12))
    members = draw(st.lists(st.integers(1, 20), min_size=n, max_size=n, unique=True))
    stances = draw(st.lists(st.sampled_from([PRO, CONTRA]), min_size=n, max_size=n))
    waiting = [Request(i + 1, m, s, i + 1) for i, (m, s) in enumerate(zip(members, stances, strict=True))]
    spoken = {m: draw(st.integers(0, 2)) for m in members}
    return waiting, spoken, draw(st.sampled_from([None, PRO, CONTRA]))


@given(lists())
def test_the_order_is_a_permutation_with_first_timers_in_front(case):
    waiting, spoken, last = case
    result = order(waiting, spoken, last)
    assert sorted(names(result)) == sorted(names(waiting))
    first_timer = [spoken.get(x.member, 0) == 0 for x in result]
    assert first_timer == sorted(first_timer, reverse=True)


@given(lists())
def test_within_a_group_stances_alternate_while_both_are_waiting(case):
    waiting, spoken, last = case
    result = order(waiting, spoken, last)
    group = [x for x in result if spoken.get(x.member, 0) == 0]
    for index in range(1, len(group)):
        previous, current = group[index - 1], group[index]
        rest = group[index:]
        if previous.stance == current.stance:  # allowed only when the other stance has run out in this group
            assert all(x.stance == current.stance for x in rest)
