"""Written proxies in the quorum and the votes (app.rules.proxies): worked examples and
hypothesis properties against the quorum rule."""

from hypothesis import given
from hypothesis import strategies as st

from app.rules import majority, proxies
from app.rules.choices import ProxyRule
from app.rules.quorum import Quorum, check

HALF = Quorum(1, 2, strict=True)
MEMBERS = [1, 2, 3, 4, 5]


def test_quorum_rule_counts_the_giver_for_the_quorum_only():
    counted = proxies.count(ProxyRule.QUORUM, MEMBERS, [1, 2], [(3, 1)])
    assert counted.counted == {3: 1} and counted.voting == {}
    assert proxies.quorum(counted, 2, 5, HALF).met  # 2 in person + 1 proxy = 3 of 5
    assert not check(2, 5, HALF).met
    assert proxies.entitled(counted, [1, 2]) == [1, 2]


def test_votes_rule_lets_the_holder_cast_the_givers_vote():
    counted = proxies.count(ProxyRule.VOTES, MEMBERS, [1, 2], [(3, 1)])
    assert counted.voting == {3: 1}
    assert proxies.entitled(counted, [1, 2]) == [1, 2, 3]


def test_none_rule_counts_nothing():
    counted = proxies.count(ProxyRule.NONE, MEMBERS, [1, 2], [(3, 1)])
    assert counted.counted == {} and not proxies.quorum(counted, 2, 5, HALF).met


def test_a_proxy_counts_only_with_its_holder_present_and_its_giver_absent():
    assert proxies.count(ProxyRule.VOTES, MEMBERS, [1], [(3, 2)]).counted == {}  # holder not in the room
    assert proxies.count(ProxyRule.VOTES, MEMBERS, [1, 3], [(3, 1)]).counted == {}  # giver came in person
    # a check-in cancels it for the rest of the meeting, even once the giver has left again
    assert proxies.count(ProxyRule.VOTES, MEMBERS, [1], [(3, 1)], attended=[1, 3]).counted == {}
    assert proxies.count(ProxyRule.VOTES, MEMBERS, [1], [(9, 1), (3, 9), (1, 1)]).counted == {}  # not members


def test_one_proxy_per_giver_and_per_holder():
    counted = proxies.count(ProxyRule.VOTES, MEMBERS, [1, 2], [(3, 1), (3, 2), (4, 1), (5, 2)])
    assert counted.counted == {3: 1, 5: 2}


members_st = st.sets(st.integers(1, 12), max_size=12)
pairs_st = st.lists(st.tuples(st.integers(1, 14), st.integers(1, 14)), max_size=20)
quorum_st = st.tuples(st.integers(1, 6), st.integers(1, 6), st.booleans()).filter(
    lambda q: q[0] < q[1] or (q[0] == q[1] and not q[2])
)


@given(members_st, st.data(), pairs_st, st.sampled_from(list(ProxyRule)), quorum_st)
def test_properties(members, data, pairs, rule, q):
    present = data.draw(st.sets(st.sampled_from(sorted(members)), max_size=len(members)) if members else st.just(set()))
    quorum = Quorum(*q)
    counted = proxies.count(rule, members, present, pairs)
    entitled = proxies.entitled(counted, present)
    # never more votes than members; every vote belongs to a member; one proxy per giver and holder
    assert len(entitled) <= len(members) and set(entitled) <= members
    assert len(set(counted.counted.values())) == len(counted.counted)
    assert set(counted.counted).isdisjoint(present) and set(counted.counted.values()) <= present
    if rule == ProxyRule.NONE:
        assert counted.counted == {} and entitled == sorted(present)
    if rule == ProxyRule.QUORUM:
        assert entitled == sorted(present)  # the vote totals are the in-person ones
    if rule == ProxyRule.VOTES:
        assert len(entitled) == len(present) + len(counted.counted)
    # the quorum with proxies is the quorum rule applied to present + valid proxies
    valid = {(g, h) for g, h in pairs if rule != ProxyRule.NONE and g in members - present and h in present and g != h}
    assert set(counted.counted.items()) <= valid
    result = proxies.quorum(counted, len(present), len(members), quorum)
    assert result == check(len(present) + len(counted.counted), len(members), quorum)
    assert result.met == (len(members) > 0 and len(present) + len(counted.counted) >= result.needed)
    # a proxy never lowers what the room counts
    assert result.present >= check(len(present), len(members), quorum).present


@given(st.sets(st.integers(1, 10), min_size=2, max_size=10), st.sampled_from([ProxyRule.QUORUM, ProxyRule.VOTES]))
def test_every_valid_proxy_counts_when_they_do_not_collide(members, rule):
    ordered = sorted(members)
    half = len(ordered) // 2
    present, absent = ordered[:half], ordered[half:]
    pairs = list(zip(absent, present, strict=False))  # distinct givers and holders
    counted = proxies.count(rule, members, present, pairs)
    assert counted.counted == dict(pairs)


def test_a_chair_who_keeps_the_deciding_vote_casts_no_vote_of_a_proxy():
    """Held by the casting chair (no vote in the round), a proxy counts for the quorum only."""
    counted = proxies.count(ProxyRule.VOTES, MEMBERS, [1, 2], [(3, 1), (4, 2)], casting_chair=1)
    assert counted.counted == {3: 1, 4: 2} and counted.voting == {4: 2}
    assert proxies.entitled(counted, [1, 2]) == [1, 2, 4]
    assert proxies.count(ProxyRule.VOTES, MEMBERS, [1, 2], [(3, 1)]).voting == {3: 1}  # the chair votes


def test_the_chair_holds_no_proxy_exactly_when_it_would_carry_a_vote_nobody_casts():
    table = {(rule, tie): proxies.chair_cannot_hold(rule, tie) for rule in ProxyRule for tie in majority.TieRule}
    assert {key for key, refused in table.items() if refused} == {(ProxyRule.VOTES, majority.TieRule.CHAIR_DECIDES)}


@given(members_st, st.data(), pairs_st, st.sampled_from(list(ProxyRule)))
def test_the_casting_chair_only_takes_votes_away(members, data, pairs, rule):
    present = data.draw(st.sets(st.sampled_from(sorted(members)), max_size=len(members)) if members else st.just(set()))
    chair = data.draw(st.sampled_from(sorted(present)) if present else st.none())
    plain = proxies.count(rule, members, present, pairs)
    with_chair = proxies.count(rule, members, present, pairs, casting_chair=chair)
    assert with_chair.counted == plain.counted  # the quorum is the same
    assert with_chair.voting == {g: h for g, h in plain.voting.items() if h != chair}
