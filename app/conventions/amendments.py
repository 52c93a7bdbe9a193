"""Residents' amendments to the convention: proposing and supporting them, the committee admitting
them onto the council's agenda list or declining them, and the council's decision on them
(councils.subjects)."""

from flask_babel import lazy_gettext as _l
from sqlalchemy import select, update

from app.core import clock
from app.core.errors import DomainError, FieldError
from app.core.service import commit, get_or_404, insert_once, require
from app.core.text import clean_plain
from app.councils.models import MotionKind
from app.councils.review import append_agenda_item
from app.extensions import db
from app.matters.services.supports import support_threshold

from . import permissions
from .models import OPEN_STATUSES, Amendment, AmendmentKind, AmendmentStatus, AmendmentSupport
from .services import ARTICLE_MAX, SUBJECT_KIND, atomic, audit, set_status

ALREADY_SUPPORTED = _l("You have already supported this amendment.")


def get_amendment(convention, amendment_id):
    return get_or_404(Amendment, amendment_id, convention_id=convention.id)


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


@atomic
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
    audit(
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
        set_status(amendment, AmendmentStatus.REVIEW)
        audit(
            "amendment.threshold_reached",
            amendment,
            actor,
            amendment.convention,
            supports=amendment.support_count,
            threshold=threshold,
        )


@atomic
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
    audit("amendment.supported", amendment, user, amendment.convention, supports=amendment.support_count)
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


def _before_committee(actor, amendment):
    """The amendment's convention, when `actor` keeps it and the amendment waits for the committee."""
    convention = amendment.convention
    require(permissions.can_keep(actor, convention.community), _l("Only the committee admits amendments."))
    require(amendment.status == AmendmentStatus.REVIEW, _l("This amendment is not waiting for the committee."))
    return convention


@atomic
def admit(actor, amendment):
    convention = _before_committee(actor, amendment)
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
    set_status(amendment, AmendmentStatus.ON_AGENDA)
    audit("amendment.admitted", amendment, actor, convention, agenda_item_id=item.id)
    commit()


@atomic
def decline(actor, amendment, reason):
    convention = _before_committee(actor, amendment)
    reason = clean_plain(reason)[:500]
    if not reason:
        raise FieldError("reason", _l("Please give a reason; it will be published."))
    amendment.decline_reason = reason
    set_status(amendment, AmendmentStatus.NOT_ADMITTED)
    audit("amendment.not_admitted", amendment, actor, convention, reason=reason)
    commit()


def council_decided(amendment, motion, actor, **data):
    """A passed motion on the amendment (inside the council's closing transaction)."""
    amendment.motion_id = motion.id
    adopted = motion.kind == MotionKind.ADOPT
    set_status(amendment, AmendmentStatus.ADOPTED if adopted else AmendmentStatus.REJECTED)
    audit("amendment.adopted" if adopted else "amendment.rejected", amendment, actor, amendment.convention, **data)
