"""Each project's reason, taken from the allocation rule's own run: the pure tally on hand-built
rounds, a property over random rounds, and the results page, its CSV, the API and "where my share
went" (worked out from the choices the resident ticks, nothing stored)."""

from datetime import datetime
from fractions import Fraction

import pytest
from flask_babel import force_locale
from hypothesis import given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

from app.extensions import db
from app.matters.models import MicroMatter
from app.voting import results, tally
from app.voting.models import RoundResult
from app.voting.tally import Option, RoundSpec
from tests.helpers import login
from tests.once_per_module import once_per_module

from .helpers import close, open_round, option_ids
from .test_results import vote


def spec(allocation="greedy", budget=100, costs=(40, 30, 50), **kw):
    return RoundSpec("approval", allocation, budget, tuple(Option(i, c, f"P{i}") for i, c in enumerate(costs, 1)), **kw)


def words(reasons):
    with force_locale("en"):
        return {number: results.reason_text(reason) for number, reason in reasons.items()}


# --- the run's reasons, by hand --------------------------------------------------------------


def test_greedy_reasons_by_hand(app):
    # votes 1 -> 3, 2 -> 2, 3 -> 1, 4 -> 0. Order 1 (80): 100 left, funded; 2 (50): 20 left, skipped;
    # 3 (20): 20 left, funded; 4: nobody chose it.
    outcome = tally.tally(spec(costs=(80, 50, 20, 10)), [(1, 2, 3), (1, 2), (1,)])
    assert outcome.winners == [1, 3]
    reasons = outcome.explanation["reasons"]
    assert reasons == {
        "1": {"code": "greedy_funded", "left": 100, "cost": 80},
        "2": {"code": "greedy_no_room", "left": 20, "cost": 50},
        "3": {"code": "greedy_funded", "left": 20, "cost": 20},
        "4": {"code": "no_votes"},
    }
    assert words(reasons) == {
        "1": "Its turn came in order of votes, with CN¥100 left.",
        "2": "When its turn came in order of votes, the remaining budget CN¥20 was too small; it needed CN¥50.",
        "3": "Its turn came in order of votes, with CN¥20 left.",
        "4": "Nobody chose it.",
    }


def test_equal_shares_reasons_by_hand(app):
    # Budget 400, four voters with 100 each: v1 {1, 2}, v2 {1}, v3 {3}, v4 {3}; 5: nobody.
    # 2 (200) has v1 alone, whose 100 cannot pay for it: the run drops it at its first step, before
    # anything is bought. Then 3 is funded (the cheaper of the tie at half a yuan per supporter and yuan),
    # v3 and v4 paying 50 each, then 1, v1 and v2 paying 75 each. 2 would not fit in the 150 left either,
    # so no add1 step follows.
    outcome = tally.tally(spec("mes", 400, (150, 200, 100, 10)), [(1, 2), (1,), (3,), (3,)], explain=True)
    assert outcome.winners == [3, 1]
    reasons = outcome.explanation["reasons"]
    assert reasons == {
        "1": {"code": "mes_funded", "payers": 2, "paid": "150"},
        "2": {"code": "mes_short", "supporters": 1, "left": "100", "cost": 200},
        "3": {"code": "mes_funded", "payers": 2, "paid": "100"},
        "4": {"code": "no_votes"},
    }
    assert words(reasons) == {
        "1": "Its 2 supporters' shares covered CN¥150.",
        "2": "Its 1 supporter had CN¥100 left; it needed CN¥200.",
        "3": "Its 2 supporters' shares covered CN¥100.",
        "4": "Nobody chose it.",
    }
    one = tally.tally(spec("mes", 100, (60, 50)), [(1,), (1,)], explain=True).explanation["reasons"]["1"]
    assert words({"1": one})["1"] == "Its 2 supporters' shares covered CN¥60."
    single = tally.tally(spec("mes", 100, (60,)), [(1,)], explain=True).explanation["reasons"]["1"]
    assert words({"1": single})["1"] == "Its 1 supporter's share covered CN¥60."


