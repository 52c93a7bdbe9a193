"""The services of 五社联动 (refusals in the default language, Chinese): partners, volunteers, tasks, sign-ups and hours, with their refusals
(nothing half-written) and their audit entries."""

import pytest
from sqlalchemy import func, select

from app.audit.models import AuditEntry
from app.core import clock
from app.core.errors import DomainError, FieldError
from app.extensions import db
from app.matters.models import MicroMatter
from app.partners import delivery_tasks, services, who_delivered
from app.partners.models import DeliveryTask, Partner, SignupStatus, TaskSignup, Volunteer
from tests.tracker.helpers import days

from .helpers import has_taken_place


def count(model):
    return db.session.scalar(select(func.count()).select_from(model))


def audited(action):
    return db.session.scalars(select(AuditEntry).where(AuditEntry.action == action).order_by(AuditEntry.id)).all()


def test_committee_adds_and_edits_partners_audited(community, committee, partner):
    assert audited("partners.partner_added")[0].data["name"] == "阳光社工服务社"
    services.save_partner(
        committee, community, partner, kind="volunteer_team", name="杏林志愿者队", description="", contact=""
    )
    assert partner.kind == "volunteer_team" and partner.name == "杏林志愿者队"
    assert audited("partners.partner_changed")


def test_partner_names_are_unique_in_a_community(community, committee, partner):
    with pytest.raises(FieldError) as refused:
        services.save_partner(
            committee, community, kind="social_worker", name="阳光社工服务社", description="", contact=""
        )
    assert refused.value.field == "name"
    assert count(Partner) == 1


def test_only_the_committee_manages_partners(community, residents):
    with pytest.raises(DomainError):
        services.save_partner(residents[0], community, kind="social_worker", name="李社工", description="", contact="")
    assert count(Partner) == 0
    assert not audited("partners.partner_added")


def test_unknown_kind_is_refused(community, committee):
    with pytest.raises(FieldError) as refused:
        services.save_partner(committee, community, kind="company", name="某公司", description="", contact="")
    assert refused.value.field == "kind"


def test_volunteers_are_verified_members_not_named_by_default(community, volunteer, pending, outsider):
    row = db.session.scalar(select(Volunteer))
    assert row.user_id == volunteer.id and row.show_name is False and row.skills == "搬运"
    for person in (pending, outsider):
        with pytest.raises(DomainError):
            services.save_volunteer(person, community, skills="", availability="", show_name=True)
    assert count(Volunteer) == 1
    assert audited("partners.volunteer_joined")


def test_tasks_only_on_decided_matters(community, committee, proposer, record):
    matter = MicroMatter(
        community_id=community.id,
        proposer_id=proposer.id,
        title="未决定",
        description="",
        description_html="",
        category="elderly",
        location="",
        estimated_cost=100,
        project_type="goods",
        status="on_agenda",
    )
    db.session.add(matter)
    db.session.commit()
    with pytest.raises(DomainError, match="经决定"):
        delivery_tasks.add_task(committee, matter, title="搬运", people_needed=1, task_date=days(1), hours="1")
    assert count(DeliveryTask) == 0


@pytest.mark.parametrize(
    ("field", "values"),
    [
        ("title", {"title": " "}),
        ("people_needed", {"people_needed": 0}),
        ("people_needed", {"people_needed": None}),
        ("task_date", {"task_date": None}),
        ("task_date", {"task_date": "tomorrow"}),
        ("hours", {"hours": "abc"}),
        ("hours", {"hours": "-2"}),
        ("hours", {"hours": "0"}),
        ("hours", {"hours": "25"}),
        ("hours", {"hours": "1.25"}),
    ],
)
def test_bad_task_input_is_refused_by_field(record, committee, field, values):
    data = {"title": "搬运座椅", "people_needed": 2, "task_date": days(2), "hours": "2"} | values
    with pytest.raises(FieldError) as refused:
        delivery_tasks.add_task(committee, record.matter, **data)
    assert refused.value.field == field
    assert count(DeliveryTask) == 0


def test_a_new_task_cannot_be_in_the_past(record, committee):
    with pytest.raises(FieldError) as refused:
        delivery_tasks.add_task(committee, record.matter, title="搬运", people_needed=1, task_date=days(-1), hours="1")
    assert refused.value.field == "task_date"


def test_task_is_audited_with_its_length_in_minutes(task):
    assert task.length_minutes == 150
    entry = audited("partners.task_added")[0]
    assert entry.data["minutes"] == 150 and entry.data["matter_id"] == task.record.matter_id


def test_sign_up_once_then_full(community, committee, task, residents, volunteer):
    delivery_tasks.sign_up(volunteer, task)
    with pytest.raises(DomainError, match="已经报名"):
        delivery_tasks.sign_up(volunteer, task)
    services.save_volunteer(residents[1], community, skills="", availability="", show_name=True)
    delivery_tasks.sign_up(residents[1], task)
    services.save_volunteer(residents[2], community, skills="", availability="", show_name=True)
    with pytest.raises(DomainError, match="已满员"):
        delivery_tasks.sign_up(residents[2], task)
    assert count(TaskSignup) == 2
    # a declined sign-up frees its place
    first = task.signups[0]
    delivery_tasks.decide_signup(committee, task, first.id, confirm=False)
    delivery_tasks.sign_up(residents[2], task)
    assert count(TaskSignup) == 3


