"""Items the committee raises: its own, assigned from above (上级交办), questions without a budget.
On the agenda list, decided by the council, public on pages and in the API."""

from datetime import date
from types import SimpleNamespace

import pytest
from sqlalchemy import func, select

from app.audit.models import AuditEntry
from app.committee_items.models import CommitteeItem
from app.communities.models import Role
from app.core.errors import DomainError
from app.councils.models import AgendaItem
from app.extensions import db
from tests.councils.helpers import decide_in_meeting
from tests.helpers import login

ASSIGNED = {
    "kind": "assigned",
    "title": "电动自行车集中充电点选址",
    "description": "街道要求年底前设置集中充电点。\n请议事会确定选址。",
    "assigning_office": "双塔街道办事处",
    "due_on": "2026-12-31",
}


@pytest.fixture
def world(app, make):
    community = make.community(seconders_needed=1)
    committee = make.member(community, role=Role.COMMITTEE, display_name="周主任")
    chair = make.member(community, role=Role.CHAIR)
    members = [make.member(community, role=Role.COUNCIL_MEMBER) for _ in range(4)]
    resident = make.member(community)
    return SimpleNamespace(
        community=community,
        committee=committee,
        chair=chair,
        council=[chair, *members],
        members=members,
        resident=resident,
    )


def url(w, tail=""):
    return f"/c/{w.community.slug}/items/{tail}"


def raise_assigned(client, w, **changes):
    login(client, w.committee)
    return client.post(url(w, "new"), data={**ASSIGNED, **changes})


def council_decides(w, item, kind="agree", votes_for=3):
    meeting, motion, _result = decide_in_meeting(w, item.agenda_item_id, kind, votes_for, "在3号楼北侧设置")
    return meeting, motion


def test_committee_raises_an_assigned_item_onto_the_agenda_list(client, world):
    response = raise_assigned(client, world)
    assert response.status_code == 302, response.get_data(as_text=True)
    item = db.session.scalar(select(CommitteeItem))
    assert (item.kind, item.assigning_office, item.due_on) == ("assigned", "双塔街道办事处", date(2026, 12, 31))
    agenda_item = db.session.get(AgendaItem, item.agenda_item_id)
    assert agenda_item.subject_kind == "committee" and agenda_item.matter_id is None
    client.post("/auth/logout")
    agenda = client.get(f"/c/{world.community.slug}/agenda/?lang=en").get_data(as_text=True)
    assert "电动自行车集中充电点选址" in agenda and "Assigned by 双塔街道办事处, due" in agenda
    page = client.get(url(world, str(item.id)) + "?lang=en").get_data(as_text=True)
    assert "周主任" in page and "请议事会确定选址。" in page
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "committee_item.raised"))
    assert entry.data["assigning_office"] == "双塔街道办事处"


def test_an_assigned_item_needs_its_office_and_due_date_and_bad_input_keeps_the_form(client, world):
    response = raise_assigned(client, world, assigning_office="", due_on="")
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert "电动自行车集中充电点选址" in html  # the text is kept
    assert db.session.scalar(select(func.count(CommitteeItem.id))) == 0
    assert db.session.scalar(select(func.count(AgendaItem.id))) == 0


def test_own_items_and_questions_carry_no_office(client, world):
    for kind in ("own", "question"):
        response = raise_assigned(client, world, kind=kind, title=f"{kind} 事项")
        assert response.status_code == 302
    items = db.session.scalars(select(CommitteeItem).order_by(CommitteeItem.id)).all()
    assert [(i.kind, i.assigning_office, i.due_on) for i in items] == [("own", None, None), ("question", None, None)]


def test_only_the_committee_raises_items(client, world, make):
    for user in (world.chair, world.members[0], world.resident):
        login(client, user)
        assert client.get(url(world, "new")).status_code == 403
        assert client.post(url(world, "new"), data=ASSIGNED).status_code == 403
        client.post("/auth/logout")
    assert db.session.scalar(select(func.count(CommitteeItem.id))) == 0


def test_the_council_agrees_and_the_item_says_so(client, world):
    raise_assigned(client, world)
    item = db.session.scalar(select(CommitteeItem))
    _meeting, motion = council_decides(world, item, "agree")
    db.session.refresh(item)
    assert (item.status, item.motion_id) == ("agreed", motion.id)
    page = client.get(url(world, str(item.id)) + "?lang=en").get_data(as_text=True)
    assert "Agreed by the council" in page and "yes 3, no 1" in page
    assert db.session.scalar(select(AuditEntry).where(AuditEntry.action == "committee_item.agreed")) is not None


def test_an_item_takes_only_agree_or_reject_motions(client, world):
    raise_assigned(client, world)
    item = db.session.scalar(select(CommitteeItem))
    with pytest.raises(DomainError) as refusal:
        council_decides(world, item, "approve")
    assert str(refusal.value.message) == "请选择动议的内容。"  # "Choose what the motion proposes."


def test_a_failed_agreement_leaves_it_on_the_agenda(client, world):
    raise_assigned(client, world)
    item = db.session.scalar(select(CommitteeItem))
    council_decides(world, item, "agree", votes_for=1)
    db.session.refresh(item)
    assert (item.status, item.motion_id) == ("on_agenda", None)


def test_a_passed_rejection_rejects(client, world):
    raise_assigned(client, world, kind="question", title="是否允许在消防通道临时停车")
    item = db.session.scalar(select(CommitteeItem))
    council_decides(world, item, "reject")
    db.session.refresh(item)
    assert item.status == "rejected"
    assert db.session.scalar(select(AuditEntry).where(AuditEntry.action == "committee_item.rejected")) is not None


def test_the_api_lists_them_without_naming_who_raised_them(client, world):
    raise_assigned(client, world)
    client.post("/auth/logout")
    data = client.get(f"/api/v1/communities/{world.community.slug}/agenda/committee-items").get_json()
    [row] = data["items"]
    assert (row["kind"], row["assigning_office"], row["due_on"], row["status"]) == (
        "assigned",
        "双塔街道办事处",
        "2026-12-31",
        "on_agenda",
    )
    assert "周主任" not in str(data)
