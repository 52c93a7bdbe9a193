"""The residents' convention and its versions: writing down version 1, the diff between versions,
and the next version made from exactly the approved amendments (revision.py). Amendments are in
amendments.py; the residents' approval in approval.py, by an assembly (residents_assembly.py) or
a yes/no round (ballot.py)."""

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from app.audit.services import record
from app.core import clock
from app.core.errors import DomainError, FieldError
from app.core.service import commit, get_or_404, insert_once, require, rolls_back
from app.core.text import clean_plain
from app.extensions import db

from . import permissions, revision
from .models import (
    OPEN_STATUSES,
    Amendment,
    AmendmentStatus,
    Convention,
    ConventionArticle,
    ConventionVersion,
)

ARTICLE_MAX = 500
MAX_ARTICLES = 60
SUBJECT_KIND = "amendment"  # the councils' agenda items and the voting rounds' options of amendments
atomic = rolls_back(conflict=_l("This amendment was changed by someone else in the meantime. Please try again."))


def convention_of(community):
    return db.session.scalar(select(Convention).where(Convention.community_id == community.id))


def get_version(convention, number):
    version = db.session.scalar(
        select(ConventionVersion).where(
            ConventionVersion.convention_id == convention.id, ConventionVersion.number == number
        )
    )
    return version or get_or_404(ConventionVersion, 0)


def audit(action, obj, actor, convention, **data):
    record(action, obj, actor=actor, community=convention.community_id, convention_id=convention.id, **data)


def set_status(amendment, status):
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


@atomic
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
    audit(
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


def edits(amendment_rows):
    return [revision.Edit(revision.Kind(a.kind), a.article_number, a.text) for a in amendment_rows]


def diff(version):
    """The side-by-side rows from the previous version to this one ([] for version 1)."""
    if version.number == 1:
        return []
    previous = get_version(version.convention, version.number - 1)
    return revision.revise([a.text for a in previous.articles], edits(version.amendments))


def incorporate(actor, convention, adopted, adopted_on, *, assembly=None, voting_round=None):
    """The next version from exactly the approved amendments, recording the confirmed assembly or
    the counted round that approved them; open ones move to its numbering."""
    old = convention.current
    try:
        rows = revision.revise([a.text for a in old.articles], edits(adopted))
    except revision.Conflict as exc:
        raise DomainError(
            _l("The adopted amendments contradict each other; the council must settle them first.")
        ) from exc
    version = _add_version(
        convention, actor, revision.new_articles(rows), adopted_on, assembly=assembly, voting_round=voting_round
    )
    for amendment in adopted:
        amendment.incorporated_in_id = version.id
        set_status(amendment, AmendmentStatus.INCORPORATED)
    moved = revision.renumbering(rows)
    for amendment in db.session.scalars(
        select(Amendment).where(Amendment.version_id == old.id, Amendment.status.in_(OPEN_STATUSES))
    ):
        if amendment.article_number in moved:
            amendment.article_number = moved[amendment.article_number]
            amendment.version_id = version.id
        else:
            set_status(amendment, AmendmentStatus.LAPSED)
    audit(
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
