"""The residents' assembly's counts: entered by one committee member, decided only when a second
person confirms them; a rejected entry stays on record; the counts are never changed."""

import pytest
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from app.audit.models import AuditEntry
from app.conventions import approval, residents_assembly
from app.conventions.models import Amendment, ConventionVersion, ResidentsAssembly
from app.core import clock
from app.core.errors import DomainError
from app.extensions import db
from tests.conventions.test_flows import (
    confirm_counts,
    council_adopts,
    enter_counts,
    supported_and_admitted,
    url,
)
from tests.helpers import login
from tests.once_per_module import once_per_module_with


@pytest.fixture
def world(request, app, client):
    """conftest.py's world with an amendment the council adopted, built once for this module's tests."""
    return once_per_module_with(request, "adopted", lambda world: adopted_by_the_council(client, world))


def adopted_by_the_council(client, world):
    amendment = supported_and_admitted(client, world)
    council_adopts(world, amendment)
    db.session.refresh(amendment)
    assert amendment.status == "adopted"
    return amendment


@pytest.fixture
def adopted(world):
    return world.adopted


def versions():
    return db.session.scalar(select(func.count(ConventionVersion.id)))


def audit(action):
    return db.session.scalars(select(AuditEntry).where(AuditEntry.action == action)).all()


def test_nothing_changes_before_the_confirmation(client, world, adopted):
    w = world
    entry = enter_counts(client, w)
    db.session.refresh(adopted)
    assert entry.status == "pending" and entry.approved is None and entry.needed is None
    assert adopted.status == "adopted" and adopted.assembly_id is None and versions() == 1
    assert entry.amendment_ids == [adopted.id]
    page = client.get(url(w)).get_data(as_text=True)
    assert "等待第二人确认" in page and "周主任" in page  # pending, and who entered it, in public
    [entered] = audit("convention.assembly_entered")
    assert entered.actor_id == w.committee.id and entered.data["yes"] == 70

    assert confirm_counts(client, w, entry).status_code == 302
    db.session.refresh(adopted)
    db.session.refresh(entry)
    assert entry.status == "confirmed" and entry.confirmed_by_id == w.chair.id and entry.approved
    assert adopted.status == "incorporated" and adopted.assembly_id == entry.id and versions() == 2
    [confirmed] = audit("convention.assembly_confirmed")
    assert confirmed.actor_id == w.chair.id and confirmed.data["entered_by"] == w.committee.id
    assert confirmed.data["approved"] is True and confirmed.data["needed"] == entry.needed
    version = client.get(url(w, "/versions/2")).get_data(as_text=True)
    assert "周主任" in version and "陈会长" in version  # who entered, who confirmed


def test_the_person_who_entered_cannot_confirm(client, world, adopted):
    w = world
    entry = enter_counts(client, w)
    page = client.get(url(w, "/assembly")).get_data(as_text=True)
    assert "必须由第二人确认" in page and f"/assembly/{entry.id}/confirm" not in page
    response = confirm_counts(client, w, entry, by=w.committee)
    assert response.status_code == 400 and "必须由第二人确认" in response.get_data(as_text=True)
    with pytest.raises(DomainError):
        residents_assembly.confirm_assembly(w.committee, entry)
    db.session.refresh(entry)
    db.session.refresh(adopted)
    assert entry.status == "pending" and adopted.status == "adopted" and versions() == 1
    assert audit("convention.assembly_confirmed") == []


def test_only_committee_or_council_confirm(client, world, adopted, make):
    w = world
    entry = enter_counts(client, w)
    outsider = make.user()
    for user in (w.residents[0], outsider):
        assert confirm_counts(client, w, entry, by=user).status_code in (400, 403)
        login(client, user)
        assert client.get(url(w, "/assembly")).status_code == 403
    db.session.refresh(entry)
    assert entry.status == "pending" and versions() == 1
    # another committee member, or a council member, may: the tally sheets' scrutineer rule
    second = make.member(w.community, role="committee", username="committee2")
    assert confirm_counts(client, w, entry, by=second).status_code == 302
    db.session.refresh(entry)
    assert entry.confirmed_by_id == second.id and versions() == 2