def test_equal_shares_reason_of_a_group_that_ran_short_with_fractions(app):
    # 51 voters approve A1..A10, 49 approve B1..B10 (each 100, budget 1000). The final share is 11:
    # the B voters fund five B projects at 100/49 each and have 49 x 11 - 500 = 39 left for B6.
    options = tuple(Option(i, 100, f"P{i}") for i in range(1, 21))
    ballots = [tuple(range(1, 11))] * 51 + [tuple(range(11, 21))] * 49
    outcome = tally.tally(RoundSpec("approval", "mes", 1000, options), ballots, explain=True)
    reasons = outcome.explanation["reasons"]
    assert reasons["16"] == {"code": "mes_short", "supporters": 49, "left": "39", "cost": 100}
    assert reasons["1"]["code"] == "mes_funded" and reasons["1"]["payers"] == 51
    assert words({"16": reasons["16"]})["16"] == "Its 49 supporters had CN¥39 left between them; it needed CN¥100."
    # A6: the A voters had 51 x 11 - 500 = 61 left.
    assert reasons["6"]["left"] == "61"


def test_a_round_that_is_not_valid_gives_every_project_that_reason(app):
    outcome = tally.tally(spec(min_turnout_percent=50, electorate=10), [(1,)])
    assert not outcome.valid
    assert outcome.explanation["reasons"] == {str(n): {"code": "not_valid"} for n in (1, 2, 3)}
    assert words({"1": {"code": "not_valid"}})["1"] == "The round is not valid: the turnout was below the minimum."


def test_equal_shares_beyond_the_analytics_limit_still_gives_one_reason_each(app, monkeypatch):
    monkeypatch.setattr(tally, "EXPLAIN_LIMIT", 0)
    outcome = tally.tally(spec("mes", 300, (150, 150, 100)), [(1, 2), (1,), (3,)], explain=True)
    assert outcome.explanation["reasons"] == {
        "1": {"code": "mes_funded_undetailed"},
        "2": {"code": "mes_short_undetailed"},
        "3": {"code": "mes_funded_undetailed"},
    }


@settings(max_examples=60, deadline=None)
@given(
    allocation=st.sampled_from(["greedy", "mes"]),
    costs=st.lists(st.integers(1, 120), min_size=1, max_size=6),
    budget=st.integers(1, 300),
    data=st.data(),
)
def test_every_project_has_one_reason_and_the_funded_fit_the_budget(allocation, costs, budget, data):
    numbers = list(range(1, len(costs) + 1))
    ballots = data.draw(
        st.lists(st.lists(st.sampled_from(numbers), unique=True).map(lambda b: tuple(sorted(b))), max_size=12)
    )
    outcome = tally.tally(spec(allocation, budget, tuple(costs)), ballots, explain=True)
    reasons = outcome.explanation["reasons"]
    assert sorted(reasons) == sorted(str(n) for n in numbers)
    funded_codes = {"greedy_funded", "mes_funded", "mes_funded_undetailed"}
    assert {int(n) for n, r in reasons.items() if r["code"] in funded_codes} == set(outcome.winners)
    spent = Fraction(0)
    for number, reason in reasons.items():
        if reason["code"] == "greedy_funded":
            spent += reason["cost"]
            assert reason["left"] >= reason["cost"]
        elif reason["code"] == "mes_funded":
            spent += Fraction(reason["paid"])
            assert Fraction(reason["paid"]) == costs[int(number) - 1]  # the shares paid exactly the cost
        elif reason["code"] == "greedy_no_room":
            assert reason["left"] < reason["cost"]
        elif reason["code"] == "mes_short":
            assert Fraction(reason["left"]) < reason["cost"]
    assert spent <= budget


# --- pages, CSV, API -------------------------------------------------------------------------


