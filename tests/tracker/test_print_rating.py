"""The paper rating form of an implementation record (app/tracker/print_routes.py): five boxes
with their stars, room for a comment and for who rates, printed by the record's managers from
their page. Its A4 layout is tested in tests/browser/test_printouts.py."""

from tests.helpers import login
from tests.publishing.qr_decode import decode, find_svg, rasterise


def test_the_committee_prints_the_rating_form_from_its_page(client, committee, evaluating):
    record = evaluating
    path = f"/c/xinglin/tracker/{record.id}/rating-form"
    login(client, committee)
    assert f'href="{path}"' in client.get(f"/c/xinglin/tracker/{record.id}/manage").get_data(as_text=True)
    html = client.get(f"{path}?lang=en").get_data(as_text=True)
    assert record.matter.title in html and "How satisfied are you with the result?" in html
    assert html.count('class="mark-box"') == 5
    for stars in ("5 stars: very satisfied", "3 stars: so-so", "1 star: very dissatisfied"):
        assert stars in html
    assert html.count('class="write-lines"') == 1 and "s signature" in html
    assert "Rating is open until" in html
    assert decode(rasterise(find_svg(html))) == f"http://localhost/c/xinglin/tracker/{record.id}"


def test_only_the_committee_of_the_community_prints_it(client, record, residents, council_member, other_committee):
    path = f"/c/xinglin/tracker/{record.id}/rating-form"
    assert client.get(path).status_code == 302
    for user in (residents[0], council_member, other_committee):
        login(client, user)
        assert client.get(path).status_code == 403
        client.post("/auth/logout")
    assert client.get("/c/xinglin/tracker/999/rating-form").status_code in (302, 404)
