"""Partners, volunteers and delivery tasks: reading them, and every change (checked, audited,
committed here; a refusal writes nothing)."""

from dataclasses import dataclass, field
from datetime import date

from flask_babel import lazy_gettext as _l
from sqlalchemy import extract, func, select
from sqlalchemy.orm import joinedload

from app.audit.services import record as audit
from app.communities.models import Role
from app.communities.permissions import verified_members
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
from .models import DeliveryTask, Partner, PartnerKind, SignupStatus, TaskSignup, Volunteer

MAX_PEOPLE = 500
HOURS_MESSAGES = {
    "missing": _l("Please give the number of hours."),
    "not_a_number": _l("Please give the hours as a number, for example 2 or 1.5."),
    "negative": _l("Hours cannot be negative."),
    "zero": _l("Please give more than 0 hours."),
    "precision": _l("At most one decimal, please (0.1 hour is six minutes)."),
}


# ---------------------------------------------------------------- reading


def partners_of(community):
    return db.session.scalars(
        select(Partner).where(Partner.community_id == community.id).order_by(Partner.kind, Partner.name)
    ).all()


def get_partner(community, partner_id):
    return get_or_404(Partner, partner_id, community_id=community.id)


def volunteer_of(user, community):
    if not getattr(user, "is_authenticated", False):
        return None
    return db.session.scalar(
        select(Volunteer).where(Volunteer.community_id == community.id, Volunteer.user_id == user.id)
    )


def volunteers_count(community):
    return db.session.scalar(select(func.count(Volunteer.id)).where(Volunteer.community_id == community.id))


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


def confirmed_minutes(volunteer, year):
    """The volunteer's confirmed service time (志愿服务时长) on tasks of `year`."""
    if volunteer is None:
        return 0
    return int(
        db.session.scalar(
            select(func.coalesce(func.sum(TaskSignup.minutes), 0))
            .join(DeliveryTask, DeliveryTask.id == TaskSignup.task_id)
            .where(
                TaskSignup.volunteer_id == volunteer.id,
                TaskSignup.status == SignupStatus.CONFIRMED,
                extract("year", DeliveryTask.task_date) == year,
            )
        )
        or 0
    )


def volunteering_of(user):
    """{community id: confirmed minutes this year} of each community the user volunteers in."""
    if not getattr(user, "is_authenticated", False):
        return {}
    year = clock.local_today().year
    volunteers = db.session.scalars(select(Volunteer).where(Volunteer.user_id == user.id))
    return {v.community_id: confirmed_minutes(v, year) for v in volunteers}


@dataclass
class Delivered:
    """Who delivered a matter: partners by name, volunteers counted (named only if they agreed)."""

    tasks: int = 0
    partners: list = field(default_factory=list)  # Partner rows, confirmed on a task
    volunteers: int = 0
    named: list = field(default_factory=list)  # display names of volunteers who agreed to be named
    minutes: int = 0

    @property
    def hours(self):
        return rules.hours_text(self.minutes)

    def __bool__(self):
        return bool(self.tasks)


def delivered_by(matter):
    return delivered_on(tasks_of_matter(matter))


def delivered_on(tasks):
    if not tasks:
        return Delivered(tasks=0)
    return _tally(Delivered(tasks=len(tasks)), _confirmed_signups(tasks))


def delivered_per_task(tasks):
    """{task id: what that task alone delivered} for many tasks in one statement (the open data's list)."""
    confirmed = {task.id: [] for task in tasks}
    for signup in _confirmed_signups(tasks) if tasks else ():
        confirmed[signup.task_id].append(signup)
    return {task.id: _tally(Delivered(tasks=1), confirmed[task.id]) for task in tasks}


def _confirmed_signups(tasks):
    return db.session.scalars(
        select(TaskSignup)
        .where(TaskSignup.task_id.in_([t.id for t in tasks]), TaskSignup.status == SignupStatus.CONFIRMED)
        .order_by(TaskSignup.id)
        .options(joinedload(TaskSignup.partner), joinedload(TaskSignup.volunteer).joinedload(Volunteer.user))
    ).all()


def _tally(result, confirmed):
    partners, volunteers = {}, {}
    for signup in confirmed:
        if signup.partner is not None:
            partners[signup.partner.id] = signup.partner
        else:
            volunteers[signup.volunteer_id] = signup.volunteer
            result.minutes += signup.minutes or 0
    result.partners = sorted(partners.values(), key=lambda p: p.name)
    result.volunteers = len(volunteers)
    result.named = sorted(v.user.display_name for v in volunteers.values() if v.show_name)
    return result


def year_figures(community, charity=None):
    """The committee dashboard's rows: tasks, partners, volunteers, hours and charity money per year."""
    year = extract("year", DeliveryTask.task_date)
    base = select(year).where(DeliveryTask.community_id == community.id)
    confirmed = (
        select(year, TaskSignup.partner_id, TaskSignup.volunteer_id, TaskSignup.minutes)
        .join(DeliveryTask, DeliveryTask.id == TaskSignup.task_id)
        .where(DeliveryTask.community_id == community.id, TaskSignup.status == SignupStatus.CONFIRMED)
    )
    rows = db.session.execute(confirmed).all()
    return rules.figures_by_year(
        [int(y) for y in db.session.scalars(base)],
        [(int(y), p) for y, p, _v, _m in rows if p is not None],
        [(int(y), v, m) for y, _p, v, m in rows if v is not None],
        charity,
    )


