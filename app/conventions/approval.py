"""The council's adopted amendments waiting for the residents, and how the rules in force say the
residents approve them: a residents' assembly (residents_assembly.py) or a yes/no round
(ballot.py)."""

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from app.core.service import require
from app.extensions import db
from app.rules.services import current_ruleset

from . import permissions
from .models import Amendment, AmendmentStatus, ResidentsAssembly

ONE_PENDING = _l("An entry of the assembly already waits for confirmation: it is confirmed or rejected first.")


def awaiting_residents(convention):
    return db.session.scalars(
        select(Amendment)
        .where(Amendment.convention_id == convention.id, Amendment.status == AmendmentStatus.ADOPTED)
        .order_by(Amendment.article_number, Amendment.id)
    ).all()


def approval_mode(community):
    """How the rules in force say the residents approve adopted amendments (ConventionApproval)."""
    return current_ruleset(community).convention_approval


def pending_assembly(convention):
    return db.session.scalar(
        select(ResidentsAssembly).where(
            ResidentsAssembly.convention_id == convention.id, ResidentsAssembly.pending.is_(True)
        )
    )


def to_approve(actor, convention, mode, not_keeper, other_mode):
    """The council's adopted amendments the committee puts to the residents by `mode` (an assembly's
    entry or a round); refused to anyone but the committee (`not_keeper`), when the rules in force
    say the other mode (`other_mode`), while an entry waits for its second person, or when there are
    none."""
    community = convention.community
    require(permissions.can_keep(actor, community), not_keeper)
    require(approval_mode(community) == mode, other_mode)
    require(pending_assembly(convention) is None, ONE_PENDING)
    adopted = awaiting_residents(convention)
    require(adopted, _l("No amendment adopted by the council is waiting for the residents."))
    return adopted
