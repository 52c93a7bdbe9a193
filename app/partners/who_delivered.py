"""Who delivered a decided matter (partners by name, volunteers counted, their confirmed hours), and
the same per year for the committee's dashboard."""

from dataclasses import dataclass, field

from sqlalchemy import extract, select
from sqlalchemy.orm import joinedload

from app.extensions import db

from . import rules
from .delivery_tasks import tasks_of_matter
from .models import DeliveryTask, SignupStatus, TaskSignup, Volunteer


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
