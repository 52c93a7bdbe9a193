"""Review against the rules in force, admission to the agenda list, declining with a reason,
and the public, ordered agenda list."""

import pytest
from sqlalchemy import select

from app.audit.models import AuditEntry
from app.communities.models import Role
from app.core.errors import DomainError
from app.councils import review as review_services
from app.councils.models import AgendaItem, Review
from app.extensions import db
from app.matters.models import Follow
from app.notifications.models import Notification
from app.rules.services import current_ruleset
from tests.helpers import login

from .helpers import make_matter


@pytest.fixture
def review_setup(app, make):
    community = make.community(
        cap_works=50_000, excluded_categories=["culture"], negative_list=["物业服务企业应履行的职责"]
    )
    committee = make.member(community, role=Role.COMMITTEE)
    proposer = make.member(community)
    follower = make.member(community)
    ok = make_matter(community, proposer, title="楼道扶手", status="under_review", cost=30_000)
    db.session.add(Follow(matter_id=ok.id, user_id=follower.id))
    too_dear = make_matter(community, proposer, title="重修道路", status="under_review", cost=80_000)
    excluded = make_matter(
        community,
        proposer,
        title="广场舞音响",
        status="under_review",
        category="culture",
        cost=5_000,
        project_type="goods",
    )
    db.session.commit()
    return community, committee, proposer, follower, ok, too_dear, excluded


def codes(checks):
    return {c.code: c.ok for c in checks}


def test_automatic_checks_follow_the_rules_in_force(review_setup):
    community, _committee, _p, _f, ok, too_dear, excluded = review_setup
    rules = current_ruleset(community)
    assert codes(review_services.checks_for(ok, rules)) == {"cost_cap": True, "category": True, "negative_list": None}
    assert codes(review_services.checks_for(too_dear, rules))["cost_cap"] is False
    assert codes(review_services.checks_for(excluded, rules))["category"] is False


def test_admitting_puts_it_on_the_agenda_list_and_tells_proposer_and_followers(review_setup):
    community, committee, proposer, follower, ok, *_ = review_setup
    with pytest.raises(DomainError):
        review_services.admit(committee, community, ok.id, judged_negative_list=False)  # negative list not judged
    assert ok.status == "under_review"
    item = review_services.admit(committee, community, ok.id, judged_negative_list=True, note="符合条件")
    assert ok.status == "on_agenda" and item.matter_id == ok.id
    review = db.session.scalar(select(Review).where(Review.matter_id == ok.id))
    assert review.decision == "admit" and review.ruleset_id == current_ruleset(community).id
    assert {c["code"]: c["ok"] for c in review.checks} == {"cost_cap": True, "category": True, "negative_list": None}
    told = {n.user_id for n in db.session.scalars(select(Notification))}
    assert {proposer.id, follower.id} <= told
    assert (
        db.session.scalar(select(AuditEntry).where(AuditEntry.action == "review.admitted")).data["ruleset_version"] == 1
    )


def test_a_matter_failing_an_automatic_check_cannot_be_admitted(review_setup):
    community, committee, _p, _f, _ok, too_dear, excluded = review_setup
    for matter in (too_dear, excluded):
        with pytest.raises(DomainError):
            review_services.admit(committee, community, matter.id, judged_negative_list=True)
        assert matter.status == "under_review"
    assert db.session.scalar(select(AgendaItem.id)) is None


def test_declining_needs_a_public_reason(review_setup):
    community, committee, proposer, _f, _ok, too_dear, _e = review_setup
    with pytest.raises(DomainError):
        review_services.decline(committee, community, too_dear.id, "  ")
    review = review_services.decline(committee, community, too_dear.id, "超过工程类费用上限")
    assert too_dear.status == "not_admitted" and review.reason == "超过工程类费用上限"
    assert {c["code"]: c["ok"] for c in review.checks}["cost_cap"] is False
    message = db.session.scalar(select(Notification).where(Notification.user_id == proposer.id))
    assert message.params["reason"] == "超过工程类费用上限"


