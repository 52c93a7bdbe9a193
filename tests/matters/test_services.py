"""The rules and transactions of micro-matters, called directly."""

import pytest
from sqlalchemy import func, select

from app.audit.models import AuditEntry
from app.core.errors import DomainError, FieldError
from app.extensions import db
from app.matters import permissions, services
from app.matters.lifecycle import Status
from app.matters.models import Comment, Follow, MicroMatter, Support
from app.notifications.models import Notification

from .helpers import THRESHOLD, fields


@pytest.fixture(autouse=True)
def english(app):
    """Messages are checked by their English ids here; the pages are tested in both languages."""
    from flask_babel import force_locale

    with force_locale("en"):
        yield


def audit_actions(obj_type=None):
    query = select(AuditEntry.action).order_by(AuditEntry.id)
    if obj_type:
        query = query.where(AuditEntry.object_type == obj_type)
    return db.session.scalars(query).all()


def inbox(user):
    return db.session.scalars(
        select(Notification).where(Notification.user_id == user.id).order_by(Notification.id)
    ).all()


def count(model):
    return db.session.scalar(select(func.count()).select_from(model))


# ---------------------------------------------------------------- create, edit, submit, withdraw


def test_create_draft_renders_and_sanitises(proposer, community):
    matter = services.create_matter(
        proposer, community, **fields(description="**要点**<script>alert(1)</script> [link](javascript:alert(1))")
    )
    assert matter.status == Status.DRAFT
    assert matter.estimated_cost == 12000
    assert "<strong>要点</strong>" in matter.description_html
    assert "<script" not in matter.description_html and 'href="javascript' not in matter.description_html
    assert audit_actions()[-1] == "matter.created"
    assert matter.submitted_at is None


def test_create_and_submit_at_once(proposer, community):
    matter = services.create_matter(proposer, community, submit=True, **fields())
    assert matter.status == Status.COLLECTING
    assert matter.submitted_at is not None
    assert audit_actions()[-2:] == ["matter.created", "matter.submit"]


@pytest.mark.parametrize(
    "field,value,message",
    [
        ("title", "", "title"),
        ("title", "长" * 81, "80"),
        ("description", "   ", "describe"),
        ("description", "字" * 5001, "5000"),
        ("category", "parking", "category"),
        ("location", "", "where"),
        ("project_type", "loan", "project type"),
        ("estimated_cost", "-5", "more than zero"),
        ("estimated_cost", "0", "more than zero"),
        ("estimated_cost", "5000001", "5,000,000"),
        ("estimated_cost", "9" * 40, "5,000,000"),
        ("estimated_cost", "12.5", "whole number"),
        ("estimated_cost", "一万", "whole number"),
        ("estimated_cost", "", "estimated cost"),
    ],
)
def test_bad_fields_are_refused_and_nothing_is_written(proposer, community, field, value, message):
    with pytest.raises(FieldError) as caught:
        services.create_matter(proposer, community, **fields(**{field: value}))
    assert caught.value.field == field
    assert message in str(caught.value.message)
    assert count(MicroMatter) == 0
    assert "matter.created" not in audit_actions()


@pytest.mark.parametrize(
    "text,value",
    [("12,000", 12000), ("１２０００元", 12000), (" 800 ", 800), ("¥5000", 5000), (5_000_000, 5_000_000), ("1", 1)],
)
def test_cost_accepts_common_ways_of_writing_yuan(text, value):
    assert services.parse_yuan(text) == value


def test_only_verified_residents_of_the_community_propose(community, outsider, pending):
    for user in (outsider, pending):
        with pytest.raises(DomainError):
            services.create_matter(user, community, **fields())
    assert count(MicroMatter) == 0


def test_edit_by_proposer_while_draft_and_collecting(proposer, new_matter):
    matter = new_matter(submit=False)
    services.update_matter(proposer, matter, **fields(title="新标题", estimated_cost="9000"))
    assert (matter.title, matter.estimated_cost) == ("新标题", 9000)
    services.submit(proposer, matter)
    services.update_matter(proposer, matter, **fields(location="6栋门口"))
    assert matter.location == "6栋门口"
    edits = db.session.scalars(select(AuditEntry).where(AuditEntry.action == "matter.edited")).all()
    assert edits[0].data["fields"] == ["estimated_cost", "title"]
    assert edits[1].data["fields"] == ["estimated_cost", "location", "title"]  # back to 12000 and the old title


