"""Delivery tasks of a decided matter and their sign-ups: the committee adds tasks, volunteers sign
up or withdraw, the committee signs partners up, decides sign-ups and logs volunteers' hours
(checked, audited, committed here; a refusal writes nothing)."""

from datetime import date

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from app.communities.services import committee_of
from app.core import clock
from app.core.errors import FieldError
from app.core.i18n import N_
from app.core.params import in_date_range
from app.core.service import commit, get_or_404, get_row, insert_once, require, rolls_back
from app.core.text import checked_text
from app.core.urls import path_for
from app.extensions import db
from app.notifications.services import notify
from app.tracker.records import record_for_matter

from . import permissions, rules
from .models import DeliveryTask, Partner, SignupStatus, TaskSignup
from .services import audit, require_committee, volunteer_of

MAX_PEOPLE = 500
HOURS_MESSAGES = {
    "missing": _l("Please give the number of hours."),
    "not_a_number": _l("Please give the hours as a number, for example 2 or 1.5."),
    "negative": _l("Hours cannot be negative."),
    "zero": _l("Please give more than 0 hours."),
    "precision": _l("At most one decimal, please (0.1 hour is six minutes)."),
}


def get_task(community, task_id):
    return get_or_404(DeliveryTask, task_id, community_id=community.id)


def tasks_of_record(record):
    if record is None:
        return []
    return db.session.scalars(
        select(DeliveryTask)
        .where(DeliveryTask.record_id == record.id)
        .order_by(DeliveryTask.task_date, DeliveryTask.id)
    ).all()


def tasks_of_matter(matter):
    return tasks_of_record(record_for_matter(matter))


def upcoming_tasks(community, today=None):
    """Tasks from today on, soonest first: what a volunteer can still sign up for."""
    return db.session.scalars(
        select(DeliveryTask)
        .where(DeliveryTask.community_id == community.id, DeliveryTask.task_date >= (today or clock.local_today()))
        .order_by(DeliveryTask.task_date, DeliveryTask.id)
    ).all()


def signups_of(volunteer):
    if volunteer is None:
        return []
    return db.session.scalars(
        select(TaskSignup)
        .join(DeliveryTask, DeliveryTask.id == TaskSignup.task_id)
        .where(TaskSignup.volunteer_id == volunteer.id)
        .order_by(DeliveryTask.task_date.desc(), TaskSignup.id.desc())
    ).all()


def signup_of(volunteer, task):
    if volunteer is None:
        return None
    return db.session.scalar(
        select(TaskSignup).where(TaskSignup.task_id == task.id, TaskSignup.volunteer_id == volunteer.id)
    )


def task_url(task, _anchor=None):
    return path_for("partners.task", slug=task.community.slug, task_id=task.id, _anchor=_anchor)


def _minutes(value, name, limit, too_long):
    try:
        return rules.parse_hours(value, limit)
    except rules.HoursError as error:
        raise FieldError(name, too_long if error.reason == "too_long" else HOURS_MESSAGES[error.reason]) from None


def _people(value, name):
    if not isinstance(value, int) or isinstance(value, bool) or not 1 <= value <= MAX_PEOPLE:
        raise FieldError(name, _l("Please give a whole number from 1 to %(n)s.", n=MAX_PEOPLE))
    return value


def _not_past(task, message):
    require(task.task_date >= clock.local_today(), message)


def _signup(task, signup_id):
    return get_or_404(TaskSignup, signup_id, task_id=task.id)


@rolls_back
def add_task(actor, matter, *, title, people_needed, task_date, hours):
    community = matter.community
    require_committee(actor, community)
    require(
        permissions.is_decided(matter),
        _l("Delivery tasks can only be added once the micro-matter is decided (approved)."),
    )
    record = record_for_matter(matter)
    require(record is not None, _l("This micro-matter has no implementation record yet."))
    title = checked_text(title, "title", 80, _l("Please say what the task is."))
    people_needed = _people(people_needed, "people_needed")
    if not isinstance(task_date, date) or not in_date_range(task_date):
        raise FieldError("task_date", _l("Please give a valid date."))
    if task_date < clock.local_today():
        raise FieldError("task_date", _l("A new task cannot be in the past."))
    minutes = _minutes(
        hours, "hours", rules.MAX_TASK_MINUTES, _l("A task lasts at most 24 hours; split longer work into tasks.")
    )
    task = DeliveryTask(
        community_id=community.id,
        record_id=record.id,
        title=title,
        people_needed=people_needed,
        task_date=task_date,
        length_minutes=minutes,
        created_by_id=actor.id,
    )
    db.session.add(task)
    audit(
        "partners.task_added",
        task,
        actor,
        community,
        matter_id=matter.id,
        record_id=record.id,
        title=title,
        people_needed=people_needed,
        task_date=task_date.isoformat(),
        minutes=minutes,
    )
    commit()
    return task


def _require_open(task, people=1):
    # Two people taking the last place at once: the second waits for the first (PostgreSQL row
    # lock; SQLite writers already queue) and then counts the places again.
    db.session.execute(select(DeliveryTask.id).where(DeliveryTask.id == task.id).with_for_update())
    db.session.expire(task, ["signups"])
    _not_past(task, _l("This task has already taken place; sign-ups are closed."))
    free = task.people_needed - task.places_taken
    require(free > 0, _l("This task is full: every place is taken."))
    require(people <= free, _l("Only %(n)s places are left on this task.", n=free))


