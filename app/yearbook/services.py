"""The yearly record (台账 / 年度报告) of a community or a street, read from the records alone.

Every figure is computed from rows dated inside the local calendar year (or up to its end), never
from a thing's state today: a matter's stage is the furthest it reached by 31 December, ratings and
objections count if made by then. So regenerating the record of a closed year gives identical
figures, whatever happened since. Nothing here writes.
"""

from dataclasses import dataclass, field

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from app.core import clock
from app.councils.models import Meeting, MeetingItem, MeetingStatus, Motion, MotionStatus
from app.councils.votes import PROCEDURAL
from app.extensions import db
from app.fund import services as fund_services
from app.matters.lifecycle import OUT_OF_TOTALS
from app.matters.models import MicroMatter, Support
from app.publishing.models import Notice, NoticeKind, Objection
from app.streets.figures import NUMERIC, community_years_figures, street_years_figures, totals, year_span
from app.streets.routes import LABELS
from app.tracker.models import Evaluation, ImplementationRecord, SpendingEntry
from app.tracker.rules import satisfaction
from app.voting.models import Method, RoundResult, VotingRound

from .compare import compare

# The figures compared with the previous year, in the street table's order (streets' COLUMNS): all
# but these, which the report shows without a comparison or not at all.
NOT_COMPARED = {"invalid_rounds", "average_stars", "partners", "tasks", "charity"}
COMPARED = tuple(key for key in NUMERIC if key not in NOT_COMPARED)


@dataclass
class Table:
    """One section of the record: its CSV name, heading, (key, label) columns and rows (dicts)."""

    name: str
    title: str
    columns: list
    rows: list = field(default_factory=list)
    csv_keys: tuple = ()  # the CSV's columns before the shown ones (a figure's stable name)

    @property
    def keys(self):
        return [key for key, _label in self.columns]


def _local_day(moment):
    return clock.local_date(moment) if moment is not None else None


def _by_end(moment, end):
    return moment is not None and moment < end


# ------------------------------------------------------------------ the sections of a community


def _decision_text(motion):
    matter = motion.item.agenda_item.matter
    subject = matter.title if matter is not None else motion.text
    outcome = _l("passed") if motion.status == MotionStatus.PASSED else _l("not passed")
    return f"{subject}: {outcome}"


def _meetings(community, start, end):
    meetings = db.session.scalars(
        select(Meeting)
        .where(
            Meeting.community_id == community.id,
            Meeting.status == MeetingStatus.CLOSED,
            Meeting.starts_at >= start,
            Meeting.starts_at < end,
        )
        .options(
            selectinload(Meeting.items)
            .selectinload(MeetingItem.motions)
            .selectinload(Motion.item)
            .selectinload(MeetingItem.agenda_item)
        )
        .order_by(Meeting.starts_at, Meeting.id)
    ).all()
    rows = []
    for meeting in meetings:
        decided = [
            m
            for item in meeting.items
            for m in item.motions
            # amendments, deferrals and adjournments are steps towards a decision; the minutes list them
            if m.status in (MotionStatus.PASSED, MotionStatus.FAILED) and m.kind not in PROCEDURAL
        ]
        rows.append(
            {
                "date": _local_day(meeting.starts_at),
                "title": meeting.title,
                "place": meeting.place,
                "present": meeting.opened_present,
                "members": meeting.opened_members,
                "quorum_needed": meeting.opened_quorum_needed,
                "decisions": len(decided),
                "passed": sum(1 for m in decided if m.status == MotionStatus.PASSED),
                "decided": "; ".join(_decision_text(m) for m in decided),
            }
        )
    columns = [
        ("date", _l("Date")),
        ("title", _l("Meeting")),
        ("place", _l("Place")),
        ("present", _l("Present")),
        ("members", _l("Members")),
        ("quorum_needed", _l("Quorum")),
        ("decisions", _l("Decisions")),
        ("passed", _l("Passed")),
        ("decided", _l("What was decided")),
    ]
    return Table("meetings", _l("Council meetings"), columns, rows)


def _stage(record, ratings, end):
    """The furthest step a matter reached by the end of the year."""
    if ratings:
        return _l("Rated")
    if record is not None and record.accepted_on is not None and record.accepted_on < clock.local_date(end):
        return _l("Accepted")
    if record is not None and _by_end(record.created_at, end):
        return _l("Approved")
    return _l("Proposed")


def _ratings_by_record(record_ids, end):
    stars = {rid: [] for rid in record_ids}
    for rid, value in db.session.execute(
        select(Evaluation.record_id, Evaluation.stars).where(
            Evaluation.record_id.in_(record_ids), Evaluation.created_at < end
        )
    ):
        stars[rid].append(value)
    return {rid: satisfaction(values) for rid, values in stars.items()}


