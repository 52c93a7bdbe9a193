"""Majority rules: exhaustive over small counts against an independent reference, worked
examples (odd and even bases, abstentions, ties, zero votes), and hypothesis properties."""

from itertools import product
from types import SimpleNamespace

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from app.rules.majority import Base, Counts, MajorityRule, TieRule, base_value, decide, majority_for, needed_yes

RULES = list(MajorityRule)
BASES = list(Base)
TIES = list(TieRule)
CASTING = [None, True, False]


def reference_passes(yes, base, rule):
    """Written independently, in integers: simple = yes > base/2; the others yes >= share*base."""
    if base == 0:
        return False
    return {
        MajorityRule.SIMPLE: 2 * yes > base,
        MajorityRule.TWO_THIRDS: 3 * yes >= 2 * base,
        MajorityRule.THREE_QUARTERS: 4 * yes >= 3 * base,
        MajorityRule.UNANIMITY: yes >= base,
    }[rule]


def reference_base(yes, no, abstain, present, members, base):
    return {
        Base.YES_NO: yes + no,
        Base.YES_NO_ABSTAIN: yes + no + abstain,
        Base.PRESENT: present,
        Base.ALL_MEMBERS: members,
    }[base]


def all_counts(max_members=7):
    for members in range(0, max_members + 1):
        for present in range(0, members + 1):
            for yes, no, abstain in product(range(present + 1), repeat=3):
                if yes + no + abstain <= present:
                    yield Counts(yes, no, abstain, present, members)


def test_needed_yes_for_odd_and_even_bases():
    table = {
        MajorityRule.SIMPLE: [1, 1, 2, 2, 3, 3, 4, 4, 5, 5, 6],
        MajorityRule.TWO_THIRDS: [1, 1, 2, 2, 3, 4, 4, 5, 6, 6, 7],
        MajorityRule.THREE_QUARTERS: [1, 1, 2, 3, 3, 4, 5, 6, 6, 7, 8],
        MajorityRule.UNANIMITY: [1, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10],
    }
    for rule, expected in table.items():
        assert [needed_yes(base, rule) for base in range(11)] == expected, rule


def test_exhaustive_against_the_reference_for_every_base_rule_and_tie_rule():
    checked = 0
    for counts in all_counts():
        for base, rule, tie_rule, casting in product(BASES, RULES, TIES, CASTING):
            decision = decide(counts, rule, base, tie_rule, casting)
            value = reference_base(counts.yes, counts.no, counts.abstain, counts.present, counts.members, base)
            assert decision.base == value
            plain = reference_passes(counts.yes, value, rule)
            if decision.tie:
                assert counts.yes == counts.no > 0 and not plain
                expected = bool(casting) if tie_rule == TieRule.CHAIR_DECIDES and casting is not None else False
            else:
                expected = plain
            assert decision.passed == expected, (counts, base, rule, tie_rule, casting)
            checked += 1
    assert checked > 50_000


def test_zero_votes_never_pass():
    for base, rule in product(BASES, RULES):
        assert not decide(Counts(0, 0, 0, 5, 9), rule, base).passed
        assert not decide(Counts(0, 0, 0, 0, 0), rule, base).passed
    assert not decide(Counts(0, 0, 3, 3, 9), MajorityRule.SIMPLE, Base.YES_NO).passed


def test_abstentions_count_only_where_the_base_counts_them():
    counts = Counts(yes=4, no=3, abstain=2, present=9, members=11)
    assert decide(counts, "simple", "yes_no").passed  # 4 of 7
    assert not decide(counts, "simple", "yes_no_abstain").passed  # 4 of 9 needs 5
    assert not decide(counts, "simple", "present").passed
    assert not decide(counts, "simple", "all_members").passed
    assert decide(Counts(5, 1, 3, 9, 11), "simple", "present").passed  # 5 of 9 present
    assert not decide(Counts(5, 1, 3, 9, 11), "simple", "all_members").passed  # needs 6 of 11


def test_worked_examples_with_odd_and_even_numbers_present():
    assert decide(Counts(5, 4, 0, 9, 9), "simple", "present").passed
    assert not decide(Counts(4, 4, 0, 8, 9), "simple", "present").passed  # 4 of 8 is not more than half
    assert decide(Counts(6, 2, 0, 8, 9), "two_thirds", "present").passed  # 6 >= 16/3
    assert not decide(Counts(5, 3, 0, 8, 9), "two_thirds", "present").passed
    assert decide(Counts(6, 1, 1, 8, 9), "three_quarters", "present").passed
    assert not decide(Counts(6, 1, 1, 9, 9), "three_quarters", "present").passed  # needs 7 of 9
    assert decide(Counts(7, 0, 0, 7, 9), "unanimity", "present").passed
    assert not decide(Counts(6, 0, 1, 7, 9), "unanimity", "present").passed
    assert decide(Counts(6, 0, 1, 7, 9), "unanimity", "yes_no").passed  # abstentions do not block