def test_edit_refused_for_others_and_after_collecting(proposer, residents, committee, matter):
    for user in (residents[0], committee):
        with pytest.raises(DomainError, match="Only the proposer"):
            services.update_matter(user, matter, **fields(title="改"))
    matter.status = Status.UNDER_REVIEW
    db.session.commit()
    with pytest.raises(DomainError, match="no longer be edited"):
        services.update_matter(proposer, matter, **fields(title="改"))
    assert matter.title == fields()["title"]


def test_bad_edit_keeps_the_old_values(proposer, matter):
    with pytest.raises(FieldError):
        services.update_matter(proposer, matter, **fields(title="新", estimated_cost="-1"))
    db.session.expire_all()
    assert matter.title == fields()["title"] and matter.estimated_cost == 12000


def test_withdraw_only_by_proposer(proposer, residents, matter):
    with pytest.raises(DomainError):
        services.withdraw(residents[0], matter)
    services.withdraw(proposer, matter)
    assert matter.status == Status.WITHDRAWN
    with pytest.raises(DomainError, match="not possible"):
        services.withdraw(proposer, matter)


def test_submit_twice_is_refused_clearly(proposer, matter):
    with pytest.raises(DomainError, match="not possible while"):
        services.submit(proposer, matter)


# ---------------------------------------------------------------- supports and the threshold


def test_support_counts_and_is_audited(residents, matter):
    services.support(residents[0], matter)
    assert matter.support_count == 1
    assert count(Support) == 1
    entry = db.session.scalars(select(AuditEntry).where(AuditEntry.action == "matter.supported")).one()
    assert entry.actor_id == residents[0].id and entry.data["supports"] == 1


def test_support_rules(proposer, residents, outsider, pending, new_matter):
    draft = new_matter(submit=False)
    with pytest.raises(DomainError, match="only collected"):
        services.support(residents[0], draft)
    matter = new_matter(title="另一件")
    with pytest.raises(DomainError, match="cannot support it yourself"):
        services.support(proposer, matter)
    for user in (outsider, pending):
        with pytest.raises(DomainError, match="verified residents"):
            services.support(user, matter)
    services.support(residents[0], matter)
    with pytest.raises(DomainError, match="already supported"):
        services.support(residents[0], matter)
    assert matter.support_count == 1 and count(Support) == 1


def test_duplicate_insert_race_gives_a_message_not_an_error(residents, matter, monkeypatch):
    """Two requests pass the check at once; the unique constraint decides, the second gets a message."""
    services.support(residents[0], matter)
    monkeypatch.setattr(permissions, "has_supported", lambda user, m: False)
    with pytest.raises(DomainError, match="already supported"):
        services.support(residents[0], matter)
    db.session.expire_all()
    assert matter.support_count == 1 and count(Support) == 1
    assert audit_actions().count("matter.supported") == 1


def test_withdraw_support_while_collecting(residents, matter):
    services.support(residents[0], matter)
    services.unsupport(residents[0], matter)
    assert matter.support_count == 0 and count(Support) == 0
    assert audit_actions()[-1] == "matter.support_withdrawn"
    with pytest.raises(DomainError, match="not supported"):
        services.unsupport(residents[0], matter)


def test_reaching_the_threshold_moves_to_review(proposer, residents, matter):
    for user in residents[: THRESHOLD - 1]:
        assert services.support(user, matter) is False
    assert matter.status == Status.COLLECTING
    assert services.support(residents[THRESHOLD - 1], matter) is True
    assert matter.status == Status.UNDER_REVIEW
    entry = db.session.scalars(select(AuditEntry).where(AuditEntry.action == "matter.reach_threshold")).one()
    assert entry.actor_id == residents[THRESHOLD - 1].id
    assert entry.data["supports"] == THRESHOLD and entry.data["threshold"] == THRESHOLD
    # the proposer and the earlier supporters hear about it; the person who clicked does not
    assert any("threshold" in n.message for n in inbox(proposer))
    assert any("threshold" in n.message for n in inbox(residents[0]))
    assert not any("threshold" in n.message for n in inbox(residents[THRESHOLD - 1]))
    # supports are locked once under review
    with pytest.raises(DomainError):
        services.unsupport(residents[0], matter)
    with pytest.raises(DomainError):
        services.support(residents[3], matter)


def test_share_threshold_counts_of_the_register_size_else_of_the_verified_residents(app, make):
    community = make.community(support_threshold_kind="share", support_threshold_percent=50)
    for _ in range(5):
        make.member(community)
    assert services.support_threshold(community) == 500  # half of the 1000 the community states are registered
    community.register_size = 0  # not stated
    assert services.support_threshold(community) == 3  # half of the 5 verified residents, rounded up


# ---------------------------------------------------------------- comments