def _matters(community, start, end):
    matters = db.session.scalars(
        select(MicroMatter)
        .where(
            MicroMatter.community_id == community.id,
            MicroMatter.submitted_at >= start,
            MicroMatter.submitted_at < end,
            MicroMatter.status.not_in(OUT_OF_TOTALS),
        )
        .order_by(MicroMatter.submitted_at, MicroMatter.id)
    ).all()
    ids = [m.id for m in matters]
    supports = dict(
        db.session.execute(
            select(Support.matter_id, func.count(Support.id))
            .where(Support.matter_id.in_(ids), Support.created_at < end)
            .group_by(Support.matter_id)
        ).all()
    )
    records = {
        r.matter_id: r
        for r in db.session.scalars(select(ImplementationRecord).where(ImplementationRecord.matter_id.in_(ids)))
    }
    rated = _ratings_by_record([r.id for r in records.values()], end)
    rows = []
    for matter in matters:
        record = records.get(matter.id)
        summary = rated[record.id] if record is not None else satisfaction([])
        rows.append(
            {
                "id": matter.id,
                "title": matter.title,
                "proposed_on": _local_day(matter.submitted_at),
                "supports": supports.get(matter.id, 0),
                "approved_on": _local_day(record.created_at) if record and _by_end(record.created_at, end) else None,
                "stage": str(_stage(record, summary.count, end)),
                "ratings": summary.count,
                "average_stars": summary.average,
            }
        )
    columns = [
        ("id", _l("No.")),
        ("title", _l("Micro-matter")),
        ("proposed_on", _l("Proposed on")),
        ("supports", _l("Supports")),
        ("approved_on", _l("Approved on")),
        ("stage", _l("Reached by the year's end")),
        ("ratings", _l("Ratings")),
        ("average_stars", _l("Average stars")),
    ]
    return Table("matters", _l("Micro-matters from proposal to rating"), columns, rows)


def _rounds(community, start, end):
    rounds = db.session.scalars(
        select(VotingRound)
        .join(RoundResult, RoundResult.round_id == VotingRound.id)
        .where(VotingRound.community_id == community.id, VotingRound.closes_at >= start, VotingRound.closes_at < end)
        .options(selectinload(VotingRound.options), selectinload(VotingRound.result))
        .order_by(VotingRound.closes_at, VotingRound.id)
    ).all()
    rows = []
    for voting_round in rounds:
        result = voting_round.result
        titles = {option.number: option.title for option in voting_round.options}
        rows.append(
            {
                "closed_on": _local_day(voting_round.closes_at),
                "title": voting_round.title,
                "method": str(Method(voting_round.method).label),
                "ballots": result.ballots_counted,
                "electorate": result.electorate,
                "turnout": result.turnout_percent,
                "valid": str(_l("valid") if result.valid else _l("not valid: turnout below the minimum")),
                "winners": "; ".join(titles.get(n, str(n)) for n in result.winners) if result.valid else "",
            }
        )
    columns = [
        ("closed_on", _l("Closed on")),
        ("title", _l("Voting round")),
        ("method", _l("Method")),
        ("ballots", _l("Ballots")),
        ("electorate", _l("Electorate")),
        ("turnout", _l("Turnout (%)")),
        ("valid", _l("Valid")),
        ("winners", _l("Winners")),
    ]
    return Table("rounds", _l("Resident voting rounds"), columns, rows)


def _implementations(community, start, end):
    """Records open at some time in the year: opened before its end and not closed before its start."""
    records = db.session.scalars(
        select(ImplementationRecord)
        .where(
            ImplementationRecord.community_id == community.id,
            ImplementationRecord.created_at < end,
            (ImplementationRecord.closed_at.is_(None)) | (ImplementationRecord.closed_at >= start),
        )
        .options(selectinload(ImplementationRecord.matter))
        .order_by(ImplementationRecord.created_at, ImplementationRecord.id)
    ).all()
    ids = [r.id for r in records]
    first, last = clock.local_date(start), clock.local_date(end)
    spent_year, spent_total = {}, {}
    for rid, amount, day in db.session.execute(
        select(SpendingEntry.record_id, SpendingEntry.amount, SpendingEntry.spent_on).where(
            SpendingEntry.record_id.in_(ids), SpendingEntry.spent_on < last
        )
    ):
        spent_total[rid] = spent_total.get(rid, 0) + amount
        if day >= first:
            spent_year[rid] = spent_year.get(rid, 0) + amount
    rated = _ratings_by_record(ids, end)
    rows = []
    for record in records:
        accepted = record.accepted_on if record.accepted_on is not None and record.accepted_on < last else None
        rows.append(
            {
                "title": record.matter.title,
                "budget": record.approved_budget,
                "spent_in_year": spent_year.get(record.id, 0),
                "spent_to_date": spent_total.get(record.id, 0),
                "planned_end": record.planned_end,
                "accepted_on": accepted,
                "ratings": rated[record.id].count,
                "satisfaction": rated[record.id].rate,
            }
        )
    columns = [
        ("title", _l("Micro-matter")),
        ("budget", _l("Approved budget (yuan)")),
        ("spent_in_year", _l("Spent in the year (yuan)")),
        ("spent_to_date", _l("Spent by the year's end (yuan)")),
        ("planned_end", _l("Planned end")),
        ("accepted_on", _l("Accepted on")),
        ("ratings", _l("Ratings")),
        ("satisfaction", _l("Satisfied (%)")),
    ]
    return Table("implementations", _l("Implementations, money and satisfaction"), columns, rows)


