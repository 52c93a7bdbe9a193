"""The one state machine: every action from every state, who may do it, audit and notifications."""

import pytest
from sqlalchemy import select

from app.audit.models import AuditEntry
from app.core.errors import DomainError
from app.extensions import db
from app.matters import lifecycle, services
from app.matters.lifecycle import TRANSITIONS, Status
from app.matters.models import MicroMatter
from app.notifications.models import Notification

from .helpers import fields


@pytest.fixture(autouse=True)
def english(app):
    from flask_babel import force_locale

    with force_locale("en"):
        yield


def actor_for(action, proposer, committee):
    allowed = TRANSITIONS[action].allowed
    if allowed is None:
        return None  # only the software decides
    return proposer if allowed is lifecycle._proposer else committee


def put(matter, status):
    """Place a matter in a state directly (setting up the scene, not a transition under test)."""
    matter.status = status
    db.session.commit()


@pytest.mark.parametrize("action", list(TRANSITIONS))
def test_every_action_from_every_state(action, matter, proposer, committee):
    """Allowed exactly from its source states; refused from all others with a clear message."""
    transition = TRANSITIONS[action]
    person = actor_for(action, proposer, committee)
    system = person is None
    kwargs = {"reason": "理由"} if transition.needs_reason else {}
    for status in Status:
        put(matter, status)
        before = db.session.scalar(select(AuditEntry.id).order_by(AuditEntry.id.desc()).limit(1))
        if status in transition.sources:
            lifecycle.apply(matter, action, person or committee, system=system, **kwargs)
            db.session.commit()
            assert matter.status == transition.target, status
            # other features may add their own entries (signal receivers); ours is among the new ones
            entry = db.session.scalars(
                select(AuditEntry).where(AuditEntry.id > before, AuditEntry.action == f"matter.{action}")
            ).one()
            assert entry.data["from"] == status and entry.data["to"] == transition.target
            assert entry.actor_id == (person or committee).id
        else:
            with pytest.raises(DomainError, match="not possible while"):
                lifecycle.apply(matter, action, person or committee, system=system, **kwargs)
            db.session.rollback()
            db.session.refresh(matter)
            assert matter.status == status
            last = db.session.scalar(select(AuditEntry.id).order_by(AuditEntry.id.desc()).limit(1))
            assert last == before, status


@pytest.mark.parametrize("action", [a for a, t in TRANSITIONS.items() if t.allowed is not None])
def test_the_wrong_person_is_refused(action, matter, proposer, committee, residents):
    transition = TRANSITIONS[action]
    put(matter, next(iter(transition.sources)))
    right = actor_for(action, proposer, committee)
    wrong = [residents[0], committee if right is proposer else proposer]
    for person in wrong:
        with pytest.raises(DomainError, match="not allowed"):
            lifecycle.apply(matter, action, person, reason="理由")
        assert not lifecycle.can(action, person, matter)
    assert lifecycle.can(action, right, matter)


@pytest.mark.parametrize("action", [a for a, t in TRANSITIONS.items() if t.allowed is None])
def test_system_decisions_need_system_true(action, matter, committee):
    put(matter, next(iter(TRANSITIONS[action].sources)))
    with pytest.raises(DomainError, match="not allowed"):
        lifecycle.apply(matter, action, committee)
    assert not lifecycle.can(action, committee, matter)


@pytest.mark.parametrize("action", [a for a, t in TRANSITIONS.items() if t.needs_reason])
def test_reason_required_where_published(action, matter, committee):
    put(matter, next(iter(TRANSITIONS[action].sources)))
    with pytest.raises(DomainError, match="reason"):
        lifecycle.apply(matter, action, committee, reason="  ")


def test_unknown_action(matter, proposer):
    with pytest.raises(DomainError, match="Unknown action"):
        lifecycle.apply(matter, "teleport", proposer)


def test_anonymous_cannot_act(matter):
    from flask_login import AnonymousUserMixin

    anonymous = AnonymousUserMixin()
    assert not lifecycle.can("withdraw", anonymous, matter)
    with pytest.raises(DomainError):
        lifecycle.apply(matter, "withdraw", anonymous)


def test_notifications_go_to_proposer_supporters_and_followers(matter, proposer, committee, residents, outsider):
    services.support(residents[0], matter)
    services.follow(outsider, matter)
    services.support(residents[1], matter)
    services.support(residents[2], matter)  # the third support reaches the threshold (3)
    lifecycle.apply(matter, "admit", committee)
    db.session.commit()

    def entries(user):
        return db.session.scalars(select(Notification).where(Notification.user_id == user.id)).all()

    def messages(user):
        # One entry per matter and day: the day's messages are the lines of a merged one.
        return [m for n in entries(user) for m in [n.message] + [line["message"] for line in n.params.get("lines", [])]]

    admitted = "“%(title)s” was admitted to the agenda list."
    for user in (proposer, residents[0], residents[1], residents[2], outsider):
        assert admitted in messages(user)
    assert admitted not in messages(committee)  # the actor is not told about their own action
    assert admitted not in messages(residents[3])  # not involved
    (note,) = entries(proposer)  # reaching the threshold and the admission: one entry of the day
    assert note.params["title"] == matter.title and note.link == f"/c/xinglin/matters/{matter.id}"
    assert note.message == "Progress update on “%(title)s”:" and len(note.params["lines"]) == 2


def test_signal_and_status_time(matter, proposer):
    seen = []

    def receiver(sender, **kw):
        seen.append((sender.id, kw["action"], kw["actor"].id))

    lifecycle.matter_transitioned.connect(receiver)
    try:
        before = matter.status_changed_at
        lifecycle.apply(matter, "withdraw", proposer)
        db.session.commit()
    finally:
        lifecycle.matter_transitioned.disconnect(receiver)
    assert seen == [(matter.id, "withdraw", proposer.id)]
    assert matter.status_changed_at >= before


def test_guards_can_hold_a_matter_back(matter, committee):
    put(matter, Status.UNDER_REVIEW)

    def guard(m, action):
        return "一条异议尚未答复。" if action == "admit" else None

    lifecycle.TRANSITION_GUARDS.append(guard)
    try:
        with pytest.raises(DomainError, match="异议"):
            lifecycle.apply(matter, "admit", committee)
    finally:
        lifecycle.TRANSITION_GUARDS.remove(guard)
    assert db.session.get(MicroMatter, matter.id).status == Status.UNDER_REVIEW


def test_status_labels_cover_every_state():
    assert all(s.msgid and s.msgid != s.value for s in Status)
    assert all(t.target in lifecycle.TRANSITION_MESSAGES for t in TRANSITIONS.values())


def test_submit_sets_submitted_at(new_matter, proposer):
    draft = new_matter(submit=False)
    assert draft.submitted_at is None
    services.submit(proposer, draft)
    assert draft.submitted_at == draft.status_changed_at


def test_fields_fixture_is_valid():
    assert services.parse_yuan(fields()["estimated_cost"]) == 12000
