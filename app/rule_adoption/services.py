"""The residents' yes/no round on a rule change (when the rules in force say a rule change needs
them): the committee puts the version the council adopted to the residents; the round's count,
under the resident majority and minimum turnout of the rules in force when it opened, puts it in
force or leaves it not approved. The round itself is voting's (ballot.py plugs the version in)."""

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from app.audit.services import record
from app.core import clock
from app.core.service import require
from app.extensions import db
from app.rules.models import RuleSet, RuleStatus
from app.rules.permissions import can_edit_rules
from app.rules.services import pending_draft
from app.voting import rounds

OPTION_KIND = "rule_change"  # voting.option_kinds: a round whose one option is a version of the rules
NOT_AWAITING = _l("No version of the rules adopted by the council is waiting for the residents.")


def awaiting_residents(community):
    """The version the council adopted that waits for the residents' round, or None."""
    waiting = pending_draft(community)
    return waiting if waiting is not None and waiting.status == RuleStatus.AWAITING_RESIDENTS else None


def ballot_title(ruleset):
    return _("Consultation rules, version %(version)s", version=ruleset.version)[:80]


def open_round(actor, community, *, opens_at, closes_at, per_household=False):
    """The committee puts the adopted version to the residents: a yes/no round with one option,
    opened, audited and announced to the residents by voting (rounds.open_yes_no)."""
    require(can_edit_rules(actor, community), _l("Only the committee puts a rule change to the residents."))
    ruleset = awaiting_residents(community)
    require(ruleset is not None, NOT_AWAITING)
    return rounds.open_yes_no(
        actor,
        community,
        OPTION_KIND,
        [ruleset.id],
        title=_("Residents' approval of the consultation rules, version %(version)s", version=ruleset.version),
        description=_(
            "The council adopted a new version of the consultation rules; the rules in force say the residents "
            "approve it too. Vote yes or no. It comes into force if the residents approve it by the majority and "
            "the turnout the rules require; otherwise the rules in force stay as they are."
        ),
        opens_at=opens_at,
        closes_at=closes_at,
        per_household=per_household,
    )


def latest_round(ruleset):
    """The round the version was put to, or None."""
    return rounds.latest_on(OPTION_KIND, ruleset.id)


def _round_ruleset(voting_round):
    [option] = voting_round.options
    return db.session.get(RuleSet, option.subject_id)


def _audit(action, ruleset, actor, voting_round, **data):
    record(
        action,
        ruleset,
        actor=actor,
        community=ruleset.community_id,
        version=ruleset.version,
        round_id=voting_round.id,
        **data,
    )


def put_to_vote(voting_round, actor):
    """The round is opened (inside its transaction): the version is in the residents' vote."""
    ruleset = _round_ruleset(voting_round)
    ruleset.status = RuleStatus.IN_VOTE
    ruleset.decided_round_id = voting_round.id  # the round that decides it, shown while it runs
    _audit("rules.version_put_to_residents", ruleset, actor, voting_round)


def round_counted(voting_round, outcome, actor):
    """The round is counted (inside the count's transaction). Approved by the resident majority
    with the minimum turnout: the version is in force from now on and records the round. Not
    approved, or the turnout too low: it is not approved, and the rules in force stay."""
    ruleset = _round_ruleset(voting_round)
    if ruleset is None or ruleset.status != RuleStatus.IN_VOTE:
        return
    approved = outcome.valid and 1 in set(outcome.winners)
    ruleset.status = RuleStatus.ADOPTED if approved else RuleStatus.NOT_APPROVED
    ruleset.decided_round_at = clock.now()
    _audit(
        "rules.version_approved_by_residents" if approved else "rules.version_not_approved_by_residents",
        ruleset,
        actor,
        voting_round,
        valid=outcome.valid,
    )