def task_url(task, _anchor=None):
    return path_for("partners.task", slug=task.community.slug, task_id=task.id, _anchor=_anchor)


# ---------------------------------------------------------------- helpers


def _minutes(value, name, limit, too_long):
    try:
        return rules.parse_hours(value, limit)
    except rules.HoursError as error:
        raise FieldError(name, too_long if error.reason == "too_long" else HOURS_MESSAGES[error.reason]) from None


def _people(value, name):
    if not isinstance(value, int) or isinstance(value, bool) or not 1 <= value <= MAX_PEOPLE:
        raise FieldError(name, _l("Please give a whole number from 1 to %(n)s.", n=MAX_PEOPLE))
    return value


def _require_committee(actor, community):
    require(
        permissions.can_manage_partners(actor, community),
        _l("Only committee members of this community can do this."),
    )


def _audit(action, obj, actor, community, **data):
    audit(action, obj, actor=actor, community=community, **data)


def _not_past(task, message):
    require(task.task_date >= clock.local_today(), message)


def _signup(task, signup_id):
    return get_or_404(TaskSignup, signup_id, task_id=task.id)


# ---------------------------------------------------------------- partners


@rolls_back
def save_partner(actor, community, partner=None, *, kind, name, description, contact):
    """Add a partner (partner=None) or change one; the committee only."""
    _require_committee(actor, community)
    if kind not in set(PartnerKind):
        raise FieldError("kind", _l("Please choose a kind of partner."))
    name = checked_text(name, "name", 80, _l("Please give the partner's name."))
    description = checked_text(description, "description", 2000)
    contact = checked_text(contact, "contact", 120)
    taken = db.session.scalar(select(Partner.id).where(Partner.community_id == community.id, Partner.name == name))
    if taken is not None and (partner is None or taken != partner.id):
        raise FieldError("name", _l("This community already has a partner of this name."))
    if partner is None:
        partner = Partner(community_id=community.id, created_by_id=actor.id)
        db.session.add(partner)
        action = "partners.partner_added"
    else:
        action = "partners.partner_changed"
    partner.kind, partner.name, partner.description, partner.contact = kind, name, description, contact
    _audit(action, partner, actor, community, kind=kind, name=name)
    commit(_l("This community already has a partner of this name."))
    return partner


# ---------------------------------------------------------------- volunteers


@rolls_back
def save_volunteer(user, community, *, skills, availability, show_name):
    """Sign up as a volunteer of the community, or change what one offers."""
    require(
        permissions.can_volunteer(user, community),
        _l("Only verified members of this community can sign up as volunteers."),
    )
    skills = checked_text(skills, "skills", 200)
    availability = checked_text(availability, "availability", 200)
    volunteer = volunteer_of(user, community)
    action = "partners.volunteer_changed"
    if volunteer is None:
        volunteer = insert_once(
            Volunteer(community_id=community.id, user_id=user.id), _l("You are already a volunteer here.")
        )
        action = "partners.volunteer_joined"
    volunteer.skills, volunteer.availability, volunteer.show_name = skills, availability, bool(show_name)
    _audit(action, volunteer, user, community, show_name=volunteer.show_name)
    commit(_l("You are already a volunteer here."))
    return volunteer


# ---------------------------------------------------------------- tasks


@rolls_back
def add_task(actor, matter, *, title, people_needed, task_date, hours):
    community = matter.community
    _require_committee(actor, community)
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
    _audit(
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
    _audit("partners.volunteer_signed_up", signup, user, community, task_id=task.id)
    notify(
        [m.user for m in verified_members(community, roles=[Role.COMMITTEE])],
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
    _audit("partners.volunteer_withdrew", signup, user, task.community, task_id=task.id, status=signup.status)
    db.session.delete(signup)
    commit()


@rolls_back
def sign_up_partner(actor, task, *, partner_id, people):
    """The committee signs a partner up for a task, with the people it sends (confirmed at once)."""
    community = task.community
    _require_committee(actor, community)
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
    _audit("partners.partner_signed_up", signup, actor, community, task_id=task.id, partner=partner.name, people=people)
    commit(_l("This partner has already signed up for this task."))
    return signup


@rolls_back
def decide_signup(actor, task, signup_id, *, confirm):
    """The committee confirms a pending sign-up, or declines it (its place is free again)."""
    _require_committee(actor, task.community)
    signup = _signup(task, signup_id)
    require(signup.status == SignupStatus.PENDING, _l("This sign-up has already been decided."))
    signup.status = SignupStatus.CONFIRMED if confirm else SignupStatus.DECLINED
    signup.decided_by_id, signup.decided_at = actor.id, clock.now()
    _audit("partners.signup_decided", signup, actor, task.community, task_id=task.id, status=str(signup.status))
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
    _require_committee(actor, task.community)
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
    _audit(
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
