"""The exception lists a street officer acts on, read from the communities' records; the rules
that make a row an exception are in rules.py (and the tracker's and voting's own rules).

Each exception has a stable key (e.g. "overdue:record:12") under which street staff leave their
public notes, and the path of the page where the community fixes it."""

from dataclasses import dataclass
from datetime import date

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from app.core import clock
from app.core.urls import path_for
from app.councils.models import Meeting, MeetingStatus
from app.extensions import db
from app.matters.models import MicroMatter
from app.publishing.models import Notice, Objection
from app.tracker import rating
from app.tracker.models import FINISHED_STATES, EvaluationWindow, ImplementationRecord, Rectification
from app.tracker.records import overdue_record_ids
from app.voting.models import RoundResult, VotingRound
from app.voting.paper import reconciliation

from . import rules
from .figures import year_span

# The kinds of exception, in the order the page lists them, with their headings.
KINDS = {
    "overdue": _l("Overdue implementations"),
    "satisfaction": _l("Satisfaction below the rule's threshold, not yet answered"),
    "rectification": _l("Rectifications open for more than %(days)s days", days=rules.RECTIFICATION_OPEN_DAYS),
    "objection": _l("Objections not answered"),
    "meetings": _l("No council meeting held in %(days)s days", days=rules.MEETING_GAP_DAYS),
    "paper": _l("Paper and online votes not reconciled (the count is held)"),
    "invalid": _l("Rounds published as not valid (turnout below the minimum)"),
}


@dataclass(frozen=True)
class StreetException:
    kind: str
    key: str
    community: object
    title: str
    since: date | None  # the day it began (planned date, window end, opening, lodging, last meeting)
    path: str  # where the community fixes it


def _records(ids):
    return db.session.execute(
        select(ImplementationRecord, MicroMatter.title)
        .join(MicroMatter, MicroMatter.id == ImplementationRecord.matter_id)
        .where(ImplementationRecord.community_id.in_(ids), ImplementationRecord.state.not_in(FINISHED_STATES))
        .options(
            selectinload(ImplementationRecord.community),
            selectinload(ImplementationRecord.milestones),
            selectinload(ImplementationRecord.windows).selectinload(EvaluationWindow.evaluations),
        )
        .order_by(ImplementationRecord.id)
    ).all()


def _manage(record, anchor=None):
    return path_for("tracker.manage", slug=record.community.slug, record_id=record.id, _anchor=anchor)


def _overdue(records, today):
    late = overdue_record_ids(record_ids=[r.id for r, _t in records], today=today) if records else set()
    for record, title in records:
        if record.id in late:
            planned = min(m.planned_date for m in record.milestones if m.done_on is None and m.planned_date < today)
            yield StreetException(
                "overdue", f"overdue:record:{record.id}", record.community, title, planned, _manage(record, "plan")
            )


def _satisfaction(records):
    """Windows ended below the rule's threshold that the committee has not answered (the tracker's rule)."""
    for record, title in records:
        if rating.needs_response(record):
            window = record.current_window
            rate = rating.window_summary(window)["all"].rate
            yield StreetException(
                "satisfaction",
                f"satisfaction:window:{window.id}",
                record.community,
                f"{title} ({rate}% < {window.threshold_percent}%)",
                clock.local_date(window.closes_at),
                _manage(record, "state"),
            )


def _rectifications(ids, today):
    for rect, record, title in db.session.execute(
        select(Rectification, ImplementationRecord, MicroMatter.title)
        .join(ImplementationRecord, ImplementationRecord.id == Rectification.record_id)
        .join(MicroMatter, MicroMatter.id == ImplementationRecord.matter_id)
        .where(ImplementationRecord.community_id.in_(ids), Rectification.accepted_on.is_(None))
        .order_by(Rectification.id)
    ):
        opened = clock.local_date(rect.opened_at)
        if rules.rectification_too_long(opened, rect.accepted_on, today):
            yield StreetException(
                "rectification", f"rectification:{rect.id}", record.community, title, opened, _manage(record, "state")
            )


def _objections(ids):
    for objection, notice in db.session.execute(
        select(Objection, Notice)
        .join(Notice, Notice.id == Objection.notice_id)
        .where(Notice.community_id.in_(ids), Objection.answered_at.is_(None))
        .order_by(Objection.id)
    ):
        path = path_for(
            "publishing.notice", slug=notice.community.slug, notice_id=notice.id, _anchor=f"objection-{objection.id}"
        )
        yield StreetException(
            "objection",
            f"objection:{objection.id}",
            notice.community,
            notice.title,
            clock.local_date(objection.created_at),
            path,
        )


def _meetings(communities, today):
    last = dict(
        db.session.execute(
            select(Meeting.community_id, func.max(Meeting.starts_at))
            .where(Meeting.community_id.in_([c.id for c in communities]), Meeting.status == MeetingStatus.CLOSED)
            .group_by(Meeting.community_id)
        ).all()
    )
    for community in communities:
        held = clock.local_date(last[community.id]) if community.id in last else None
        if rules.no_recent_meeting(held, today):
            path = path_for("councils.new_meeting", slug=community.slug)
            yield StreetException(
                "meetings", f"meetings:community:{community.id}", community, community.name, held, path
            )


def _paper(ids, now):
    for voting_round in db.session.scalars(
        select(VotingRound)
        .outerjoin(RoundResult, RoundResult.round_id == VotingRound.id)
        .where(VotingRound.community_id.in_(ids), VotingRound.closes_at <= now, RoundResult.id.is_(None))
        .order_by(VotingRound.id)
    ):
        if not reconciliation(voting_round).balanced:
            path = path_for("voting.paper", slug=voting_round.community.slug, round_id=voting_round.id)
            key = f"paper:round:{voting_round.id}"
            yield StreetException(
                "paper", key, voting_round.community, voting_round.title, clock.local_date(voting_round.closes_at), path
            )


def _invalid(ids, year):
    start, end = year_span(year)
    for voting_round in db.session.scalars(
        select(VotingRound)
        .join(RoundResult, RoundResult.round_id == VotingRound.id)
        .where(
            VotingRound.community_id.in_(ids),
            RoundResult.valid.is_(False),
            VotingRound.closes_at >= start,
            VotingRound.closes_at < end,
        )
        .order_by(VotingRound.id)
    ):
        path = path_for("voting.ballot", slug=voting_round.community.slug, round_id=voting_round.id)
        key = f"invalid:round:{voting_round.id}"
        yield StreetException(
            "invalid", key, voting_round.community, voting_round.title, clock.local_date(voting_round.closes_at), path
        )


def exceptions_of(communities, year, today=None, now=None):
    """{kind: [StreetException]} for the communities, every kind listed (empty ones too), as of today;
    rounds published as not valid are those of `year`."""
    communities = list(communities)
    now = now or clock.now()
    today = today or clock.local_date(now)
    found = {kind: [] for kind in KINDS}
    if not communities:
        return found
    ids = [c.id for c in communities]
    records = _records(ids)
    for item in (
        *_overdue(records, today),
        *_satisfaction(records),
        *_rectifications(ids, today),
        *_objections(ids),
        *_meetings(communities, today),
        *_paper(ids, now),
        *_invalid(ids, year),
    ):
        found[item.kind].append(item)
    return found
