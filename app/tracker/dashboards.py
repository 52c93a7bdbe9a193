"""Reading the facts the dashboards need (a few grouped queries), then figures.py computes."""

import csv
import io

from sqlalchemy import func, select

from app.communities.models import Community
from app.core import clock
from app.core.spreadsheet import cell
from app.extensions import db
from app.matters.lifecycle import OUT_OF_TOTALS, STAGES
from app.matters.models import MicroMatter

from . import figures
from .models import Evaluation, EvaluationWindow, ImplementationRecord, RecordState, SpendingEntry
from .records import overdue_record_ids


def _facts(community_ids, today):
    """RecordFacts per community id, for the given communities."""
    records = db.session.execute(
        select(
            ImplementationRecord.id,
            ImplementationRecord.community_id,
            ImplementationRecord.matter_id,
            ImplementationRecord.state,
            ImplementationRecord.approved_budget,
            ImplementationRecord.accepted_on,
            ImplementationRecord.progress_percent,
            MicroMatter.title,
            MicroMatter.submitted_at,
            MicroMatter.created_at,
        )
        .join(MicroMatter, MicroMatter.id == ImplementationRecord.matter_id)
        .where(ImplementationRecord.community_id.in_(community_ids))
        .order_by(ImplementationRecord.id)
    ).all()
    record_ids = [r.id for r in records]
    spent = (
        dict(
            db.session.execute(
                select(SpendingEntry.record_id, func.sum(SpendingEntry.amount))
                .where(SpendingEntry.record_id.in_(record_ids))
                .group_by(SpendingEntry.record_id)
            ).all()
        )
        if record_ids
        else {}
    )
    ratings = (
        db.session.execute(
            select(Evaluation.record_id, EvaluationWindow.number, Evaluation.stars)
            .join(EvaluationWindow, EvaluationWindow.id == Evaluation.window_id)
            .where(Evaluation.record_id.in_(record_ids))
        ).all()
        if record_ids
        else []
    )
    latest = {}
    for record_id, number, _stars in ratings:
        latest[record_id] = max(number, latest.get(record_id, 0))
    stars = {}
    for record_id, number, value in ratings:
        if number == latest[record_id]:
            stars.setdefault(record_id, []).append(value)
    overdue = overdue_record_ids(record_ids=record_ids, today=today) if record_ids else set()
    by_community = {cid: [] for cid in community_ids}
    for r in records:
        by_community[r.community_id].append(
            figures.RecordFacts(
                record_id=r.id,
                matter_id=r.matter_id,
                title=r.title,
                state=r.state,
                budget=r.approved_budget,
                spent=int(spent.get(r.id) or 0),
                proposed_at=clock.local_date(r.submitted_at or r.created_at),
                completed_at=r.accepted_on,
                overdue=r.id in overdue,
                stars=tuple(stars.get(r.id, ())),
                progress=r.progress_percent,
            )
        )
    return by_community


def _status_counts(community_ids):
    counts = {cid: {} for cid in community_ids}
    for community_id, status, n in db.session.execute(
        select(MicroMatter.community_id, MicroMatter.status, func.count(MicroMatter.id))
        .where(MicroMatter.community_id.in_(community_ids), MicroMatter.status.not_in(OUT_OF_TOTALS))
        .group_by(MicroMatter.community_id, MicroMatter.status)
    ):
        counts[community_id][status] = n
    return counts


STAGES_SHOWN = [s for s in STAGES if s not in OUT_OF_TOTALS]


class _All:
    """Stands in for a community in the "all communities" row."""

    id, name, slug, district = 0, "", "", ""


def figures_for(communities, today=None, with_total=False):
    """CommunityFigures per community; with_total also returns the figures over all of them
    (computed from all records together, not as an average of averages)."""
    today = today or clock.local_today()
    ids = [c.id for c in communities]
    facts = _facts(ids, today)
    statuses = _status_counts(ids)
    per_community = [
        figures.community_figures(c, statuses[c.id], facts[c.id], STAGES_SHOWN, list(RecordState)) for c in communities
    ]
    if not with_total:
        return per_community
    merged = {}
    for counts in statuses.values():
        for status, n in counts.items():
            merged[status] = merged.get(status, 0) + n
    total = figures.community_figures(
        _All(), merged, [f for cid in ids for f in facts[cid]], STAGES_SHOWN, list(RecordState)
    )
    return per_community, total


def community_dashboard(community, today=None):
    today = today or clock.local_today()
    result = figures_for([community], today)[0]
    facts = _facts([community.id], today)[community.id]
    return result, facts


def all_communities():
    return db.session.scalars(select(Community).order_by(Community.name)).all()


# Every figure the table sorts by, with the community's slug after its name.
CSV_COLUMNS = (figures.SORT_KEYS[0], "slug", *figures.SORT_KEYS[1:])


def csv_text(rows):
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=CSV_COLUMNS, extrasaction="ignore", lineterminator="\r\n")
    writer.writeheader()
    for row in rows:
        writer.writerow({k: cell(row[k]) for k in CSV_COLUMNS})
    return out.getvalue()
