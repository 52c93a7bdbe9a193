"""The electorate of a voting round, fixed when it opens.

The register of eligible voters at the opening (verified residents, or households with such a
resident in rounds with one ballot per household) is written down as RoundElector rows, once:
by open_round when the round opens at once, otherwise by the first cast, in-person mark or
count after the opening (`fix`). A snapshot written later still reads the register as it stood
at the opening: a resident counts only if verified by then (Membership.decided_at; rows
without a date predate the round) and a household only with such a member who joined it by then.
A round set up with an opening time already past opens when it is set up (`opened_at`).
So residents verified during a round vote in the next one, and the turnout base does not move.

Only POST requests and CLI commands write (they hold the write lock from their first statement);
a page that merely shows eligibility reads the same definition without writing (`is_elector`).
"""

from flask_babel import format_datetime
from flask_babel import lazy_gettext as _l
from sqlalchemy import String, cast, func, insert, literal, or_, select, update

from app.communities.models import Membership, MembershipStatus
from app.core import clock
from app.core.errors import DomainError
from app.extensions import db

from .models import HouseholdMember, RoundElector, VotingRound


def opened_at(voting_round):
    """When the round opened: its opening time, or when it was set up if that time was already past."""
    return max(voting_round.opens_at, voting_round.created_at or voting_round.opens_at)


def _verified_at_opening(voting_round):
    return select(Membership.user_id).where(
        Membership.community_id == voting_round.community_id,
        Membership.status == MembershipStatus.VERIFIED,
        or_(Membership.decided_at.is_(None), Membership.decided_at <= opened_at(voting_round)),
    )


def _keys_at_opening(voting_round):
    """A SELECT of the voter keys eligible at the opening (one column, `voter_key`)."""
    verified = _verified_at_opening(voting_round)
    if voting_round.per_household:
        return (
            select((literal("h:") + cast(HouseholdMember.household_id, String)).label("voter_key"))
            .where(
                HouseholdMember.community_id == voting_round.community_id,
                HouseholdMember.user_id.in_(verified),
                HouseholdMember.created_at <= opened_at(voting_round),
            )
            .distinct()
        )
    return select((literal("u:") + cast(Membership.user_id, String)).label("voter_key")).where(
        Membership.user_id.in_(verified), Membership.community_id == voting_round.community_id
    )


def fix(voting_round, now=None):
    """Write the electorate down if the round has opened and it is not written yet (idempotent).
    No commit: it joins the caller's transaction."""
    now = now or clock.now()
    if voting_round.electorate_fixed_at is not None or now < voting_round.opens_at:
        return
    # Compare-and-set: of two transactions, only the one that sets the time writes the rows.
    claimed = db.session.execute(
        update(VotingRound)
        .where(VotingRound.id == voting_round.id, VotingRound.electorate_fixed_at.is_(None))
        .values(electorate_fixed_at=now)
        .execution_options(synchronize_session=False)
    )
    if claimed.rowcount == 1:
        keys = _keys_at_opening(voting_round).subquery()
        db.session.execute(
            insert(RoundElector).from_select(
                ["round_id", "voter_key"], select(literal(voting_round.id), keys.c.voter_key)
            )
        )
    db.session.refresh(voting_round, ["electorate_fixed_at"])


def is_elector(voting_round, key):
    if voting_round.electorate_fixed_at is not None:
        return (
            db.session.scalar(
                select(RoundElector.id).where(RoundElector.round_id == voting_round.id, RoundElector.voter_key == key)
            )
            is not None
        )
    keys = _keys_at_opening(voting_round).subquery()
    return db.session.scalar(select(keys.c.voter_key).where(keys.c.voter_key == key).limit(1)) is not None


def check(voting_round, membership, key, on_register=None):
    """Raise DomainError unless this verified resident, voting as `key`, is on the round's electorate
    (`on_register`: whether is_elector said so, when the caller has asked already)."""
    if membership.decided_at is not None and membership.decided_at > opened_at(voting_round):
        raise DomainError(
            _l(
                "You were verified after this round opened (%(opened)s), so you are not on its "
                "register of voters: you can vote in the next round.",
                opened=format_datetime(opened_at(voting_round), "short"),
            )
        )
    if not (is_elector(voting_round, key) if on_register is None else on_register):
        if voting_round.per_household:
            raise DomainError(
                _l(
                    "Your household was not on the register when this round opened, so it cannot "
                    "vote in this round: it can vote in the next one."
                )
            )
        raise DomainError(
            _l("You were not on the register of voters when this round opened: you can vote in the next round.")
        )


def size(voting_round):
    """The turnout base: the number of voters on the electorate (call fix first)."""
    return db.session.scalar(select(func.count(RoundElector.id)).where(RoundElector.round_id == voting_round.id))
