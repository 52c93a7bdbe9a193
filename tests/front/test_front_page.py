"""The front page: every community, linked."""


def test_front_page_lists_communities(client, make):
    community = make.community(slug="xinglin")
    html = client.get("/").get_data(as_text=True)
    assert community.name in html and "/c/xinglin/" in html