def _notices(community, start, end):
    notices = db.session.scalars(
        select(Notice)
        .where(Notice.community_id == community.id, Notice.published_at >= start, Notice.published_at < end)
        .order_by(Notice.published_at, Notice.id)
    ).all()
    ids = [n.id for n in notices]
    lodged, answered = {}, {}
    for nid, answered_at in db.session.execute(
        select(Objection.notice_id, Objection.answered_at).where(
            Objection.notice_id.in_(ids), Objection.created_at < end
        )
    ):
        lodged[nid] = lodged.get(nid, 0) + 1
        answered[nid] = answered.get(nid, 0) + _by_end(answered_at, end)
    rows = [
        {
            "published_on": _local_day(notice.published_at),
            "kind": str(NoticeKind(notice.kind).label),
            "title": notice.title,
            "period": f"{notice.period_start.isoformat()} – {notice.period_end.isoformat()}",
            "objections": lodged.get(notice.id, 0),
            "answered": answered.get(notice.id, 0),
        }
        for notice in notices
    ]
    columns = [
        ("published_on", _l("Published on")),
        ("kind", _l("Kind")),
        ("title", _l("Notice")),
        ("period", _l("Notice period")),
        ("objections", _l("Objections")),
        ("answered", _l("Answered")),
    ]
    return Table("notices", _l("Notices and objections"), columns, rows)


def _fund(community, year):
    money = fund_services.figures_of(community, year)
    figures = [
        ("allocation", _l("Yearly allocation"), money.allocation),
        ("charity", _l("Charity co-funding"), money.charity),
        ("other", _l("Other sources"), money.other),
        ("sources", _l("Sources in all"), money.sources),
        ("committed", _l("Committed"), money.committed),
        ("payments", _l("Paid"), money.payments),
        ("beyond", _l("Paid beyond the commitments"), money.beyond),
        ("balance", _l("Balance"), money.balance),
    ]
    rows = [{"figure": key, "label": str(label), "yuan": value} for key, label, value in figures]
    columns = [("label", _l("Figure")), ("yuan", _l("Yuan"))]
    return Table("fund", _l("Fund ledger summary"), columns, rows, csv_keys=("figure",))


def _comparison(current, previous, keys=COMPARED):
    """The figures of `keys` this year and the year before, with the change in words and sign."""
    rows = [{"figure": key, "label": str(LABELS[key]), **compare(current[key], previous[key])} for key in keys]
    columns = [
        ("label", _l("Figure")),
        ("this_year", _l("This year")),
        ("previous_year", _l("Previous year")),
        ("change", _l("Change")),
        ("trend", _l("Increase or decrease")),
    ]
    return Table("comparison", _l("Compared with the previous year"), columns, rows, csv_keys=("figure",))


@dataclass
class Report:
    year: int
    comparison: Table
    sections: list  # of Table

    def tables(self):
        """(name, columns, rows) of every table, for the CSV bundle: each row keyed by the columns."""
        for table in (self.comparison, *self.sections):
            yield table.name, [*table.csv_keys, *table.keys], table.rows


def community_report(community, year):
    start, end = year_span(year)
    figures = community_years_figures(community, [year - 1, year])
    comparison = _comparison(figures[year], figures[year - 1])
    sections = [
        _meetings(community, start, end),
        _matters(community, start, end),
        _rounds(community, start, end),
        _implementations(community, start, end),
        _notices(community, start, end),
        _fund(community, year),
    ]
    return Report(year, comparison, sections)


def _street_communities(rows):
    keys = ["community", *COMPARED]
    return Table(
        "communities",
        _l("The communities side by side"),
        [(key, LABELS[key]) for key in keys],
        [{key: row[key] for key in keys} for row in rows],
    )


def street_report(street, year):
    """The street's totals compared with the previous year, then its communities side by side.
    Rates (turnout, on time, satisfaction) are compared per community, not summed."""
    by_year = street_years_figures(street, [year - 1, year])
    rows = by_year[year]
    current, previous = totals(rows), totals(by_year[year - 1])
    comparison = _comparison(current, previous, [key for key in COMPARED if key in current])
    return Report(year, comparison, [_street_communities(rows)])