@pytest.fixture
def counted_by_the_committee(client, committee, community, matters, residents):
    """Budget 200,000 shared by 6 voters (33,333.33 each), MES. Costs 50k, 80k, 100,029, 30k, 90k, 60k."""
    # Project 3's three supporters need 33,343 each: the completion raises the shares ten times
    # (at 120,000 it raised them 6,667 times, a second of counting for each of the count's tallies).
    costs = [50_000, 80_000, 100_029, 30_000, 90_000, 60_000]
    voting_round = open_round(committee, community, matters, allocation="mes", costs=costs)
    vote(residents, voting_round, [(1, 4), (1, 4), (1,), (3,), (3,), (2, 3)])
    close(voting_round)
    login(client, committee)
    client.get("/?lang=en")
    assert client.post(f"/c/xinglin/rounds/{voting_round.id}/count", data={"understood": "y"}).status_code == 303
    db.session.expire_all()
    return {"round": voting_round, "committee": committee}


@pytest.fixture
def mes_counted(request, app, client):
    """The round above, counted once for this module's tests; the client is the committee's, in English."""
    counted = once_per_module(request, lambda: request.getfixturevalue("counted_by_the_committee"))
    login(client, counted["committee"])
    client.get("/?lang=en")
    return counted["round"]


def test_results_page_csv_and_api_show_each_reason(client, mes_counted):
    assert mes_counted.result.winners == [1, 3, 4]
    assert mes_counted.result.explanation["final_share"] == "100030/3"  # 33,333.33 raised by 1 yuan ten times
    reasons = mes_counted.result.explanation["reasons"]
    # v6 paid 33,343 of its 33,343.33 for project 3: a third of a yuan is left for project 2.
    assert reasons == {
        "1": {"code": "mes_funded", "payers": 3, "paid": "50000"},
        "2": {"code": "mes_short", "supporters": 1, "left": "1/3", "cost": 80000},
        "3": {"code": "mes_funded", "payers": 3, "paid": "100029"},
        "4": {"code": "mes_funded", "payers": 2, "paid": "30000"},
        "5": {"code": "no_votes"},
        "6": {"code": "no_votes"},
    }
    with force_locale("en"):
        expected = {int(n): results.reason_text(r) for n, r in reasons.items()}
    html = client.get(f"/c/xinglin/rounds/{mes_counted.id}/results").get_data(as_text=True)
    for sentence in expected.values():
        assert sentence.replace("'", "&#39;") in html
    assert "Not funded in this round" in html and "Rejected" not in html
    assert reasons["5"] == {"code": "no_votes"}
    csv_text = client.get(f"/c/xinglin/rounds/{mes_counted.id}/results.csv").get_data(as_text=True)
    assert csv_text.splitlines()[0].lstrip("\ufeff") == "No.,Project,Cost,Votes,Result,Reason"
    assert "Nobody chose it." in csv_text
    api = client.get(f"/api/v1/communities/xinglin/rounds/{mes_counted.id}").get_json()
    assert {o["number"]: o["reason"] for o in api["options"]} == expected


def test_results_in_chinese_say_not_funded_in_this_round(client, mes_counted):
    client.get("/?lang=zh_Hans")
    html = client.get(f"/c/xinglin/rounds/{mes_counted.id}/results").get_data(as_text=True)
    assert "本轮未获资金" in html
    assert "未通过" not in html


def test_old_results_without_reasons_still_render(client, mes_counted):
    result = db.session.get(RoundResult, mes_counted.result.id)
    result.explanation = {k: v for k, v in result.explanation.items() if k != "reasons"}
    db.session.commit()
    response = client.get(f"/c/xinglin/rounds/{mes_counted.id}/results")
    assert response.status_code == 200 and "Nobody chose it." not in response.get_data(as_text=True)
    api = client.get(f"/api/v1/communities/xinglin/rounds/{mes_counted.id}").get_json()
    assert all(o["reason"] is None for o in api["options"])


