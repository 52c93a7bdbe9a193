"""The page-weight budget on the micro-matter pages, with the heaviest content the rules allow:
a 5,000-character description, five photos, many long comments with replies, long titles.
(The same measurement as bench/page_sizes.py, which crawls the whole demo site.)"""

import pytest

from app.communities.models import Role
from app.matters import services
from bench.page_sizes import BUDGET, page_weight
from tests.helpers import image_bytes, login, upload

from .helpers import fields

BASE = "/c/xinglin/matters"


@pytest.fixture
def heavy(community, proposer, committee, residents, make):
    talkers = residents + [make.member(community, role=Role.RESIDENT) for _ in range(8)]
    long_text = "这是一段很长的说明文字，包含**加粗**和列表。\n\n- 第一项\n- 第二项\n\n" + "社区居民反映的问题" * 540
    matter = services.create_matter(
        proposer,
        community,
        submit=True,
        photos=[upload(image_bytes(size=(400, 300))) for _ in range(5)],
        **fields(title="长" * 80, description=long_text[:5000], location="地" * 120),
    )
    for i in range(3 * services.COMMENTS_PER_GROUP + 6):
        author = talkers[i % len(talkers)]
        comment = services.add_comment(
            author, matter, ["support", "oppose", "neutral"][i % 3], "很长的评论内容" * 285
        )  # 1,995 characters
        for _ in range(services.REPLIES_MAX):
            services.reply(proposer, comment, "提议人的详细回复" * 62)  # 496 characters
    for i in range(12):
        services.create_matter(
            proposer, community, submit=True, **fields(title=f"{i:02d}" + "标" * 78, location="地" * 120)
        )
    draft = services.create_matter(proposer, community, **fields(description=long_text[:5000]))
    return {
        "matter": matter,
        "draft": draft,
        "comment": comment,
        "committee": committee,
        "proposer": proposer,
        "resident": residents[0],
    }


def test_main_pages_stay_within_the_budget(client, heavy):
    matter, comment = heavy["matter"], heavy["comment"]
    pages = [
        BASE + "/",
        BASE + "/?sort=supported&category=accessibility",
        f"{BASE}/{matter.id}",
        f"{BASE}/{matter.id}?stance=support",
        f"{BASE}/{matter.id}/comments/{comment.id}",
    ]
    owner_pages = [BASE + "/new", f"{BASE}/{matter.id}/edit", f"{BASE}/{heavy['draft'].id}/edit", BASE + "/?mine=1"]
    weights = {}
    for who in (None, heavy["resident"], heavy["committee"], heavy["proposer"]):
        if who is not None:
            login(client, who)
        for path in pages + (owner_pages if who is heavy["proposer"] else []):
            status, total = page_weight(client, path)
            assert status == 200, path
            weights[(getattr(who, "username", "anonymous"), path)] = total
        client.post("/auth/logout")
    over = {key: size for key, size in weights.items() if size > BUDGET}
    assert not over, over
    # the measurement is real: the heaviest page is far from empty
    assert max(weights.values()) > BUDGET // 2
