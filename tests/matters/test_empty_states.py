"""An empty list says what to do next; a form that comes back with errors starts with a summary
whose entries link to the fields (the GOV.UK error summary); a card shows the first photo."""

from app.matters import services
from tests.helpers import image_bytes, login, upload

from .helpers import fields

LIST = "/c/xinglin/matters/"


def test_no_match_offers_to_clear_the_filters(client, community, proposer):
    services.create_matter(proposer, community, submit=True, **fields(title="楼道灯"))
    page = client.get(LIST + "?q=不存在的词").get_data(as_text=True)
    assert 'class="empty"' in page and "没有符合筛选条件的微实事" in page
    assert f'href="{LIST}">查看全部微实事' in page


def test_an_empty_list_tells_each_reader_their_next_step(client, community, proposer, outsider):
    anonymous = client.get(LIST).get_data(as_text=True)
    assert "登录</a>后即可提议第一件" in anonymous
    login(client, outsider)
    assert "居委会核实您的居民身份后" in client.get(LIST).get_data(as_text=True)
    client.post("/auth/logout")
    login(client, proposer)
    member = client.get(LIST).get_data(as_text=True)
    assert 'href="/c/xinglin/matters/new"' in member and "居委会核实" not in member
    mine = client.get(LIST + "?mine=1").get_data(as_text=True)
    assert "您还没有在本社区提议过微实事" in mine and 'class="button primary" href="/c/xinglin/matters/new"' in mine


def test_the_error_summary_links_to_each_field(client, community, proposer):
    login(client, proposer)
    page = client.post("/c/xinglin/matters/new", data=fields(title="", location="")).get_data(as_text=True)
    summary = page[page.index('class="error-summary"') : page.index("</ul>", page.index('class="error-summary"'))]
    assert 'href="#title"' in summary and 'href="#location"' in summary
    assert page.index('class="error-summary"') < page.index('id="title"')


def test_a_card_shows_the_first_photo_lazily_with_its_size(client, community, proposer):
    matter = services.create_matter(
        proposer, community, submit=True, photos=[upload(image_bytes(size=(400, 300)))], **fields()
    )
    page = client.get(LIST).get_data(as_text=True)
    photo = matter.photos[0]
    assert f'<img class="thumb" src="/c/xinglin/matters/{matter.id}/photos/{photo.id}"' in page
    card = page[page.index('class="thumb"') :]
    card = card[: card.index(">")]
    assert 'loading="lazy"' in card and 'width="96" height="72"' in card and 'alt="' in card
