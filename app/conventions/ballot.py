"""The residents' yes/no round on the council's adopted amendments (when the rules say so): the
committee opens it, one option per amendment, and its count approves each amendment or not; the
amendments as options are voting's extension point (voting.option_kinds). The round itself
(ballots, secrecy, receipts, paper sessions, the count) is voting's, unchanged."""

from flask import url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from app.core import clock
from app.core.errors import DomainError
from app.core.service import get_row
from app.extensions import db
from app.rules.choices import ConventionApproval
from app.voting import rounds
from app.voting.option_kinds import OptionKind

from .approval import to_approve
from .models import Amendment, AmendmentKind, AmendmentStatus
from .services import SUBJECT_KIND, audit, incorporate, set_status


def ballot_title(amendment):
    """An amendment as an option of the residents' round (at most 80 characters)."""
    return _(
        "Amendment %(id)s, article %(number)s: %(kind)s",
        id=amendment.id,
        number=amendment.article_number,
        kind=AmendmentKind.label_of(amendment.kind),
    )[:80]


def open_approval_round(actor, convention, *, opens_at, closes_at, per_household=False):
    """The committee puts the council's adopted amendments to the residents in a yes/no round (when
    the rules say so): one option per amendment, each approved or not by the rule set's resident
    majority when the round is counted (round_counted)."""
    adopted = to_approve(
        actor,
        convention,
        ConventionApproval.ROUND,
        _l("Only the committee opens the residents' round."),
        _l("Under the rules in force a residents' assembly approves the amendments, not a round."),
    )
    return rounds.open_yes_no(
        actor,
        convention.community,
        SUBJECT_KIND,
        [a.id for a in adopted],
        title=_("Residents' approval of amendments to the %(title)s", title=convention.title),
        description=_(
            "Vote yes or no on each amendment adopted by the council. Each one the residents approve "
            "by the majority the rules require goes into the next version of the convention."
        ),
        opens_at=opens_at,
        closes_at=closes_at,
        per_household=per_household,
    )


def round_amendments(voting_round):
    """{option number: amendment} of a round on amendments."""
    numbers = {o.subject_id: o.number for o in voting_round.options}
    rows = db.session.scalars(select(Amendment).where(Amendment.id.in_(list(numbers))))
    return {numbers[a.id]: a for a in rows}


def latest_round(amendment):
    """The last round the amendment was put to, or None."""
    return rounds.latest_on(SUBJECT_KIND, amendment.id)


def put_to_vote(voting_round, actor):
    """The round is opened (inside its transaction): its amendments are in the residents' vote."""
    for amendment in round_amendments(voting_round).values():
        set_status(amendment, AmendmentStatus.IN_VOTE)
        audit("amendment.put_to_vote", amendment, actor, amendment.convention, round_id=voting_round.id)


def round_counted(voting_round, outcome, actor):
    """The round is counted (inside the count's transaction). Each amendment the residents
    approved by the rule set's majority goes into the next version, which records the round; the
    others are not approved. A round that is not valid (turnout) decides nothing: its amendments
    wait for the residents again."""
    waiting = {n: a for n, a in round_amendments(voting_round).items() if a.status == AmendmentStatus.IN_VOTE}
    if not waiting:
        return
    convention = next(iter(waiting.values())).convention
    if not outcome.valid:
        for amendment in waiting.values():
            set_status(amendment, AmendmentStatus.ADOPTED)
        audit(
            "convention.round_not_valid", voting_round, actor, convention, amendments=[a.id for a in waiting.values()]
        )
        return
    winners = set(outcome.winners)
    approved = sorted((a for n, a in waiting.items() if n in winners), key=lambda a: (a.article_number, a.id))
    for number, amendment in waiting.items():
        if number not in winners:
            set_status(amendment, AmendmentStatus.NOT_APPROVED)
    audit(
        "convention.round_counted",
        voting_round,
        actor,
        convention,
        approved=[a.id for a in approved],
        not_approved=sorted(a.id for n, a in waiting.items() if n not in winners),
    )
    if approved:
        incorporate(actor, convention, approved, clock.local_today(), voting_round=voting_round)


class AmendmentOptions(OptionKind):
    def ballot_title(self, community, subject_id):
        amendment = get_row(Amendment, subject_id)
        if (
            amendment is None
            or amendment.convention.community_id != community.id
            or amendment.status != AmendmentStatus.ADOPTED
        ):
            raise DomainError(_l("Only amendments the council adopted and the residents have not voted on yet."))
        return ballot_title(amendment)

    def url(self, option):
        amendment = db.session.get(Amendment, option.subject_id)
        return url_for("conventions.amendment", slug=amendment.convention.community.slug, amendment_id=amendment.id)

    def opened(self, voting_round, actor):
        put_to_vote(voting_round, actor)

    def counted(self, voting_round, outcome, actor):
        round_counted(voting_round, outcome, actor)