def test_a_council_member_confirms_a_no(client, world, adopted):
    w = world
    entry = enter_counts(client, w, yes=20, no=70)
    assert confirm_counts(client, w, entry, by=w.members[0]).status_code == 302
    db.session.refresh(adopted)
    db.session.refresh(entry)
    assert entry.approved is False and adopted.status == "not_approved" and versions() == 1


def test_rejected_then_entered_again(client, world, adopted):
    w = world
    wrong = enter_counts(client, w, yes=7, no=20, abstain=10)
    # a second entry waits until the first is settled
    login(client, w.committee)
    data = {"held_on": clock.local_today().isoformat(), "place": "广场", "present": 100, "yes": 70, "no": 20}
    refused = client.post(url(w, "/assembly"), data={**data, "abstain": 10})
    assert refused.status_code == 400
    assert db.session.scalar(select(func.count(ResidentsAssembly.id))) == 1
    # a reason is needed
    login(client, w.chair)
    assert client.post(url(w, f"/assembly/{wrong.id}/reject"), data={"reason": ""}).status_code == 400
    response = client.post(url(w, f"/assembly/{wrong.id}/reject"), data={"reason": "赞成票应为70，录入有误"})
    assert response.status_code == 302
    db.session.refresh(wrong)
    db.session.refresh(adopted)
    assert wrong.status == "rejected" and wrong.rejected_by_id == w.chair.id and wrong.pending is None
    assert adopted.status == "adopted" and versions() == 1
    [rejected] = audit("convention.assembly_rejected")
    assert rejected.actor_id == w.chair.id and rejected.data["reason"] == "赞成票应为70，录入有误"
    # a rejected entry cannot be confirmed afterwards
    assert confirm_counts(client, w, wrong, by=w.members[0]).status_code == 400
    corrected = enter_counts(client, w)
    assert corrected.id != wrong.id and confirm_counts(client, w, corrected).status_code == 302
    db.session.refresh(adopted)
    assert adopted.status == "incorporated" and adopted.assembly_id == corrected.id
    page = client.get(url(w)).get_data(as_text=True)
    assert "赞成票应为70，录入有误" in page and "已驳回" in page and "已由第二人确认" in page


def test_the_one_who_entered_may_withdraw(client, world, adopted):
    w = world
    entry = enter_counts(client, w)
    residents_assembly.reject_assembly(w.committee, entry, "地点填错")
    assert entry.status == "rejected" and approval.pending_assembly(w.convention) is None


def test_counts_are_never_changed(client, world, adopted):
    w = world
    entry = enter_counts(client, w)
    entry.yes = 99
    with pytest.raises(PermissionError):
        db.session.flush()
    db.session.rollback()
    residents_assembly.confirm_assembly(w.chair, entry)
    for column, value in (
        ("confirmed_by_id", w.members[0].id),  # set once: not again
        ("approved", False),
        ("pending", True),
        ("held_on", clock.local_today().replace(year=2000)),
        ("amendment_ids", []),
    ):
        db.session.refresh(entry)
        setattr(entry, column, value)
        with pytest.raises(PermissionError):
            db.session.flush()
        db.session.rollback()
    db.session.delete(db.session.get(ResidentsAssembly, entry.id))
    with pytest.raises(PermissionError):
        db.session.flush()
    db.session.rollback()
    stored = db.session.get(ResidentsAssembly, entry.id)
    assert (stored.yes, stored.confirmed_by_id, stored.approved) == (70, w.chair.id, True)


def test_one_pending_entry_in_the_database(client, world, adopted):
    w = world
    entry = enter_counts(client, w)
    twin = ResidentsAssembly(
        convention_id=w.convention.id,
        held_on=entry.held_on,
        place="广场",
        present=1,
        yes=1,
        no=0,
        abstain=0,
        amendment_ids=[adopted.id],
        entered_by_id=w.committee.id,
        entered_at=clock.now(),
        pending=True,
    )
    db.session.add(twin)
    with pytest.raises(IntegrityError):
        db.session.flush()
    db.session.rollback()
    assert db.session.scalar(select(func.count(Amendment.id))) == 1
