"""A list's item twin (registry.One) publishes a row on its own exactly when the list shows it, as
the list shows it; rows of another community are not found."""

from app.api.registry import OPERATIONS

PAGES = {op.path: op for op in OPERATIONS if op.kind == "page"}
TWINS = [
    (PAGES[op.path.rsplit("/", 1)[0]], op)
    for op in OPERATIONS
    if op.kind == "item" and op.path.rsplit("/", 1)[0] in PAGES and op.path_params[-1].type == "integer"
]


def test_the_lists_with_an_item_twin():
    assert sorted(op.endpoint for _, op in TWINS) == ["implementation", "matter", "meeting", "notice", "voting_round"]


def test_an_item_is_the_row_its_list_shows(client, seeded):
    for page, twin in TWINS:
        listed = client.get(page.full_path.format(slug="xinglin") + "?per_page=100").get_json()["items"]
        assert listed, page.path
        for row in listed:
            url = twin.full_path.format(slug="xinglin", **{twin.path_params[-1].name: row["id"]})
            response = client.get(url)
            assert response.status_code == 200, url
            assert response.get_json() == row
            other = client.get(twin.full_path.format(slug="empty-village", **{twin.path_params[-1].name: row["id"]}))
            assert other.status_code == 404 and other.get_json()["status"] == 404
