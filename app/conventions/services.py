"""The residents' convention: writing down version 1, amendments and their supports, admission
onto the council's agenda list, the council's decision (councils.subjects), the residents'
assembly, and the next version made from the approved amendments (revision.py)."""

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select, update
from sqlalchemy.orm import selectinload

from app.audit.services import record
from app.core import clock
from app.core.errors import DomainError, FieldError
from app.core.service import commit, get_or_404, insert_once, require, rolls_back
from app.core.text import clean_plain
from app.councils.models import MotionKind
from app.councils.review import append_agenda_item
from app.extensions import db
from app.matters.services import support_threshold
from app.rules import majority
from app.rules.choices import ConventionApproval
from app.rules.services import current_ruleset
from app.voting import rounds

from . import permissions, revision
from .models import (
    OPEN_STATUSES,
    Amendment,
    AmendmentKind,
    AmendmentStatus,
    AmendmentSupport,
    Convention,
    ConventionArticle,
    ConventionVersion,
    ResidentsAssembly,
)

ARTICLE_MAX = 500
MAX_ARTICLES = 60
SUBJECT_KIND = "amendment"  # the councils' agenda items of amendments (councils.subjects)
ALREADY_SUPPORTED = _l("You have already supported this amendment.")
_atomic = rolls_back(conflict=_l("This amendment was changed by someone else in the meantime. Please try again."))


def convention_of(community):
    return db.session.scalar(select(Convention).where(Convention.community_id == community.id))


def get_amendment(convention, amendment_id):
    return get_or_404(Amendment, amendment_id, convention_id=convention.id)


def get_version(convention, number):
    version = db.session.scalar(
        select(ConventionVersion).where(
            ConventionVersion.convention_id == convention.id, ConventionVersion.number == number
        )
    )
    return version or get_or_404(ConventionVersion, 0)


def amendments(convention):
    """(open, closed), newest first."""
    rows = db.session.scalars(
        select(Amendment).where(Amendment.convention_id == convention.id).order_by(Amendment.id.desc())
    ).all()
    return [a for a in rows if a.status in OPEN_STATUSES], [a for a in rows if a.status not in OPEN_STATUSES]


def has_supported(user, amendment):
    user_id = getattr(user, "id", None)
    return (
        user_id is not None
        and db.session.scalar(
            select(AmendmentSupport.id).where(
                AmendmentSupport.amendment_id == amendment.id, AmendmentSupport.user_id == user_id
            )
        )
        is not None
    )


def _audit(action, obj, actor, convention, **data):
    record(action, obj, actor=actor, community=convention.community_id, convention_id=convention.id, **data)


def _set_status(amendment, status):
    amendment.status = status
    amendment.status_changed_at = clock.now()


def _clean_articles(text):
    """One article per non-empty line."""
    articles = [clean_plain(line) for line in (text or "").splitlines()]
    articles = [a for a in articles if a]
    if not articles:
        raise FieldError("articles", _l("Write at least one article, one per line."))
    if len(articles) > MAX_ARTICLES:
        raise FieldError("articles", _l("A convention has at most %(count)s articles.", count=MAX_ARTICLES))
    if any(len(a) > ARTICLE_MAX for a in articles):
        raise FieldError("articles", _l("An article has at most %(count)s characters.", count=ARTICLE_MAX))
    return articles


def _add_version(convention, actor, articles, adopted_on, note="", assembly=None, voting_round=None):
    number = (convention.current.number + 1) if convention.current else 1
    version = ConventionVersion(
        convention=convention,
        number=number,
        adopted_on=adopted_on,
        note=note,
        assembly=assembly,
        round=voting_round,
        recorded_by_id=actor.id,
        recorded_at=clock.now(),
    )
    version.articles = [ConventionArticle(number=i, text=t) for i, t in enumerate(articles, start=1)]
    db.session.add(version)
    db.session.flush()
    return version


