"""Partners and volunteers: reading them and changing them (checked, audited, committed here; a
refusal writes nothing). Delivery tasks and sign-ups are in delivery_tasks.py, who delivered a
matter in who_delivered.py."""

from flask_babel import lazy_gettext as _l
from sqlalchemy import extract, func, select

from app.audit.services import record
from app.core import clock
from app.core.errors import FieldError
from app.core.service import commit, get_or_404, insert_once, require, rolls_back
from app.core.text import checked_text
from app.extensions import db

from . import permissions
from .models import DeliveryTask, Partner, PartnerKind, SignupStatus, TaskSignup, Volunteer


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


def require_committee(actor, community):
    require(
        permissions.can_manage_partners(actor, community),
        _l("Only committee members of this community can do this."),
    )


def audit(action, obj, actor, community, **data):
    record(action, obj, actor=actor, community=community, **data)


@rolls_back
def save_partner(actor, community, partner=None, *, kind, name, description, contact):
    """Add a partner (partner=None) or change one; the committee only."""
    require_committee(actor, community)
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
    audit(action, partner, actor, community, kind=kind, name=name)
    commit(_l("This community already has a partner of this name."))
    return partner


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
    audit(action, volunteer, user, community, show_name=volunteer.show_name)
    commit(_l("You are already a volunteer here."))
    return volunteer