def test_where_my_share_went_from_the_ticked_choices(client, mes_counted):
    explanation = mes_counted.result.explanation
    final = Fraction(explanation["final_share"])
    price = {p["number"]: Fraction(p["max_payment"]) for p in explanation["paid"]}
    assert 1 in price and 4 in price
    response = client.post(
        f"/c/xinglin/rounds/{mes_counted.id}/results", data={"option": option_ids(mes_counted, 1, 4)}
    )
    assert response.status_code == 200 and response.headers["Cache-Control"] == "no-store"
    html = response.get_data(as_text=True)
    with client.application.test_request_context("/"), force_locale("en"):
        paid_1 = min(final, price[1])
        paid_4 = min(final - paid_1, price[4])
        first, second, left = (results.amount(v) for v in (paid_1, paid_4, final - paid_1 - paid_4))
    assert f"your share paid {first}" in html and f"your share paid {second}" in html
    assert f"{left} of it was left unspent" in html
    # Nothing about the ticks is kept: no new row anywhere that names the choices.
    assert db.session.scalar(select(func.count()).select_from(RoundResult)) == 1


def test_count_needs_the_tick_box(client, committee, community, matters, residents):
    voting_round = open_round(committee, community, matters)
    vote(residents, voting_round, [(1,)])
    close(voting_round)
    login(client, committee)
    client.get("/?lang=en")
    response = client.post(f"/c/xinglin/rounds/{voting_round.id}/count")
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert "Tick the box to confirm: this cannot be undone." in html
    assert "cannot be undone or run again" in html
    db.session.expire_all()
    assert voting_round.result is None


def test_ballot_page_states_the_number_of_choices_without_doubled_numbers(client, committee, community, matters):
    voting_round = open_round(committee, community, matters, method="approval", max_choices=3)
    client.get("/?lang=zh_Hans")
    html = client.get(f"/c/xinglin/rounds/{voting_round.id}").get_data(as_text=True)
    assert "k 个" not in html and "认可投票：最多选3个项目" in html
    assert '<ol class="plain">' not in html


def test_community_results_say_not_funded_and_show_when_the_matter_was_proposed(client, mes_counted):
    matters = db.session.scalars(select(MicroMatter)).all()  # the round's, all there are
    winners = set(mes_counted.result.winners)
    unfunded = [m for m in matters if m.id in {o.matter_id for o in mes_counted.options if o.number not in winners}]
    assert unfunded
    when = datetime(2025, 3, 4, 2, 0)
    for m in matters:
        db.session.get(type(m), m.id).submitted_at = when
    db.session.commit()
    client.get("/?lang=zh_Hans")
    html = client.get("/c/xinglin/results").get_data(as_text=True)
    assert "本轮未获资金" in html and "未通过" not in html
    assert "提出日期" in html and "2025" in html


def test_matter_page_panel_and_timeline_say_not_funded_in_this_round(client, mes_counted):
    winners = set(mes_counted.result.winners)
    option = next(o for o in mes_counted.options if o.number not in winners)
    client.get("/?lang=zh_Hans")
    panel = client.get(f"/c/xinglin/matters/{option.matter_id}").get_data(as_text=True)
    assert "本轮未获资金" in panel.split('aria-labelledby="round-panel-')[1]
    # The status at the top says so too, not "未通过" (it was not voted down), as does the matters list.
    assert "未通过" not in panel.split("</h1>")[1].split("</p>")[0]
    assert "本轮未获资金" in panel.split("</h1>")[1].split("</p>")[0]
    listing = client.get("/c/xinglin/matters/?status=rejected").get_data(as_text=True)
    assert "本轮未获资金" in listing
    timeline = client.get(f"/c/xinglin/matters/{option.matter_id}/timeline").get_data(as_text=True)
    assert "本轮未获资金" in timeline and "居民投票否决" not in timeline