def test_comment_notifies_proposer_and_followers(proposer, residents, matter):
    services.follow(residents[1], matter)
    comment = services.add_comment(residents[0], matter, "oppose", "  太贵了，\n能不能便宜点？ ")
    assert comment.body == "太贵了，\n能不能便宜点？"
    assert comment.stance == "oppose"
    assert any("commented" in n.message for n in inbox(proposer))
    assert any("commented" in n.message for n in inbox(residents[1]))
    assert not inbox(residents[0])
    assert audit_actions()[-1] == "comment.added"


def test_comment_rules(residents, outsider, new_matter):
    matter = new_matter()
    with pytest.raises(FieldError):
        services.add_comment(residents[0], matter, "support", "   ")
    with pytest.raises(FieldError):
        services.add_comment(residents[0], matter, "support", "字" * 2001)
    with pytest.raises(FieldError):
        services.add_comment(residents[0], matter, "maybe", "嗯")
    with pytest.raises(DomainError, match="verified residents"):
        services.add_comment(outsider, matter, "support", "好")
    draft = new_matter(submit=False, title="草稿")
    with pytest.raises(DomainError, match="closed"):
        services.add_comment(residents[0], draft, "support", "好")
    assert count(Comment) == 0


def test_replies_by_proposer_and_committee_one_level(proposer, committee, residents, matter):
    comment = services.add_comment(residents[0], matter, "neutral", "什么时候施工？")
    answer = services.reply(proposer, comment, "预计下个月。")
    services.reply(committee, comment, "居委会会跟进。")
    assert [r.body for r in comment.replies] == ["预计下个月。", "居委会会跟进。"]
    assert sum("replied" in n.message for n in inbox(residents[0])) == 2
    with pytest.raises(DomainError, match="one level"):
        services.reply(proposer, answer, "再回复")
    with pytest.raises(DomainError, match="Only the proposer and the committee"):
        services.reply(residents[1], comment, "我也想说")


def test_committee_hides_with_a_public_reason(committee, residents, matter):
    comment = services.add_comment(residents[0], matter, "oppose", "广告：专业装修 139xxxx")
    with pytest.raises(DomainError, match="Only the committee"):
        services.hide_comment(residents[1], comment, "spam")
    with pytest.raises(FieldError):
        services.hide_comment(committee, comment, "  ")
    services.hide_comment(committee, comment, "广告内容")
    assert comment.is_hidden and comment.hidden_reason == "广告内容" and comment.hidden_by_id == committee.id
    assert audit_actions()[-1] == "comment.hidden"
    assert any("hidden" in n.message for n in inbox(residents[0]))
    with pytest.raises(DomainError, match="already hidden"):
        services.hide_comment(committee, comment, "again")


def test_comments_grouped_and_filtered_by_stance(residents, matter):
    for i, stance in enumerate(["support", "support", "oppose", "neutral", "support"]):
        services.add_comment(residents[i % 4], matter, stance, f"意见{i}")
    assert services.stance_counts(matter) == {"support": 3, "oppose": 1, "neutral": 1}
    groups, counts = services.comment_groups(matter)
    assert [c.body for c in groups["support"]] == ["意见4", "意见1", "意见0"]  # newest first
    assert counts == services.stance_counts(matter)  # counted in the same query
    page = services.comments_with_stance(matter, "oppose")
    assert [c.body for c in page.items] == ["意见2"] and page.total == 1


def test_grouped_comments_keep_the_latest_few_per_stance_and_count_only_visible_ones(residents, committee, matter):
    for i in range(services.COMMENTS_PER_GROUP + 2):
        services.add_comment(residents[i % 4], matter, "oppose", f"反对{i}")
    hidden = services.add_comment(residents[0], matter, "neutral", "隐藏的")
    services.hide_comment(committee, hidden, "广告")
    groups, counts = services.comment_groups(matter)
    n = services.COMMENTS_PER_GROUP
    assert [c.body for c in groups["oppose"]] == [f"反对{i}" for i in range(n + 1, 1, -1)]
    assert counts == {"support": 0, "oppose": n + 2, "neutral": 0} == services.stance_counts(matter)
    assert [c.body for c in groups["neutral"]] == ["隐藏的"] and groups["support"] == []


def test_a_page_past_the_end_of_the_list_still_knows_the_total(residents, matter, new_matter, community):
    new_matter(title="第二件")
    page = services.list_matters(community, None, page=5, per_page=1)
    assert page.items == [] and page.total == 2 and page.pages == 2
    first = services.list_matters(community, None, page=1, per_page=1)
    assert first.total == 2 and first.has_next and [m.title for m in first.items] == ["第二件"]


