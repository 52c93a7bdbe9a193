"""Quorum: exhaustive against an integer reference, worked examples, properties."""

from itertools import product

import pytest
from hypothesis import given
from hypothesis import strategies as st

from app.rules.quorum import Quorum, check, needed_present

SHARES = [
    (1, 2, True),
    (1, 2, False),
    (2, 3, True),
    (2, 3, False),
    (3, 4, False),
    (1, 3, True),
    (1, 1, False),
    (2, 4, True),
]


def reference_met(present, members, numerator, denominator, strict):
    if members == 0 or present == 0:
        return False
    if strict:
        return present * denominator > numerator * members
    return present * denominator >= numerator * members


def test_exhaustive_against_the_reference():
    for (numerator, denominator, strict), members in product(SHARES, range(0, 31)):
        quorum = Quorum(numerator, denominator, strict)
        for present in range(0, members + 1):
            result = check(present, members, quorum)
            assert result.met == reference_met(present, members, numerator, denominator, strict), (
                present,
                members,
                numerator,
                denominator,
                strict,
            )
            assert result.met == (members > 0 and present >= result.needed)


def test_worked_examples():
    more_than_half = Quorum(1, 2, True)
    assert check(5, 9, more_than_half).needed == 5 and check(5, 9, more_than_half).met
    assert not check(4, 9, more_than_half).met
    assert check(5, 8, more_than_half).needed == 5  # 4 of 8 is only half
    assert not check(4, 8, more_than_half).met
    at_least_two_thirds = Quorum(2, 3, False)
    assert check(6, 9, at_least_two_thirds).met and not check(5, 9, at_least_two_thirds).met
    assert check(4, 6, at_least_two_thirds).met  # exactly two thirds
    assert not check(4, 6, Quorum(2, 3, True)).met
    assert check(9, 9, Quorum(1, 1, False)).met and not check(8, 9, Quorum(1, 1, False)).met


def test_nobody_present_or_no_members_never_makes_a_quorum():
    for numerator, denominator, strict in SHARES:
        quorum = Quorum(numerator, denominator, strict)
        assert not check(0, 0, quorum).met
        assert not check(0, 5, quorum).met


@pytest.mark.parametrize("args", [(0, 2, True), (3, 2, False), (1, 0, True), (-1, 2, False), (1, 1, True)])
def test_impossible_quorums_are_refused(args):
    with pytest.raises(ValueError):
        Quorum(*args)


@pytest.mark.parametrize("present, members", [(-1, 5), (6, 5), (1, -1)])
def test_impossible_attendance_is_refused(present, members):
    with pytest.raises(ValueError):
        check(present, members, Quorum(1, 2, True))


@st.composite
def quorums(draw):
    denominator = draw(st.integers(1, 12))
    numerator = draw(st.integers(1, denominator))
    strict = draw(st.booleans()) if numerator < denominator else False
    return Quorum(numerator, denominator, strict)


@given(quorums(), st.integers(1, 500), st.data())
def test_one_more_member_present_never_loses_the_quorum(quorum, members, data):
    present = data.draw(st.integers(0, members - 1))
    assert not (check(present, members, quorum).met and not check(present + 1, members, quorum).met)


@given(quorums(), st.integers(0, 500))
def test_needed_is_monotone_in_the_number_of_members(quorum, members):
    assert needed_present(members, quorum) <= needed_present(members + 1, quorum)
    assert check(members, members, quorum).met == (members > 0)  # everyone present always suffices


@given(quorums(), st.integers(1, 500))
def test_at_least_is_never_harder_than_more_than(quorum, members):
    if quorum.numerator == quorum.denominator:
        return
    loose = Quorum(quorum.numerator, quorum.denominator, False)
    strict = Quorum(quorum.numerator, quorum.denominator, True)
    assert needed_present(members, loose) <= needed_present(members, strict)