def test_new_sign_ups_join_the_tasks_list_already_read(committee, task, partner, volunteer):
    # The demo keeps its loaded rows between commits (app.demo.rows_kept): no expiry refreshes the list.
    session = db.session()
    session.expire_on_commit = False
    try:
        assert task.signups == []
        mine = delivery_tasks.sign_up(volunteer, task)
        theirs = delivery_tasks.sign_up_partner(committee, task, partner_id=partner.id, people=1)
        assert task.signups == [mine, theirs]
    finally:
        session.expire_on_commit = True


def test_only_volunteers_sign_up(task, residents):
    with pytest.raises(DomainError, match="志愿者"):
        delivery_tasks.sign_up(residents[3], task)
    assert count(TaskSignup) == 0


def test_no_sign_up_to_a_past_task(task, volunteer):
    has_taken_place(task)
    with pytest.raises(DomainError, match="已经结束"):
        delivery_tasks.sign_up(volunteer, task)
    assert count(TaskSignup) == 0


def test_withdraw_before_the_task(task, volunteer):
    delivery_tasks.sign_up(volunteer, task)
    delivery_tasks.withdraw(volunteer, task)
    assert count(TaskSignup) == 0
    assert audited("partners.volunteer_withdrew")
    with pytest.raises(DomainError):
        delivery_tasks.withdraw(volunteer, task)


def test_partner_sign_up_counts_its_people(community, committee, task, partner, volunteer):
    with pytest.raises(DomainError, match="只剩 2 个名额"):
        delivery_tasks.sign_up_partner(committee, task, partner_id=partner.id, people=3)
    signup = delivery_tasks.sign_up_partner(committee, task, partner_id=partner.id, people=2)
    assert signup.status == SignupStatus.CONFIRMED and task.is_full
    with pytest.raises(DomainError, match="已经报名"):
        delivery_tasks.sign_up_partner(committee, task, partner_id=partner.id, people=1)
    with pytest.raises(DomainError, match="已满员"):
        delivery_tasks.sign_up(volunteer, task)


def test_partner_of_another_community_is_refused(task, committee, other_community, other_committee):
    stranger = services.save_partner(
        other_committee, other_community, kind="social_worker", name="外社区社工", description="", contact=""
    )
    with pytest.raises(FieldError) as refused:
        delivery_tasks.sign_up_partner(committee, task, partner_id=stranger.id, people=1)
    assert refused.value.field == "partner_id"


def test_confirm_then_log_hours_within_the_task_length(committee, task, volunteer):
    signup = delivery_tasks.sign_up(volunteer, task)
    with pytest.raises(DomainError, match="请先确认报名"):
        delivery_tasks.log_hours(committee, task, signup.id, hours="1")
    delivery_tasks.decide_signup(committee, task, signup.id, confirm=True)
    with pytest.raises(DomainError, match="已经处理过"):
        delivery_tasks.decide_signup(committee, task, signup.id, confirm=False)
    with pytest.raises(DomainError, match="任务结束后"):
        delivery_tasks.log_hours(committee, task, signup.id, hours="1")
    has_taken_place(task)
    for bad in ("3", "-1", "两小时", "", "0"):
        with pytest.raises(FieldError):
            delivery_tasks.log_hours(committee, task, signup.id, hours=bad)
    assert db.session.get(TaskSignup, signup.id).minutes is None
    delivery_tasks.log_hours(committee, task, signup.id, hours="2.5")
    delivery_tasks.log_hours(committee, task, signup.id, hours="２")  # a correction, full-width digits
    assert db.session.get(TaskSignup, signup.id).minutes == 120
    entries = audited("partners.hours_confirmed")
    assert [e.data["minutes"] for e in entries] == [150, 120]
    assert entries[1].data["previous_minutes"] == 150


def test_a_volunteers_confirmed_hours_of_the_year(committee, task, volunteer, community):
    signup = delivery_tasks.sign_up(volunteer, task)
    delivery_tasks.decide_signup(committee, task, signup.id, confirm=True)
    has_taken_place(task)
    delivery_tasks.log_hours(committee, task, signup.id, hours="1.5")
    mine = services.volunteer_of(volunteer, community)
    assert services.confirmed_minutes(mine, task.task_date.year) == 90
    assert services.confirmed_minutes(mine, task.task_date.year - 1) == 0
    this_year = services.confirmed_minutes(mine, clock.local_today().year)
    assert services.volunteering_of(volunteer) == {community.id: this_year}


def test_delivered_by_names_only_those_who_agreed(community, committee, task, partner, residents, volunteer):
    services.save_volunteer(residents[1], community, skills="", availability="", show_name=True)
    for person in (volunteer, residents[1]):
        signup = delivery_tasks.sign_up(person, task)
        delivery_tasks.decide_signup(committee, task, signup.id, confirm=True)
    delivered = who_delivered.delivered_by(task.record.matter)
    assert delivered.volunteers == 2 and delivered.tasks == 1
    assert delivered.named == [residents[1].display_name]
    assert delivered.partners == []


def test_year_figures(community, committee, task, partner, volunteer):
    delivery_tasks.sign_up_partner(committee, task, partner_id=partner.id, people=1)
    signup = delivery_tasks.sign_up(volunteer, task)
    delivery_tasks.decide_signup(committee, task, signup.id, confirm=True)
    has_taken_place(task)
    delivery_tasks.log_hours(committee, task, signup.id, hours="2")
    (row,) = who_delivered.year_figures(community, {task.task_date.year: 5000})
    assert (row.tasks, row.partners, row.volunteers, row.minutes, row.charity) == (1, 1, 1, 120, 5000)
