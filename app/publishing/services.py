"""Notices (公示): the records the committee may publish, the notice frozen from one with its
objection period, and reading notices. Objections are in objections.py, public figures and the
feed's events in public_figures.py."""

from datetime import date, timedelta

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from app.audit.services import record
from app.core import clock
from app.core.errors import DomainError
from app.core.i18n import N_
from app.core.service import get_or_404
from app.core.text import clean_plain, render_markdown
from app.core.urls import path_for
from app.extensions import db
from app.matters.lifecycle import interested_people
from app.notifications import wecom
from app.notifications.services import notify
from app.rules.models import MAX_OBJECTION_DAYS
from app.rules.services import current_ruleset

from . import permissions, sources
from .models import Notice, NoticeKind, NoticeMatter

DEFAULT_PERIOD_DAYS = 7  # offered when the rules set no objection period
MAX_PREFACE = 5000


def notices_query(community):
    return select(Notice).where(Notice.community_id == community.id).order_by(Notice.id.desc())


def list_notices(community, limit=None):
    query = notices_query(community)
    if limit:
        query = query.limit(limit)
    return db.session.scalars(query).all()


def get_notice(community, notice_id):
    return get_or_404(Notice, notice_id, community_id=community.id)


def existing_notice(community, kind, ref_id):
    return db.session.scalar(
        select(Notice).where(Notice.community_id == community.id, Notice.kind == kind, Notice.ref_id == ref_id)
    )


def source_for(kind):
    source = sources.SOURCES.get(kind)
    if source is None:
        raise DomainError(_l("This kind of record cannot be published."))
    return source


def load_record(community, kind, ref_id):
    record_ = source_for(kind).load(community, ref_id)
    if record_ is None:
        raise DomainError(_l("This record does not exist here or cannot be published yet."))
    return record_


def candidates(community):
    """{kind: [(ref_id, label)]} of records not yet published, for the committee's chooser."""
    out = {}
    for kind in NoticeKind:
        source = sources.SOURCES.get(kind)
        if source is None:
            continue
        published = set(
            db.session.scalars(select(Notice.ref_id).where(Notice.community_id == community.id, Notice.kind == kind))
        )
        out[kind] = [(ref, label) for ref, label in source.candidates(community) if ref not in published]
    return out


def default_period(community, today=None):
    """The period offered on the form: as long as the rules in force ask."""
    start = today or clock.local_today()
    return start, start + timedelta(days=current_ruleset(community).objection_days or DEFAULT_PERIOD_DAYS)


def _check_period(community, start, end):
    if not isinstance(start, date) or not isinstance(end, date):
        raise DomainError(_l("Please give the first and the last day of the notice period."))
    if start < clock.local_today():
        raise DomainError(_l("The notice period cannot start in the past."))
    if end < start:
        raise DomainError(_l("The notice period must end on or after its first day."))
    if (end - start).days + 1 > MAX_OBJECTION_DAYS:
        raise DomainError(_l("A notice period may last at most %(days)s days.", days=MAX_OBJECTION_DAYS))
    required = current_ruleset(community).objection_days
    if (end - start).days + 1 < required:
        raise DomainError(
            _l(
                "The rules in force ask for an objection period of at least %(days)s days: please "
                "give a later last day.",
                days=required,
            )
        )


def publish_notice(actor, community, kind, ref_id, *, title=None, preface="", period_start=None, period_end=None):
    """Freeze the record's facts into a notice with its period; notify everyone concerned."""
    if not permissions.can_publish_notices(actor, community):
        raise DomainError(_l("Only the committee can publish notices."))
    record_ = load_record(community, kind, ref_id)
    if existing_notice(community, kind, ref_id) is not None:
        raise DomainError(_l("A notice for this record has already been published."))
    _check_period(community, period_start, period_end)
    preface = clean_plain(preface)
    if len(preface) > MAX_PREFACE:
        raise DomainError(_l("The preface may be at most %(n)s characters.", n=MAX_PREFACE))
    publication = sources.SOURCES[kind].describe(record_)
    title = clean_plain(title) or clean_plain(sources.text(publication.title))
    if len(title) > 120:
        raise DomainError(_l("The title may be at most %(n)s characters.", n=120))
    notice = Notice(
        community_id=community.id,
        kind=kind,
        ref_id=ref_id,
        title=title,
        preface=preface,
        preface_html=render_markdown(preface),
        facts=publication.facts,
        record_path=publication.record_path,
        period_start=period_start,
        period_end=period_end,
        published_by_id=actor.id,
    )
    db.session.add(notice)
    db.session.flush()
    matter_ids = sorted({m.id for m in publication.matters})
    for matter_id in matter_ids:
        db.session.add(NoticeMatter(notice_id=notice.id, matter_id=matter_id))
    record(
        "notice.published",
        notice,
        actor=actor,
        community=community,
        kind=str(kind),
        ref_id=ref_id,
        matter_ids=matter_ids,
        period_start=period_start.isoformat(),
        period_end=period_end.isoformat(),
    )
    people = {p.id: p for m in publication.matters for p in interested_people(m)}
    message = N_("A notice was published: “%(title)s”. Objections are open until %(end)s.")
    notify(people.values(), message, notice_link(notice), exclude=actor, title=title, end=period_end.isoformat())
    wecom.announce(community, message, notice_link(notice), title=title, end=period_end.isoformat())
    db.session.commit()
    return notice


def notice_link(notice, _anchor=None):
    return path_for("publishing.notice", slug=notice.community.slug, notice_id=notice.id, _anchor=_anchor)