@_atomic
def establish(actor, community, *, articles, adopted_on, note=""):
    """Version 1: the convention as the community adopted it before Weiyi kept it."""
    require(permissions.can_keep(actor, community), _l("Only the committee keeps the convention."))
    require(convention_of(community) is None, _l("This community's convention is already written down."))
    texts = _clean_articles(articles)
    require(
        adopted_on is not None and adopted_on <= clock.local_today(), _l("The adoption date cannot be in the future.")
    )
    convention = insert_once(
        Convention(community_id=community.id, created_by_id=actor.id),
        _l("This community's convention is already written down."),
    )
    version = _add_version(convention, actor, texts, adopted_on, clean_plain(note)[:300])
    _audit(
        "convention.established",
        version,
        actor,
        convention,
        version=1,
        articles=texts,
        adopted_on=adopted_on.isoformat(),
    )
    commit()
    return convention


# ---------------------------------------------------------------- amendments


@_atomic
def propose(user, convention, *, article_number, kind, text, reasons):
    community = convention.community
    require(
        permissions.can_propose(user, community), _l("Only verified residents of this community propose amendments.")
    )
    version = convention.current
    count = len(version.articles)
    if kind not in set(AmendmentKind):
        raise FieldError("kind", _l("Choose what the amendment does."))
    low = 0 if kind == AmendmentKind.INSERT else 1
    if not isinstance(article_number, int) or not low <= article_number <= count:
        raise FieldError("article_number", _l("Choose an article of the current version."))
    text = clean_plain(text)
    if kind == AmendmentKind.DELETE:
        text = ""
    elif not text:
        raise FieldError("text", _l("Write the new wording of the article."))
    elif len(text) > ARTICLE_MAX:
        raise FieldError("text", _l("An article has at most %(count)s characters.", count=ARTICLE_MAX))
    reasons = clean_plain(reasons)
    if not reasons:
        raise FieldError("reasons", _l("Give your reasons; residents read them before they support it."))
    if len(reasons) > 1000:
        raise FieldError("reasons", _l("The reasons have at most %(count)s characters.", count=1000))
    amendment = Amendment(
        convention_id=convention.id,
        version_id=version.id,
        article_number=article_number,
        kind=kind,
        text=text,
        reasons=reasons,
        proposer_id=user.id,
        status=AmendmentStatus.COLLECTING,
        status_changed_at=clock.now(),
    )
    db.session.add(amendment)
    _audit(
        "amendment.proposed",
        amendment,
        user,
        convention,
        version=version.number,
        article=article_number,
        kind=kind,
        text=text,
    )
    _check_threshold(amendment, user)
    commit()
    return amendment


def _check_threshold(amendment, actor):
    """The same threshold as a micro-matter's, under the rules in force now."""
    threshold = support_threshold(amendment.convention.community)
    if amendment.status == AmendmentStatus.COLLECTING and amendment.support_count >= threshold:
        _set_status(amendment, AmendmentStatus.REVIEW)
        _audit(
            "amendment.threshold_reached",
            amendment,
            actor,
            amendment.convention,
            supports=amendment.support_count,
            threshold=threshold,
        )


@_atomic
def support(user, amendment):
    require(
        amendment.status == AmendmentStatus.COLLECTING,
        _l("Supports are only collected while the amendment is collecting supports."),
    )
    require(
        not permissions.is_proposer(user, amendment),
        _l("You proposed this amendment, so you cannot support it yourself."),
    )
    require(
        permissions.can_propose(user, amendment.convention.community),
        _l("Only verified residents of this community can support amendments."),
    )
    require(not has_supported(user, amendment), ALREADY_SUPPORTED)
    insert_once(AmendmentSupport(amendment_id=amendment.id, user_id=user.id), ALREADY_SUPPORTED)
    # One UPDATE that adds to the stored number, so two supports at once both count.
    db.session.execute(
        update(Amendment)
        .where(Amendment.id == amendment.id)
        .values(support_count=Amendment.support_count + 1)
        .execution_options(synchronize_session=False)
    )
    db.session.refresh(amendment)
    _audit("amendment.supported", amendment, user, amendment.convention, supports=amendment.support_count)
    _check_threshold(amendment, user)
    commit(ALREADY_SUPPORTED)


