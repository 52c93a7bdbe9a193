"""The ordered list of substitutes (候补) the committee keeps: adding one at its end, removing one,
moving one up. Who steps in when a seat falls vacant is in services.py."""

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from app.audit.services import record
from app.communities.models import Role
from app.core.errors import FieldError
from app.core.service import commit, get_or_404, insert_once, require, rolls_back
from app.core.text import clean_plain
from app.councils.common import COUNCIL_ROLES
from app.extensions import db

from .models import Substitute
from .services import require_committee, substitutes, verified_member


@rolls_back
def add_substitute(actor, community, *, user_id, chosen_by=""):
    """A substitute joins the end of the list."""
    require_committee(actor, community)
    membership = verified_member(community, user_id)
    if membership.role in (*COUNCIL_ROLES, Role.COMMITTEE):
        raise FieldError("user_id", _l("A substitute must not be on the council or the committee."))
    last = db.session.scalar(select(func.max(Substitute.rank)).where(Substitute.community_id == community.id))
    substitute = Substitute(
        community_id=community.id,
        user_id=user_id,
        rank=(last or 0) + 1,
        chosen_by=clean_plain(chosen_by or ""),
        added_by_id=actor.id,
    )
    insert_once(substitute, _l("This person is already a substitute."))
    record("council_substitute.added", substitute, actor=actor, community=community, user_id=user_id)
    commit(_l("This person is already a substitute."))
    return substitute


def _substitute_kept_by(actor, community, substitute_id):
    """A substitute of the community, for the committee to remove or move (else a refusal, or 404)."""
    require_committee(actor, community)
    return get_or_404(Substitute, substitute_id, community_id=community.id)


@rolls_back
def remove_substitute(actor, community, substitute_id):
    substitute = _substitute_kept_by(actor, community, substitute_id)
    record("council_substitute.removed", substitute, actor=actor, community=community, user_id=substitute.user_id)
    db.session.delete(substitute)
    commit()
    return substitute


@rolls_back
def move_up(actor, community, substitute_id):
    """Swap a substitute with the one before them."""
    substitute = _substitute_kept_by(actor, community, substitute_id)
    line = list(substitutes(community))
    place = line.index(substitute)
    require(place > 0, _l("This substitute is already first."))
    before = line[place - 1]
    substitute.rank, before.rank = before.rank, substitute.rank
    if substitute.rank == before.rank:  # equal ranks (never made here): make the order explicit
        substitute.rank -= 1
    record("council_substitute.moved_up", substitute, actor=actor, community=community, user_id=substitute.user_id)
    commit()
    return substitute