def test_a_tie_fails_unless_the_chair_settles_it():
    even = Counts(3, 3, 0, 6, 9)
    assert not decide(even, "simple", "yes_no").passed
    assert decide(even, "simple", "yes_no").tie
    assert not decide(even, "simple", "yes_no", "fails", True).passed
    assert decide(even, "simple", "yes_no", "chair_decides", True).passed
    assert not decide(even, "simple", "yes_no", "chair_decides", False).passed
    pending = decide(even, "simple", "yes_no", "chair_decides", None)
    assert pending.tie and not pending.passed


def test_a_casting_vote_cannot_manufacture_a_majority():
    # 2 : 2 among nine members is far from "more than half of all members": no casting vote passes it.
    d = decide(Counts(2, 2, 0, 4, 9), "simple", "all_members", "chair_decides", True)
    assert not d.tie and not d.passed
    # Two thirds of the yes and no votes: 3 : 3 is not one vote away, so it is not a tie to settle.
    d = decide(Counts(3, 3, 0, 6, 9), "two_thirds", "yes_no", "chair_decides", True)
    assert not d.tie and not d.passed
    # With an abstention counted in the base, 3 : 3 needs 4 of 7: one more yes would do, one fewer no would not.
    d = decide(Counts(3, 3, 1, 7, 9), "simple", "yes_no_abstain", "chair_decides", True)
    assert not d.tie and not d.passed


@pytest.mark.parametrize(
    "bad", [dict(yes=-1, no=0), dict(yes=3, no=3, abstain=0, present=5), dict(yes=1, no=0, present=10, members=9)]
)
def test_impossible_counts_are_refused(bad):
    with pytest.raises(ValueError):
        Counts(**bad)


def test_base_value_for_each_base():
    counts = Counts(3, 2, 1, 8, 11)
    assert [base_value(counts, b) for b in BASES] == [5, 6, 8, 11]


# ---------------------------------------------------------------- properties


@st.composite
def situations(draw):
    members = draw(st.integers(0, 60))
    present = draw(st.integers(0, members))
    yes = draw(st.integers(0, present))
    no = draw(st.integers(0, present - yes))
    abstain = draw(st.integers(0, present - yes - no))
    return (
        Counts(yes, no, abstain, present, members),
        draw(st.sampled_from(RULES)),
        draw(st.sampled_from(BASES)),
        draw(st.sampled_from(TIES)),
        draw(st.sampled_from(CASTING)),
    )


def _with(counts, **changes):
    values = dict(yes=counts.yes, no=counts.no, abstain=counts.abstain, present=counts.present, members=counts.members)
    values.update(changes)
    return Counts(**values)


@given(situations())
def test_one_more_yes_never_turns_a_pass_into_a_fail(situation):
    counts, rule, base, tie_rule, casting = situation
    assume(counts.yes + counts.no + counts.abstain < counts.present)  # someone present has not voted yet
    before = decide(counts, rule, base, tie_rule, casting).passed
    after = decide(_with(counts, yes=counts.yes + 1), rule, base, tie_rule, casting).passed
    assert not (before and not after)


@given(situations())
def test_an_abstention_turned_into_yes_never_turns_a_pass_into_a_fail(situation):
    counts, rule, base, tie_rule, casting = situation
    assume(counts.abstain > 0)
    before = decide(counts, rule, base, tie_rule, casting).passed
    after = decide(_with(counts, yes=counts.yes + 1, abstain=counts.abstain - 1), rule, base, tie_rule, casting).passed
    assert not (before and not after)


@given(situations())
def test_one_more_no_never_turns_a_fail_into_a_pass(situation):
    counts, rule, base, tie_rule, casting = situation
    assume(counts.yes + counts.no + counts.abstain < counts.present)
    before = decide(counts, rule, base, tie_rule, casting).passed
    after = decide(_with(counts, no=counts.no + 1), rule, base, tie_rule, casting).passed
    assert not (not before and after)


@given(situations())
def test_a_yes_turned_into_no_never_turns_a_fail_into_a_pass(situation):
    counts, rule, base, tie_rule, casting = situation
    assume(counts.yes > 0)
    before = decide(counts, rule, base, tie_rule, casting).passed
    after = decide(_with(counts, yes=counts.yes - 1, no=counts.no + 1), rule, base, tie_rule, casting).passed
    assert not (not before and after)


@given(st.integers(0, 10_000), st.sampled_from(RULES))
def test_needed_is_monotone_in_the_base_and_grows_by_at_most_one(base, rule):
    assert needed_yes(base, rule) <= needed_yes(base + 1, rule) <= needed_yes(base, rule) + 1
    assert 1 <= needed_yes(base, rule) <= max(1, base + 1)


@given(situations())
def test_a_stricter_rule_passing_means_every_looser_rule_passes(situation):
    counts, _rule, base, _tie, _casting = situation
    results = [
        decide(counts, rule, base).passed
        for rule in (MajorityRule.UNANIMITY, MajorityRule.THREE_QUARTERS, MajorityRule.TWO_THIRDS, MajorityRule.SIMPLE)
    ]
    for stricter, looser in zip(results, results[1:], strict=False):
        assert not (stricter and not looser)


