"""The list's cards come from one query of plain rows (services.list_matters: Cards, no ORM objects)
and a statement built once per filter values, run with the community, the person and the page as
parameters; what every card shows alike in a language (status badges, categories' names) is made
once per language (list_routes._card_words). The cards must still show the same things, to the right
person, in the right language."""

import re

from flask import render_template_string, url_for

from app.communities.models import Role
from app.extensions import db
from app.matters import services
from app.matters.lifecycle import status_label
from app.matters.models import MatterPhoto
from tests.helpers import image_bytes, login, upload

from .helpers import fields

LIST = "/c/xinglin/matters/"


def cards(html):
    return re.findall(r'<li class="card matter-card">.*?</li>', html, re.S)


def card_of(html, title):
    found = [card for card in cards(html) if f">{title}</a>" in card]
    assert len(found) == 1, title
    return found[0]


def test_a_card_shows_its_matter(app, client, community, committee, proposer):
    plain = services.create_matter(proposer, community, submit=True, **fields(title="楼道灯", estimated_cost="3000"))
    pictured = services.create_matter(
        committee,
        community,
        submit=True,
        photos=[upload(image_bytes()), upload(image_bytes(color=(1, 2, 3)))],
        **fields(title="花园座椅", category="elderly", location="中心花园"),
    )
    first = db.session.get(MatterPhoto, pictured.photos[0].id)
    first.caption = "现在的长椅"
    db.session.commit()
    services.support(proposer, pictured)
    html = client.get(LIST).get_data(as_text=True)

    card = card_of(html, "楼道灯")
    with app.test_request_context():
        detail = url_for("matters.detail", slug="xinglin", matter_id=plain.id)
        photo = url_for("matters.photo", slug="xinglin", matter_id=pictured.id, photo_id=first.id)
    assert f'<a href="{detail}">楼道灯</a>' in card and "<img" not in card
    assert "无障碍" in card and "5栋单元门口" in card and "附议 0 / 3" in card and "约 ¥3,000" in card
    assert '<span class="person">王阿姨</span></p>' in card  # a resident: no badge
    assert '<span aria-hidden="true">○</span> 征集附议中</span>' in card

    card = card_of(html, "花园座椅")
    assert f'<img class="thumb" src="{photo}" alt="现在的长椅"' in card  # the first photo, with its caption
    assert "养老助老" in card and "中心花园" in card and "附议 1 / 3" in card
    assert '<span class="person">居委会 周主任</span> <span class="official-badge">' in card  # the real committee


def test_cards_speak_the_readers_language_and_badges_are_the_macros(app, client, community, proposer):
    services.create_matter(proposer, community, submit=True, **fields(category="safety"))
    chinese = card_of(client.get(LIST).get_data(as_text=True), "5栋门口加装无障碍坡道")
    client.get("/?lang=en")
    english = card_of(client.get(LIST).get_data(as_text=True), "5栋门口加装无障碍坡道")
    client.get("/?lang=zh_Hans")
    again = card_of(client.get(LIST).get_data(as_text=True), "5栋门口加装无障碍坡道")
    assert "安全" in chinese and "Safety" in english and again == chinese
    with app.test_request_context(headers={"Accept-Language": "en"}):
        badge = render_template_string(
            '{% from "_status.html" import status_badge with context %}{{ status_badge("collecting") }}',
            status_label=status_label,
        )
    assert badge in english and "Collecting supports" in badge


def test_one_statement_serves_every_community_person_and_page(client, make, community, proposer, residents):
    other = make.community(slug="other")
    neighbour = make.member(other, display_name="邻居")
    for i in range(services.PER_PAGE + 2):
        services.create_matter(proposer, community, submit=True, **fields(title=f"杏林{i:02d}"))
    services.create_matter(proposer, community, submit=False, **fields(title="王阿姨的草稿"))
    services.create_matter(neighbour, other, submit=True, **fields(title="别处的事"))

    def titles(path):
        return re.findall(
            r'<h2 class="card-title"><a href="[^"]*">([^<]*)</a>', client.get(path).get_data(as_text=True)
        )

    login(client, proposer)
    assert titles(LIST)[0] == "王阿姨的草稿"  # the proposer's own draft, newest first
    assert titles(LIST + "?page=2") == ["杏林02", "杏林01", "杏林00"]
    client.post("/auth/logout")
    login(client, residents[0])
    assert "王阿姨的草稿" not in titles(LIST) and titles(LIST)[0] == "杏林11"
    assert titles(LIST + "?mine=1") == []
    client.post("/auth/logout")
    assert titles("/c/other/matters/") == ["别处的事"]
    assert titles(LIST + "?page=2") == ["杏林01", "杏林00"]
    page = client.get(LIST + "?page=9").get_data(as_text=True)  # past the end: the total is still known
    assert "共找到 12 件微实事" in page and not cards(page)


def test_the_comment_pages_total_past_the_end(community, proposer, residents, matter):
    for i in range(3):
        services.add_comment(residents[i], matter, "oppose", f"反对{i}")
    page = services.comments_with_stance(matter, "oppose", page=7)
    assert page.items == [] and page.total == 3
    first = services.comments_with_stance(matter, "oppose")
    assert [c.body for c in first.items] == ["反对2", "反对1", "反对0"] and first.total == 3


def test_a_committee_member_proposes_with_the_badge_of_a_village(make, client):
    from app.communities.models import CommunityKind

    village = make.community(slug="cun")
    village.kind = CommunityKind.VILLAGE
    db.session.commit()
    head = make.member(village, role=Role.COMMITTEE, display_name="村主任")
    services.create_matter(head, village, submit=True, **fields())
    card = cards(client.get("/c/cun/matters/").get_data(as_text=True))[0]
    assert '<span class="person">村主任</span> <span class="official-badge">' in card and "村委会" in card
