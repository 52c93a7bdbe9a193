"""Supports (附议): the threshold a matter needs to reach review, supporting and withdrawing a
support, and who supports a matter. Reaching the threshold moves the matter on by itself."""

from flask_babel import lazy_gettext as _l
from sqlalchemy import select, update
from sqlalchemy.orm import selectinload

from app.core import clock, version_cache
from app.core.service import insert_once, require
from app.extensions import db
from app.rules.services import current_ruleset, support_base

from .. import behalf, lifecycle, permissions
from ..lifecycle import Status
from ..models import MicroMatter, Support
from .common import atomic, audit, commit_change, matter_link, own_row

DEFAULT_THRESHOLD = 20


def support_threshold(community):
    """Supports a matter needs to reach review, under the rules in force now."""

    def threshold():
        ruleset = current_ruleset(community)
        if ruleset is None:  # every community gets rules when created; this only guards odd data
            return DEFAULT_THRESHOLD
        return ruleset.support_threshold(support_base(community).residents)  # the register, or the verified residents

    return version_cache.kept("support_threshold", community.slug, threshold)  # read on every matter page


def _change_support_count(matter, delta):
    # One UPDATE that adds to the stored number, so two supports at once both count.
    db.session.execute(
        update(MicroMatter)
        .where(MicroMatter.id == matter.id)
        .values(support_count=MicroMatter.support_count + delta)
        .execution_options(synchronize_session=False)
    )
    # Reload the row too (status, version): another supporter may have moved it meanwhile.
    db.session.refresh(matter)
    return matter.support_count


def check_threshold(matter, actor):
    """Reaching the threshold moves the matter to review; the software decides (system=True)."""
    if matter.status != Status.COLLECTING:
        return False
    threshold = support_threshold(matter.community)
    if matter.support_count >= threshold:
        lifecycle.apply(
            matter, "reach_threshold", actor, system=True, supports=matter.support_count, threshold=threshold
        )
        return True
    return False


ALREADY_SUPPORTED = _l("You have already supported this micro-matter.")


@atomic
def support(user, matter, *, entered_by=None, channel=None):
    """A verified resident of the community, not the proposer, supports once while it collects:
    themselves, or through a committee member or grid worker (`entered_by`, `channel`: app/onbehalf)."""
    require(
        matter.status == Status.COLLECTING,
        _l("Supports are only collected while the micro-matter is collecting supports."),
    )
    require(
        not permissions.is_proposer(user, matter),
        _l("You proposed this micro-matter, so you cannot support it yourself."),
    )
    require(
        permissions.is_verified_resident(user, matter.community),
        _l("Only verified residents of this community can support micro-matters."),
    )
    existing = own_row(Support, user, matter)
    require(existing is None, existing and behalf.duplicate(existing, user, entered_by, ALREADY_SUPPORTED))
    row = behalf.stamp(Support(matter_id=matter.id, user_id=user.id), entered_by, channel)
    insert_once(row, ALREADY_SUPPORTED)  # the same click twice at once
    count = _change_support_count(matter, +1)
    if matter.substance_frozen_at is None:
        matter.substance_frozen_at = clock.now()
    actor, on_behalf = behalf.actor_and_data(user, entered_by, channel)
    audit("matter.supported", matter, actor, matter, supports=count, **on_behalf)
    reached = check_threshold(matter, user)
    if entered_by is not None:
        behalf.tell("support", user, entered_by, channel, matter.title, matter_link(matter))
    commit_change(ALREADY_SUPPORTED)
    return reached


@atomic
def unsupport(user, matter):
    """Withdraw one's own support, only while supports are being collected."""
    row = own_row(Support, user, matter)
    require(row is not None, _l("You have not supported this micro-matter."))
    require(
        matter.status == Status.COLLECTING,
        _l("Supports can only be withdrawn while the micro-matter is collecting supports."),
    )
    db.session.delete(row)
    db.session.flush()
    count = _change_support_count(matter, -1)
    audit("matter.support_withdrawn", matter, user, matter, supports=count)
    commit_change()
    return matter


def supporters(matter):
    return db.session.scalars(
        select(Support).where(Support.matter_id == matter.id).options(selectinload(Support.user)).order_by(Support.id)
    ).all()
