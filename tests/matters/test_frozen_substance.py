"""What residents supported stays as they supported it: from the first support the title,
description, cost, location and type cannot be rewritten; the proposer adds dated
clarifications (shown under the text, sent to supporters) or withdraws. Hidden comments
leave the for/against/neutral totals."""

import pytest
from sqlalchemy import select

from app.audit.models import AuditEntry
from app.core.errors import DomainError, FieldError
from app.extensions import db
from app.matters import permissions, services
from app.matters.lifecycle import Status
from app.matters.models import Clarification
from app.notifications.models import Notification
from tests.helpers import login

from .helpers import fields

BASE = "/c/xinglin/matters"


@pytest.fixture(autouse=True)
def english(app):
    from flask_babel import force_locale

    with force_locale("en"):
        yield


@pytest.fixture
def supported(matter, residents):
    services.support(residents[0], matter)
    return matter


def test_the_first_support_freezes_the_substance(matter, residents, proposer):
    assert not matter.substance_frozen and permissions.can_change_substance(proposer, matter)
    services.support(residents[0], matter)
    assert matter.substance_frozen and not permissions.can_change_substance(proposer, matter)
    # Withdrawing the support does not thaw it: residents saw and supported this text.
    services.unsupport(residents[0], matter)
    assert matter.support_count == 0 and matter.substance_frozen


@pytest.mark.parametrize(
    "change",
    [
        {"title": "改成别的事"},
        {"description": "完全不同的内容"},
        {"estimated_cost": "5000000"},
        {"location": "别的楼"},
        {"project_type": "service"},
    ],
)
def test_no_silent_rewrite_after_a_support(supported, proposer, change):
    with pytest.raises(FieldError, match="can no longer be changed") as refused:
        services.update_matter(proposer, supported, **fields(**change))
    assert refused.value.field == next(iter(change))
    db.session.expire_all()
    assert (supported.title, supported.estimated_cost, supported.location, supported.project_type) == (
        fields()["title"],
        12000,
        fields()["location"],
        "works",
    )
    assert supported.support_count == 1


def test_the_category_and_photos_may_still_be_tidied(supported, proposer):
    services.update_matter(proposer, supported, **fields(category="elderly"))
    assert supported.category == "elderly"


def test_the_edit_page_explains_and_a_forged_post_is_refused(client, supported, proposer):
    login(client, proposer)
    page = client.get(f"{BASE}/{supported.id}/edit?lang=en").get_data(as_text=True)
    assert "can no longer be changed" in page and f"{BASE}/{supported.id}#clarifications" in page
    assert 'name="title"' not in page and 'name="estimated_cost"' not in page
    # The page sends only what may change, and saving it works.
    assert client.post(f"{BASE}/{supported.id}/edit", data={"category": "elderly", "save": "1"}).status_code == 302
    # A hand-made request that rewrites the cost is refused, whatever the page showed.
    forged = client.post(f"{BASE}/{supported.id}/edit?lang=en", data=fields(estimated_cost="5000000", save="1"))
    assert forged.status_code == 400 and "can no longer be changed" in forged.get_data(as_text=True)
    db.session.expire_all()
    assert supported.estimated_cost == 12000 and supported.category == "elderly"


def test_clarifications_are_dated_audited_and_sent_to_supporters(supported, proposer, residents):
    services.follow(residents[1], supported)
    added = services.add_clarification(proposer, supported, "坡道两侧都装扶手，材料为不锈钢。")
    assert added.author_id == proposer.id and added.created_at is not None
    assert [c.body for c in supported.clarifications] == ["坡道两侧都装扶手，材料为不锈钢。"]
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "matter.clarified"))
    assert entry.data["clarification_id"] == added.id
    told = db.session.scalars(select(Notification.user_id).where(Notification.message.contains("clarification")))
    assert set(told) == {residents[0].id, residents[1].id}  # the supporter and the follower, not the proposer


def test_the_committee_may_clarify_too_others_may_not(supported, committee, residents):
    services.add_clarification(committee, supported, "居委会补充：施工期间保留通道。")
    with pytest.raises(DomainError, match="Only the proposer and the committee"):
        services.add_clarification(residents[0], supported, "我来补充")
    with pytest.raises(FieldError):
        services.add_clarification(committee, supported, "   ")
    with pytest.raises(FieldError):
        services.add_clarification(committee, supported, "长" * 1001)
    assert len(supported.clarifications) == 1


def test_no_clarification_on_drafts_or_withdrawn_matters(new_matter, proposer):
    draft = new_matter(submit=False)
    with pytest.raises(DomainError):
        services.add_clarification(proposer, draft, "草稿直接改")
    matter = new_matter()
    services.withdraw(proposer, matter)
    assert matter.status == Status.WITHDRAWN
    with pytest.raises(DomainError):
        services.add_clarification(proposer, matter, "撤回之后")


def test_clarifications_on_the_page(client, supported, proposer, residents):
    login(client, proposer)
    response = client.post(f"{BASE}/{supported.id}/clarifications", data={"clarification": "施工时间为周末。"})
    assert response.status_code == 302 and "#clarification-" in response.headers["Location"]
    assert client.post(f"{BASE}/{supported.id}/clarifications", data={"clarification": ""}).status_code == 400
    client.post("/auth/logout")
    page = client.get(f"{BASE}/{supported.id}?lang=en").get_data(as_text=True)
    assert "施工时间为周末。" in page and "Clarifications" in page
    assert f'action="{BASE}/{supported.id}/clarifications"' not in page  # visitors get no form
    login(client, residents[0])
    assert client.post(f"{BASE}/{supported.id}/clarifications", data={"clarification": "我也说"}).status_code == 403
    assert db.session.scalar(select(db.func.count(Clarification.id))) == 1


def test_withdrawal_stays_possible(supported, proposer):
    services.withdraw(proposer, supported)
    assert supported.status == Status.WITHDRAWN


def test_hidden_comments_leave_the_totals(client, matter, residents, committee):
    services.add_comment(residents[0], matter, "support", "赞成")
    spam = services.add_comment(residents[1], matter, "oppose", "广告：专业装修")
    services.add_comment(residents[2], matter, "oppose", "太贵了")
    assert services.stance_counts(matter) == {"support": 1, "oppose": 2, "neutral": 0}
    services.hide_comment(committee, spam, "广告内容")
    assert services.stance_counts(matter) == {"support": 1, "oppose": 1, "neutral": 0}
    page = client.get(f"{BASE}/{matter.id}?lang=en").get_data(as_text=True)
    assert "Against (1)" in page and "Against (2)" not in page


def test_the_api_gives_the_clarifications_without_names(client, supported, proposer, committee):
    services.add_clarification(proposer, supported, "坡道两侧都装扶手。")
    services.add_clarification(committee, supported, "施工期间保留通道。")
    data = client.get(f"/api/v1/communities/xinglin/matters/{supported.id}").get_json()
    assert data["substance_frozen_at"] is not None
    assert [(c["by"], c["body"]) for c in data["clarifications"]] == [
        ("proposer", "坡道两侧都装扶手。"),
        ("committee", "施工期间保留通道。"),
    ]
    assert proposer.display_name not in str(data)