@given(situations())
def test_a_larger_base_passing_means_every_smaller_base_passes(situation):
    counts, rule, _base, _tie, _casting = situation
    results = [
        decide(counts, rule, base).passed for base in (Base.ALL_MEMBERS, Base.PRESENT, Base.YES_NO_ABSTAIN, Base.YES_NO)
    ]
    for larger, smaller in zip(results, results[1:], strict=False):
        assert not (larger and not smaller)


@given(situations())
def test_a_passed_motion_has_more_yes_than_no_unless_a_casting_vote_settled_a_tie(situation):
    counts, rule, base, tie_rule, casting = situation
    decision = decide(counts, rule, base, tie_rule, casting)
    if decision.passed and not decision.tie:
        assert counts.yes > counts.no
        assert counts.yes >= decision.needed


# ---------------------------------------------------------------- majorities per kind of motion


def rules_with(**values):
    """The majority fields of a rule set: the general one, none per kind, the entrenched default."""
    defaults = dict(
        majority_rule="simple",
        majority_base="present",
        budget_majority_rule=None,
        budget_majority_base=None,
        rule_change_majority_rule=None,
        rule_change_majority_base=None,
        referral_majority_rule=None,
        referral_majority_base=None,
        entrenched_majority_rule="two_thirds",
        entrenched_majority_base="all_members",
    )
    return SimpleNamespace(**(defaults | values))


def test_majority_for_falls_back_to_the_general_majority():
    rules = rules_with(budget_majority_rule="three_quarters", budget_majority_base="yes_no")
    assert majority_for(rules, "approve") == (MajorityRule.THREE_QUARTERS, Base.YES_NO)
    assert majority_for(rules, "reject") == (MajorityRule.THREE_QUARTERS, Base.YES_NO)
    assert majority_for(rules, "refer_to_vote") == (MajorityRule.SIMPLE, Base.PRESENT)
    assert majority_for(rules, "adopt_rules") == (MajorityRule.SIMPLE, Base.PRESENT)
    assert majority_for(rules, "adopt") == (MajorityRule.SIMPLE, Base.PRESENT)  # a convention's amendment
    assert majority_for(rules, None) == (MajorityRule.SIMPLE, Base.PRESENT)
    assert majority_for(rules, "adopt_rules", entrenched=True) == (MajorityRule.TWO_THIRDS, Base.ALL_MEMBERS)
    rules = rules_with(rule_change_majority_rule="unanimity", rule_change_majority_base="present")
    assert majority_for(rules, "adopt_rules") == (MajorityRule.UNANIMITY, Base.PRESENT)


def test_two_thirds_of_all_members_is_more_than_a_simple_majority_of_those_present():
    rules = rules_with()
    counts = Counts(yes=5, no=2, abstain=0, present=7, members=9)  # 5 of 7 present, not 6 of 9 members
    assert decide(counts, *majority_for(rules, "adopt_rules")).passed
    entrenched = decide(counts, *majority_for(rules, "adopt_rules", entrenched=True))
    assert not entrenched.passed and entrenched.needed == 6


KINDS = ["approve", "reject", "refer_to_vote", "adopt_rules", "adopt", None]
OWN = st.one_of(st.none(), st.tuples(st.sampled_from(RULES), st.sampled_from(BASES)))


@given(
    st.sampled_from(RULES),
    st.sampled_from(BASES),
    OWN,
    OWN,
    OWN,
    st.sampled_from(KINDS),
)
def test_majority_for_takes_the_kind_s_own_rule_or_else_the_general_one(rule, base, budget, change, referral, kind):
    own = {"budget": budget, "rule_change": change, "referral": referral}
    values = {}
    for prefix, pair in own.items():
        values[f"{prefix}_majority_rule"], values[f"{prefix}_majority_base"] = pair or (None, None)
    rules = rules_with(majority_rule=rule, majority_base=base, **values)
    prefix = {"approve": "budget", "reject": "budget", "refer_to_vote": "referral", "adopt_rules": "rule_change"}
    expected = own.get(prefix.get(kind)) or (rule, base)
    assert majority_for(rules, kind) == expected


STRICTNESS = {rule: n for n, rule in enumerate(RULES)}  # simple < two thirds < three quarters < unanimity
WIDTH = {base: n for n, base in enumerate(BASES)}  # yes+no <= yes+no+abstain <= present <= all members


@given(situations(), st.sampled_from(RULES), st.sampled_from(BASES))
def test_a_stricter_kind_majority_never_passes_what_the_looser_general_one_fails(situation, own_rule, own_base):
    """A kind's own majority at least as strict as the general one (rule and base) never passes what
    the general majority fails, for the same counts: e.g. quorum changes under two thirds of all members."""
    counts, rule, base, _tie, _casting = situation
    assume(STRICTNESS[own_rule] >= STRICTNESS[rule] and WIDTH[own_base] >= WIDTH[base])
    rules = rules_with(
        majority_rule=rule, majority_base=base, budget_majority_rule=own_rule, budget_majority_base=own_base
    )
    general = decide(counts, *majority_for(rules, "refer_to_vote")).passed
    stricter = decide(counts, *majority_for(rules, "approve")).passed
    assert not (stricter and not general)