def _add_signup(task, duplicate, **columns):
    """A new sign-up for the task, refused with `duplicate` when there is one already. Added by the
    relationship, so that a task.signups already read (the demo keeps its rows) lists it too."""
    return insert_once(TaskSignup(task=task, **columns), duplicate)


@rolls_back
def sign_up(user, task):
    """A volunteer signs up for a task; the committee confirms."""
    community = task.community
    volunteer = volunteer_of(user, community)
    require(
        volunteer is not None and permissions.can_volunteer(user, community),
        _l("Sign up as a volunteer of this community first."),
    )
    require(signup_of(volunteer, task) is None, _l("You have already signed up for this task."))
    _require_open(task)
    signup = _add_signup(
        task, _l("You have already signed up for this task."), volunteer_id=volunteer.id, created_by_id=user.id
    )
    audit("partners.volunteer_signed_up", signup, user, community, task_id=task.id)
    notify(
        committee_of(community),
        N_("A volunteer signed up for the task “%(task)s”."),
        task_url(task, "signups"),
        exclude=user,
        task=task.title,
    )
    commit(_l("You have already signed up for this task."))
    return signup


@rolls_back
def withdraw(user, task):
    """A volunteer takes back a sign-up before the task (not once hours are logged)."""
    signup = signup_of(volunteer_of(user, task.community), task)
    require(signup is not None, _l("You have not signed up for this task."))
    _not_past(task, _l("This task has already taken place."))
    audit("partners.volunteer_withdrew", signup, user, task.community, task_id=task.id, status=signup.status)
    db.session.delete(signup)
    commit()


@rolls_back
def sign_up_partner(actor, task, *, partner_id, people):
    """The committee signs a partner up for a task, with the people it sends (confirmed at once)."""
    community = task.community
    require_committee(actor, community)
    partner = get_row(Partner, partner_id)
    if partner is None or partner.community_id != community.id:
        raise FieldError("partner_id", _l("Please choose a partner of this community."))
    people = _people(people, "people")
    already = db.session.scalar(
        select(TaskSignup.id).where(TaskSignup.task_id == task.id, TaskSignup.partner_id == partner.id)
    )
    require(already is None, _l("This partner has already signed up for this task."))
    _require_open(task, people)
    now = clock.now()
    signup = _add_signup(
        task,
        _l("This partner has already signed up for this task."),
        partner_id=partner.id,
        people=people,
        status=SignupStatus.CONFIRMED,
        created_by_id=actor.id,
        decided_by_id=actor.id,
        decided_at=now,
    )
    audit("partners.partner_signed_up", signup, actor, community, task_id=task.id, partner=partner.name, people=people)
    commit(_l("This partner has already signed up for this task."))
    return signup


@rolls_back
def decide_signup(actor, task, signup_id, *, confirm):
    """The committee confirms a pending sign-up, or declines it (its place is free again)."""
    require_committee(actor, task.community)
    signup = _signup(task, signup_id)
    require(signup.status == SignupStatus.PENDING, _l("This sign-up has already been decided."))
    signup.status = SignupStatus.CONFIRMED if confirm else SignupStatus.DECLINED
    signup.decided_by_id, signup.decided_at = actor.id, clock.now()
    audit("partners.signup_decided", signup, actor, task.community, task_id=task.id, status=str(signup.status))
    if signup.volunteer is not None:
        message = (
            N_("Your sign-up for the task “%(task)s” was confirmed.")
            if confirm
            else N_("Your sign-up for the task “%(task)s” was declined.")
        )
        notify(
            [signup.volunteer.user], message, path_for("partners.volunteer", slug=task.community.slug), task=task.title
        )
    commit()
    return signup


@rolls_back
def log_hours(actor, task, signup_id, *, hours):
    """After the task the committee logs and confirms a volunteer's service time (志愿服务时长),
    at most the task's length; a second entry corrects the first (both in the audit log)."""
    require_committee(actor, task.community)
    signup = _signup(task, signup_id)
    require(signup.volunteer_id is not None, _l("Hours are logged for volunteers."))
    require(signup.status == SignupStatus.CONFIRMED, _l("Confirm the sign-up before logging hours."))
    require(task.task_date <= clock.local_today(), _l("Hours can be logged once the task has taken place."))
    minutes = _minutes(
        hours,
        "hours",
        task.length_minutes,
        _l("At most the task's length: %(hours)s hours.", hours=rules.hours_text(task.length_minutes)),
    )
    previous = signup.minutes
    signup.minutes, signup.hours_confirmed_by_id, signup.hours_confirmed_at = minutes, actor.id, clock.now()
    audit(
        "partners.hours_confirmed",
        signup,
        actor,
        task.community,
        task_id=task.id,
        minutes=minutes,
        previous_minutes=previous,
    )
    notify(
        [signup.volunteer.user],
        N_("%(hours)s hours of volunteer service on “%(task)s” were confirmed."),
        path_for("partners.volunteer", slug=task.community.slug),
        task=task.title,
        hours=rules.hours_text(minutes),
    )
    commit()
    return signup