def _clashing(amendment):
    """Another amendment on its way that changes or deletes the same article."""
    if amendment.kind == AmendmentKind.INSERT:
        return None
    return db.session.scalar(
        select(Amendment).where(
            Amendment.convention_id == amendment.convention_id,
            Amendment.id != amendment.id,
            Amendment.article_number == amendment.article_number,
            Amendment.kind != AmendmentKind.INSERT,
            Amendment.status.in_([AmendmentStatus.ON_AGENDA, AmendmentStatus.ADOPTED, AmendmentStatus.IN_VOTE]),
        )
    )


@_atomic
def admit(actor, amendment):
    convention = amendment.convention
    require(permissions.can_keep(actor, convention.community), _l("Only the committee admits amendments."))
    require(amendment.status == AmendmentStatus.REVIEW, _l("This amendment is not waiting for the committee."))
    other = _clashing(amendment)
    if other is not None:
        raise DomainError(
            _l(
                "Amendment %(id)s to the same article is already before the council; it is decided first.",
                id=other.id,
            )
        )
    item = append_agenda_item(convention.community_id, actor, subject_kind=SUBJECT_KIND)
    amendment.agenda_item_id = item.id
    _set_status(amendment, AmendmentStatus.ON_AGENDA)
    _audit("amendment.admitted", amendment, actor, convention, agenda_item_id=item.id)
    commit()


@_atomic
def decline(actor, amendment, reason):
    convention = amendment.convention
    require(permissions.can_keep(actor, convention.community), _l("Only the committee admits amendments."))
    require(amendment.status == AmendmentStatus.REVIEW, _l("This amendment is not waiting for the committee."))
    reason = clean_plain(reason)[:500]
    if not reason:
        raise FieldError("reason", _l("Please give a reason; it will be published."))
    amendment.decline_reason = reason
    _set_status(amendment, AmendmentStatus.NOT_ADMITTED)
    _audit("amendment.not_admitted", amendment, actor, convention, reason=reason)
    commit()


def council_decided(amendment, motion, actor, **data):
    """A passed motion on the amendment (inside the council's closing transaction)."""
    amendment.motion_id = motion.id
    adopted = motion.kind == MotionKind.ADOPT
    _set_status(amendment, AmendmentStatus.ADOPTED if adopted else AmendmentStatus.REJECTED)
    _audit("amendment.adopted" if adopted else "amendment.rejected", amendment, actor, amendment.convention, **data)


# ---------------------------------------------------------------- the residents' assembly


def awaiting_residents(convention):
    return db.session.scalars(
        select(Amendment)
        .where(Amendment.convention_id == convention.id, Amendment.status == AmendmentStatus.ADOPTED)
        .order_by(Amendment.article_number, Amendment.id)
    ).all()


def _edits(amendment_rows):
    return [revision.Edit(revision.Kind(a.kind), a.article_number, a.text) for a in amendment_rows]


def diff(version):
    """The side-by-side rows from the previous version to this one ([] for version 1)."""
    if version.number == 1:
        return []
    previous = get_version(version.convention, version.number - 1)
    return revision.revise([a.text for a in previous.articles], _edits(version.amendments))


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


def pending_assembly(convention):
    return db.session.scalar(
        select(ResidentsAssembly).where(
            ResidentsAssembly.convention_id == convention.id, ResidentsAssembly.pending.is_(True)
        )
    )


def get_assembly(convention, assembly_id):
    return get_or_404(ResidentsAssembly, assembly_id, convention_id=convention.id)


