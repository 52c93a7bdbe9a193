"""The residents' assembly on the council's adopted amendments: one committee member enters its
counts, a second person confirms them (the rule set's resident majority then decides) or rejects
the entry."""

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from app.core import clock
from app.core.errors import FieldError
from app.core.service import commit, get_or_404, insert_once, require
from app.core.text import clean_plain
from app.extensions import db
from app.rules import majority
from app.rules.choices import ConventionApproval
from app.rules.services import current_ruleset

from . import permissions
from .approval import ONE_PENDING, to_approve
from .models import Amendment, AmendmentStatus, ResidentsAssembly
from .services import atomic, audit, incorporate, set_status

SETTLED = _l("This entry of the assembly is already confirmed or rejected.")


def assemblies(convention):
    """Every entry of a residents' assembly, newest first: pending, confirmed and rejected."""
    return db.session.scalars(
        select(ResidentsAssembly)
        .where(ResidentsAssembly.convention_id == convention.id)
        .options(
            selectinload(ResidentsAssembly.entered_by),
            selectinload(ResidentsAssembly.confirmed_by),
            selectinload(ResidentsAssembly.rejected_by),
        )
        .order_by(ResidentsAssembly.id.desc())
    ).all()


def get_assembly(convention, assembly_id):
    return get_or_404(ResidentsAssembly, assembly_id, convention_id=convention.id)


def assembly_amendments(assembly):
    return db.session.scalars(
        select(Amendment).where(Amendment.id.in_(assembly.amendment_ids)).order_by(Amendment.id)
    ).all()


@atomic
def enter_assembly(actor, convention, *, held_on, place, present, yes, no, abstain):
    """A committee member enters the counts of the residents' assembly on the council's adopted
    amendments. The entry waits for a second person: nothing is decided yet."""
    adopted = to_approve(
        actor,
        convention,
        ConventionApproval.ASSEMBLY,
        _l("Only the committee records the residents' assembly."),
        _l("Under the rules in force the residents approve amendments by a yes/no round, not an assembly."),
    )
    place = clean_plain(place)[:120]
    if not place:
        raise FieldError("place", _l("Say where the assembly met."))
    if held_on is None or held_on > clock.local_today():
        raise FieldError("held_on", _l("The assembly's date cannot be in the future."))
    counts = (present, yes, no, abstain)
    if not all(isinstance(c, int) and c >= 0 for c in counts):
        raise FieldError("present", _l("Enter whole numbers, 0 or more."))
    if yes + no + abstain > present:
        raise FieldError(
            "yes",
            _l(
                "%(total)s votes, but only %(present)s residents were present.",
                total=yes + no + abstain,
                present=present,
            ),
        )
    assembly = ResidentsAssembly(
        convention_id=convention.id,
        held_on=held_on,
        place=place,
        present=present,
        yes=yes,
        no=no,
        abstain=abstain,
        amendment_ids=[a.id for a in adopted],
        entered_by_id=actor.id,
        entered_at=clock.now(),
        pending=True,
    )
    insert_once(assembly, ONE_PENDING)
    audit(
        "convention.assembly_entered",
        assembly,
        actor,
        convention,
        held_on=held_on.isoformat(),
        place=place,
        present=present,
        yes=yes,
        no=no,
        abstain=abstain,
        amendments=assembly.amendment_ids,
    )
    commit(ONE_PENDING)
    return assembly


def _locked_pending(assembly):
    """The entry read again under a row lock (PostgreSQL; SQLite writers queue anyway): of two
    people settling it at once, the second finds it settled."""
    db.session.execute(
        select(ResidentsAssembly)
        .where(ResidentsAssembly.id == assembly.id)
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    require(assembly.pending, SETTLED)


@atomic
def confirm_assembly(actor, assembly):
    """A second person (confirm_counts: never the one who entered it) checks the entry against the
    assembly's signed record and confirms it. Now the rule set's resident majority decides:
    approved, the amendments make the next version; not approved, they are closed."""
    convention = assembly.convention
    community = convention.community
    require(
        permissions.can_confirm_counts(actor, community),
        _l("Only a committee member or a council member can confirm the assembly's counts."),
    )
    require(assembly.entered_by_id != actor.id, _l("You entered these counts: a second person must confirm them."))
    _locked_pending(assembly)
    adopted = assembly_amendments(assembly)
    require(
        adopted and all(a.status == AmendmentStatus.ADOPTED for a in adopted),
        _l("The amendments it voted on are no longer waiting for the residents: reject this entry."),
    )
    ruleset = current_ruleset(community)
    decision = majority.decide(
        majority.Counts(
            yes=assembly.yes,
            no=assembly.no,
            abstain=assembly.abstain,
            present=assembly.present,
            members=assembly.present,
        ),
        ruleset.resident_majority_rule,
        ruleset.resident_majority_base,
    )
    assembly.pending = None
    assembly.confirmed_by_id = actor.id
    assembly.confirmed_at = clock.now()
    assembly.majority_rule = str(decision.rule)
    assembly.base_kind = str(decision.base_kind)
    assembly.needed = decision.needed
    assembly.approved = decision.passed
    assembly.ruleset_id = ruleset.id
    assembly.ruleset_version = ruleset.version
    for amendment in adopted:
        amendment.assembly_id = assembly.id
    audit(
        "convention.assembly_confirmed",
        assembly,
        actor,
        convention,
        entered_by=assembly.entered_by_id,
        present=assembly.present,
        yes=assembly.yes,
        no=assembly.no,
        abstain=assembly.abstain,
        needed=decision.needed,
        approved=decision.passed,
        ruleset_version=ruleset.version,
        amendments=assembly.amendment_ids,
    )
    if decision.passed:
        incorporate(actor, convention, adopted, assembly.held_on, assembly=assembly)
    else:
        for amendment in adopted:
            set_status(amendment, AmendmentStatus.NOT_APPROVED)
    commit(SETTLED)
    return assembly


@atomic
def reject_assembly(actor, assembly, reason):
    """A second person finds the entry wrong (or the one who entered it withdraws it): it stays on
    record with the reason, decides nothing, and a corrected entry may be made."""
    convention = assembly.convention
    require(
        permissions.can_confirm_counts(actor, convention.community),
        _l("Only a committee member or a council member can reject the assembly's counts."),
    )
    reason = clean_plain(reason)[:300]
    if not reason:
        raise FieldError("reason", _l("Say what is wrong with the entry; the reason is published."))
    _locked_pending(assembly)
    assembly.pending = None
    assembly.rejected_by_id = actor.id
    assembly.rejected_at = clock.now()
    assembly.reject_reason = reason
    audit(
        "convention.assembly_rejected",
        assembly,
        actor,
        convention,
        entered_by=assembly.entered_by_id,
        reason=reason,
    )
    commit(SETTLED)
    return assembly