# ---------------------------------------------------------------- follow


def test_follow_and_unfollow(residents, outsider, matter, new_matter):
    services.follow(residents[0], matter)
    with pytest.raises(DomainError, match="already follow"):
        services.follow(residents[0], matter)
    services.follow(outsider, matter)  # anyone logged in who can see it
    assert count(Follow) == 2
    services.unfollow(residents[0], matter)
    with pytest.raises(DomainError):
        services.unfollow(residents[0], matter)
    draft = new_matter(submit=False, title="草稿")
    with pytest.raises(DomainError):
        services.follow(residents[0], draft)


# ---------------------------------------------------------------- list, search, sort, pagination


@pytest.fixture
def several(proposer, residents, community, new_matter):
    ramp = new_matter()
    bench = new_matter(
        title="小区花园增设遮阳座椅",
        description="夏天太晒，老人没处歇脚。",
        category="elderly",
        location="中心花园",
        project_type="goods",
        estimated_cost="8000",
    )
    light = new_matter(
        title="夜间步道照明",
        description="Path lighting for the evening walk.",
        category="safety",
        location="河边步道",
        estimated_cost="30000",
    )
    draft = new_matter(submit=False, title="草稿：自行车棚", category="facilities")
    services.support(residents[0], bench)
    services.support(residents[1], bench)
    services.support(residents[0], light)
    return {"ramp": ramp, "bench": bench, "light": light, "draft": draft}


def titles(pagination):
    return [m.title for m in pagination.items]


def test_list_hides_other_peoples_drafts(several, community, proposer, residents):
    assert "草稿：自行车棚" not in titles(services.list_matters(community, residents[0]))
    assert "草稿：自行车棚" not in titles(services.list_matters(community, None))
    assert "草稿：自行车棚" in titles(services.list_matters(community, proposer))
    assert titles(services.list_matters(community, proposer, mine=True))[0] == "草稿：自行车棚"
    assert titles(services.list_matters(community, residents[0], mine=True)) == []


def test_filters_and_sort(several, community):
    assert titles(services.list_matters(community, None, category="elderly")) == ["小区花园增设遮阳座椅"]
    assert titles(services.list_matters(community, None, status="collecting", sort="supported")) == [
        "小区花园增设遮阳座椅",
        "夜间步道照明",
        "5栋门口加装无障碍坡道",
    ]
    assert titles(services.list_matters(community, None))[0] == "夜间步道照明"  # newest first
    # unknown filter values are ignored rather than failing
    assert services.list_matters(community, None, status="nonsense", category="x").total == 3


@pytest.mark.parametrize(
    "q,expected",
    [
        ("坡道", ["5栋门口加装无障碍坡道"]),
        ("老人 座椅", ["小区花园增设遮阳座椅"]),  # several words: all must match
        ("老人 坡道", []),
        ("河边", ["夜间步道照明"]),  # location
        ("LIGHTING", ["夜间步道照明"]),  # case-insensitive
        ("100%", []),  # LIKE wildcards are taken literally
        ("_", []),
        ("　轮椅　", ["5栋门口加装无障碍坡道"]),  # full-width spaces
    ],
)
def test_search_by_words(several, community, q, expected):
    assert titles(services.list_matters(community, None, q=q)) == expected


def test_pagination(proposer, community, new_matter):
    for i in range(12):
        new_matter(title=f"事项{i:02d}")
    first = services.list_matters(community, None, page=1, per_page=5)
    assert first.total == 12 and first.pages == 3 and len(first.items) == 5
    last = services.list_matters(community, None, page=3, per_page=5)
    assert titles(last) == ["事项01", "事项00"]
    assert services.list_matters(community, None, page=99, per_page=5).items == []


def test_tampered_ids_are_not_found(community, make, matter):
    from werkzeug.exceptions import NotFound

    other = make.community(slug="elsewhere")
    with pytest.raises(NotFound):
        services.get_matter(other, matter.id)
    for bad in (0, -1, 2**31, 10**20):
        with pytest.raises(NotFound):
            services.get_matter(community, bad)


def test_reply_length_and_count_are_limited(proposer, committee, residents, matter):
    comment = services.add_comment(residents[0], matter, "neutral", "问题")
    with pytest.raises(FieldError, match="reply may be at most 500"):
        services.reply(proposer, comment, "长" * 501)
    for i in range(services.REPLIES_MAX):
        services.reply(committee if i % 2 else proposer, comment, f"回复{i}")
    with pytest.raises(DomainError, match="already has 10 replies"):
        services.reply(proposer, comment, "再一条")
    assert len(comment.replies) == services.REPLIES_MAX