def assembly_amendments(assembly):
    return db.session.scalars(
        select(Amendment).where(Amendment.id.in_(assembly.amendment_ids)).order_by(Amendment.id)
    ).all()


ONE_PENDING = _l("An entry of the assembly already waits for confirmation: it is confirmed or rejected first.")
SETTLED = _l("This entry of the assembly is already confirmed or rejected.")


@_atomic
def enter_assembly(actor, convention, *, held_on, place, present, yes, no, abstain):
    """A committee member enters the counts of the residents' assembly on the council's adopted
    amendments. The entry waits for a second person: nothing is decided yet."""
    adopted = _to_approve(
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
    _audit(
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


@_atomic
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
    _audit(
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
        _incorporate(actor, convention, adopted, assembly.held_on, assembly=assembly)
    else:
        for amendment in adopted:
            _set_status(amendment, AmendmentStatus.NOT_APPROVED)
    commit(SETTLED)
    return assembly


@_atomic
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
    _audit(
        "convention.assembly_rejected",
        assembly,
        actor,
        convention,
        entered_by=assembly.entered_by_id,
        reason=reason,
    )
    commit(SETTLED)
    return assembly


# ---------------------------------------------------------------- the residents' yes/no round


def _to_approve(actor, convention, mode, not_keeper, other_mode):
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


def approval_mode(community):
    """How the rules in force say the residents approve adopted amendments (ConventionApproval)."""
    return current_ruleset(community).convention_approval


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
    adopted = _to_approve(
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
        _set_status(amendment, AmendmentStatus.IN_VOTE)
        _audit("amendment.put_to_vote", amendment, actor, amendment.convention, round_id=voting_round.id)


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
            _set_status(amendment, AmendmentStatus.ADOPTED)
        _audit(
            "convention.round_not_valid", voting_round, actor, convention, amendments=[a.id for a in waiting.values()]
        )
        return
    winners = set(outcome.winners)
    approved = sorted((a for n, a in waiting.items() if n in winners), key=lambda a: (a.article_number, a.id))
    for number, amendment in waiting.items():
        if number not in winners:
            _set_status(amendment, AmendmentStatus.NOT_APPROVED)
    _audit(
        "convention.round_counted",
        voting_round,
        actor,
        convention,
        approved=[a.id for a in approved],
        not_approved=sorted(a.id for n, a in waiting.items() if n not in winners),
    )
    if approved:
        _incorporate(actor, convention, approved, clock.local_today(), voting_round=voting_round)


def _incorporate(actor, convention, adopted, adopted_on, *, assembly=None, voting_round=None):
    """The next version from exactly the approved amendments, recording the confirmed assembly or
    the counted round that approved them; open ones move to its numbering."""
    old = convention.current
    try:
        rows = revision.revise([a.text for a in old.articles], _edits(adopted))
    except revision.Conflict as exc:
        raise DomainError(
            _l("The adopted amendments contradict each other; the council must settle them first.")
        ) from exc
    version = _add_version(
        convention, actor, revision.new_articles(rows), adopted_on, assembly=assembly, voting_round=voting_round
    )
    for amendment in adopted:
        amendment.incorporated_in_id = version.id
        _set_status(amendment, AmendmentStatus.INCORPORATED)
    moved = revision.renumbering(rows)
    for amendment in db.session.scalars(
        select(Amendment).where(Amendment.version_id == old.id, Amendment.status.in_(OPEN_STATUSES))
    ):
        if amendment.article_number in moved:
            amendment.article_number = moved[amendment.article_number]
            amendment.version_id = version.id
        else:
            _set_status(amendment, AmendmentStatus.LAPSED)
    _audit(
        "convention.revised",
        version,
        actor,
        convention,
        version=version.number,
        amendments=[a.id for a in adopted],
        assembly_id=assembly.id if assembly else None,
        round_id=voting_round.id if voting_round else None,
        articles=revision.new_articles(rows),
    )