def test_review_page_and_forms(client, review_setup):
    community, committee, _p, _f, ok, too_dear, _e = review_setup
    login(client, committee)
    html = client.get(f"/c/{community.slug}/review").get_data(as_text=True)
    assert "楼道扶手" in html and "超过了该项目类型" in html and "物业服务企业应履行的职责" in html
    response = client.post(f"/c/{community.slug}/review/{ok.id}/admit", data={f"a{ok.id}-note": ""})
    assert response.status_code == 400 and "负面清单" in response.get_data(as_text=True)
    response = client.post(f"/c/{community.slug}/review/{ok.id}/admit", data={f"a{ok.id}-judged": "y"})
    assert response.status_code == 302 and ok.status == "on_agenda"
    response = client.post(f"/c/{community.slug}/review/{too_dear.id}/decline", data={f"d{too_dear.id}-reason": ""})
    assert response.status_code == 400
    assert "cannot be reviewed or put on the agenda list again" in client.get(
        f"/c/{community.slug}/review?lang=en"
    ).get_data(as_text=True)  # the page says what not admitting does
    # not admitting is final: without the tick it is refused, with the reason kept on the form
    response = client.post(
        f"/c/{community.slug}/review/{too_dear.id}/decline?lang=en", data={f"d{too_dear.id}-reason": "超过上限"}
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 400 and too_dear.status == "under_review"
    assert "Tick the box to confirm: a micro-matter that is not admitted cannot be reviewed again." in page
    assert "超过上限" in page and f'id="d{too_dear.id}-understood-error"' in page
    response = client.post(
        f"/c/{community.slug}/review/{too_dear.id}/decline",
        data={f"d{too_dear.id}-reason": "超过上限", f"d{too_dear.id}-understood": "y"},
    )
    assert response.status_code == 302 and too_dear.status == "not_admitted"
    response = client.post(
        f"/c/{community.slug}/review/{too_dear.id}/decline",
        data={f"d{too_dear.id}-reason": "再来一次", f"d{too_dear.id}-understood": "y"},
    )
    assert response.status_code == 400  # already decided
    assert client.post(f"/c/{community.slug}/review/99999/admit", data={"a99999-judged": "y"}).status_code == 404


def test_only_the_committee_reviews(client, review_setup, make):
    community, _committee, proposer, _f, ok, *_ = review_setup
    chair = make.member(community, role=Role.CHAIR)
    for user in (proposer, chair):
        client.post("/auth/logout")
        login(client, user)
        assert client.get(f"/c/{community.slug}/review").status_code == 403
        response = client.post(f"/c/{community.slug}/review/{ok.id}/admit", data={f"a{ok.id}-judged": "y"})
        assert response.status_code in (400, 403)
        assert ok.status == "under_review"
    other = make.community()
    stranger = make.member(other, role=Role.COMMITTEE)
    with pytest.raises(DomainError):
        review_services.admit(stranger, community, ok.id, judged_negative_list=True)


def test_the_agenda_list_is_public_ordered_and_reordered_by_the_committee(client, council):
    c = council
    slug = c.community.slug
    html = client.get(f"/c/{slug}/agenda/").get_data(as_text=True)
    assert html.index("议题1") < html.index("议题2") < html.index("议题3")
    waiting, _done = review_services.agenda(c.community)
    third = waiting[2]
    login(client, c.committee)
    assert client.post(f"/c/{slug}/agenda/{third.id}/move", data={"direction": "up"}).status_code == 302
    html = client.get(f"/c/{slug}/agenda/").get_data(as_text=True)
    assert html.index("议题1") < html.index("议题3") < html.index("议题2")
    first = review_services.agenda(c.community)[0][0]
    client.post(f"/c/{slug}/agenda/{first.id}/move", data={"direction": "up"})  # already first: refused
    assert review_services.agenda(c.community)[0][0].id == first.id
    client.post("/auth/logout")
    login(client, c.members[0])
    client.post(f"/c/{slug}/agenda/{third.id}/move", data={"direction": "down"})
    assert [i.matter.title for i in review_services.agenda(c.community)[0]] == ["议题1", "议题3", "议题2"]
    assert (
        db.session.scalar(select(AuditEntry).where(AuditEntry.action == "agenda.reordered")).actor_id == c.committee.id
    )


def test_admission_by_any_path_lands_on_the_agenda_list(council):
    c = council
    from app.matters import lifecycle

    matter = make_matter(c.community, c.resident, title="新议题", status="under_review")
    lifecycle.apply(matter, "admit", c.committee)
    db.session.commit()
    assert db.session.scalar(select(AgendaItem).where(AgendaItem.matter_id == matter.id)).position == 4
