"""The printed paper ballot of a round (app/voting/print_routes.py): the projects by number with
their costs, the budget, how to mark for each method and the round's number; printed by those who
run the paper sessions. Its A4 layout is tested in tests/browser/test_printouts.py."""

import pytest

from tests.helpers import login
from tests.publishing.qr_decode import decode, find_svg, rasterise

from .helpers import open_round

BALLOT = "/c/xinglin/rounds/{}/paper/ballot"


@pytest.mark.parametrize(
    ("method", "max_choices", "how", "marks"),
    [
        ("knapsack", None, "must not exceed the budget of CN¥200,000", 1),
        ("approval", 2, "at most 2 projects", 1),
        ("yes_no", None, "yes, no or abstain", 3),
    ],
)
def test_the_ballot_says_how_to_mark_and_lists_every_project(
    client, committee, community, matters, method, max_choices, how, marks
):
    voting_round = open_round(committee, community, matters, method=method, max_choices=max_choices)
    login(client, committee)
    html = client.get(BALLOT.format(voting_round.id) + "?lang=en").get_data(as_text=True)
    assert f"Round no. {voting_round.id}" in html and "Budget CN¥200,000" in html and how in html
    for option in voting_round.options:
        assert option.title in html and f"CN¥{option.cost:,}" in html
    assert html.count('class="mark-box"') == marks * len(voting_round.options)
    assert 'class="signatures"' not in html  # a secret ballot is never signed
    assert decode(rasterise(find_svg(html))) == f"http://localhost/c/xinglin/rounds/{voting_round.id}"


def test_printed_by_the_committee_and_the_council_only(client, committee, scrutineer, residents, knapsack_round):
    path = BALLOT.format(knapsack_round.id)
    assert client.get(path).status_code == 302
    login(client, residents[0])
    assert client.get(path).status_code == 403
    client.post("/auth/logout")
    login(client, scrutineer)
    assert client.get(path).status_code == 200
    assert f'href="{path}"' in client.get(f"/c/xinglin/rounds/{knapsack_round.id}/paper").get_data(as_text=True)
    assert client.get(BALLOT.format(999)).status_code == 404
