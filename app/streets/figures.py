"""A community's figures for one calendar year, read from every feature's records, and a street's
communities side by side. The street dashboard and the yearly record (台账) both use them.

Money comes from the fund ledger (app/fund), volunteer hours from 五社联动 (app/partners),
satisfaction from the tracker's rules; nothing is typed in, so a closed year gives the same figures
every time it is read."""

from datetime import date, datetime

from sqlalchemy import case, func, select

from app.core import clock
from app.councils.models import Meeting, MeetingItem, MeetingStatus, Motion, MotionStatus
from app.extensions import db
from app.fund import services as fund_services
from app.matters.lifecycle import OUT_OF_TOTALS
from app.matters.models import MicroMatter, Support
from app.partners import rules as partner_rules
from app.partners.models import DeliveryTask, SignupStatus, TaskSignup
from app.tracker.figures import withhold_small_groups
from app.tracker.models import Evaluation, ImplementationRecord, Rectification
from app.tracker.rules import satisfaction
from app.voting.models import RoundResult, VotingRound

from . import rules

# The table's columns, in order; each is a sort key ("-key" sorts descending).
COLUMNS = (
    "community",
    "matters",
    "supports",
    "meetings",
    "decisions",
    "rounds",
    "turnout",
    "invalid_rounds",
    "accepted",
    "on_time",
    "ratings",
    "satisfaction",
    "average_stars",
    "rectifications",
    "allocated",
    "committed",
    "spent",
    "partners",
    "tasks",
    "volunteer_hours",
    "charity",
)
NUMERIC = COLUMNS[1:]


def year_span(year):
    """[start, end) of the local calendar year as the naive UTC the models store."""
    return clock.to_utc(datetime(year, 1, 1)), clock.to_utc(datetime(year + 1, 1, 1))


def _within(column, years):
    """`column` falls in one of `years` (consecutive years, oldest first)."""
    start, end = year_span(years[0])[0], year_span(years[-1])[1]
    return (column >= start) & (column < end)


def _year_of(column, years):
    """SQL: which of `years` (consecutive, oldest first) `column` falls in (with _within), labelled
    for GROUP BY: the label, unlike the expression's bound values, is the same in both clauses."""
    return case(*((column < year_span(year)[1], year) for year in years)).label("in_year")


def _counts(statement):
    return {(cid, year): int(n or 0) for cid, year, n in db.session.execute(statement).all()}


def _grouped_counts(ids, years):
    """{name: {(community id, year): count}} of the years' activity, a query grouped by both each."""
    in_ids = MicroMatter.community_id.in_(ids)

    def per_year(community_id, column, counted):
        return select(community_id, _year_of(column, years), func.count(counted)).group_by(community_id, "in_year")

    return {
        "matters": _counts(
            per_year(MicroMatter.community_id, MicroMatter.submitted_at, MicroMatter.id).where(
                in_ids, _within(MicroMatter.submitted_at, years), MicroMatter.status.not_in(OUT_OF_TOTALS)
            )
        ),
        "supports": _counts(
            per_year(MicroMatter.community_id, Support.created_at, Support.id)
            .join(MicroMatter, MicroMatter.id == Support.matter_id)
            .where(in_ids, _within(Support.created_at, years), MicroMatter.status.not_in(OUT_OF_TOTALS))
        ),
        "meetings": _counts(
            per_year(Meeting.community_id, Meeting.starts_at, Meeting.id).where(
                Meeting.community_id.in_(ids),
                Meeting.status == MeetingStatus.CLOSED,
                _within(Meeting.starts_at, years),
            )
        ),
        "decisions": _counts(
            per_year(Meeting.community_id, Motion.decided_at, Motion.id)
            .join(MeetingItem, MeetingItem.id == Motion.meeting_item_id)
            .join(Meeting, Meeting.id == MeetingItem.meeting_id)
            .where(
                Meeting.community_id.in_(ids),
                Motion.status.in_((MotionStatus.PASSED, MotionStatus.FAILED)),
                _within(Motion.decided_at, years),
            )
        ),
        "rectifications": _counts(
            per_year(ImplementationRecord.community_id, Rectification.opened_at, Rectification.id)
            .join(ImplementationRecord, ImplementationRecord.id == Rectification.record_id)
            .where(ImplementationRecord.community_id.in_(ids), _within(Rectification.opened_at, years))
        ),
    }


def _rounds(ids, years):
    """{(community id, year): (rounds counted, ballots, electorate, not valid)} of rounds closing in the years."""
    out = {}
    for cid, year, ballots, electorate, valid in db.session.execute(
        select(
            VotingRound.community_id,
            _year_of(VotingRound.closes_at, years),
            RoundResult.ballots_counted,
            RoundResult.electorate,
            RoundResult.valid,
        )
        .join(RoundResult, RoundResult.round_id == VotingRound.id)
        .where(VotingRound.community_id.in_(ids), _within(VotingRound.closes_at, years))
    ):
        n, b, e, invalid = out.get((cid, year), (0, 0, 0, 0))
        out[cid, year] = (n + 1, b + ballots, e + electorate, invalid + (not valid))
    return out


def _by_community_and_year(ids, years):
    return {(cid, year): [] for cid in ids for year in years}


def _deliveries(ids, years):
    """{(community id, year): [(planned end, accepted on)]} of records first accepted in the years."""
    out = _by_community_and_year(ids, years)
    for cid, planned_end, accepted_on in db.session.execute(
        select(
            ImplementationRecord.community_id, ImplementationRecord.planned_end, ImplementationRecord.accepted_on
        ).where(
            ImplementationRecord.community_id.in_(ids),
            ImplementationRecord.accepted_on >= date(years[0], 1, 1),
            ImplementationRecord.accepted_on < date(years[-1] + 1, 1, 1),
        )
    ):
        out[cid, accepted_on.year].append((planned_end, accepted_on))
    return out


def _stars(ids, years):
    out = _by_community_and_year(ids, years)
    for cid, year, stars in db.session.execute(
        select(ImplementationRecord.community_id, _year_of(Evaluation.created_at, years), Evaluation.stars)
        .join(ImplementationRecord, ImplementationRecord.id == Evaluation.record_id)
        .where(ImplementationRecord.community_id.in_(ids), _within(Evaluation.created_at, years))
    ):
        out[cid, year].append(stars)
    return out


def _delivery(ids, years, charity):
    """{(community id, year): 五社联动 in the year}: partners taking part, delivery tasks, volunteer
    minutes, charity money raised (the committee dashboard's figures, by its rule), or None for a
    year without any. `charity` is {(community id, year): yuan raised}."""
    within = (DeliveryTask.task_date >= date(years[0], 1, 1)) & (DeliveryTask.task_date < date(years[-1] + 1, 1, 1))
    tasks = {cid: [] for cid in ids}
    for cid, day in db.session.execute(
        select(DeliveryTask.community_id, DeliveryTask.task_date).where(DeliveryTask.community_id.in_(ids), within)
    ):
        tasks[cid].append(day.year)
    partners, volunteers = {cid: [] for cid in ids}, {cid: [] for cid in ids}
    for cid, day, partner_id, volunteer_id, minutes in db.session.execute(
        select(
            DeliveryTask.community_id,
            DeliveryTask.task_date,
            TaskSignup.partner_id,
            TaskSignup.volunteer_id,
            TaskSignup.minutes,
        )
        .join(DeliveryTask, DeliveryTask.id == TaskSignup.task_id)
        .where(DeliveryTask.community_id.in_(ids), within, TaskSignup.status == SignupStatus.CONFIRMED)
    ):
        if partner_id is not None:
            partners[cid].append((day.year, partner_id))
        if volunteer_id is not None:
            volunteers[cid].append((day.year, volunteer_id, minutes))
    out = _by_community_and_year(ids, years)
    for cid in ids:
        raised = {year: charity[cid, year] for year in years}
        by_year = {f.year: f for f in partner_rules.figures_by_year(tasks[cid], partners[cid], volunteers[cid], raised)}
        out.update({(cid, year): by_year.get(year) for year in years})
    return out


def _rows(communities, years):
    """{year: the communities' rows} for consecutive `years` (oldest first), in a fixed number of
    statements whatever the number of communities and years."""
    ids = [c.id for c in communities]
    counts = _grouped_counts(ids, years)
    rounds, deliveries, stars = _rounds(ids, years), _deliveries(ids, years), _stars(ids, years)
    money = fund_services.figures_by(ids, years)
    budgets = fund_services.annual_budgets_by_year(communities, years)
    delivered = _delivery(ids, years, {key: figures.charity for key, figures in money.items()})
    rows = {year: [] for year in years}
    for year in years:
        for community in communities:
            key = (community.id, year)
            n_rounds, ballots, electorate, invalid = rounds.get(key, (0, 0, 0, 0))
            rated = satisfaction(stars[key])
            fund, delivery = money[key], delivered[key]
            minutes = delivery.minutes if delivery else 0
            rows[year].append(
                {
                    "community_id": community.id,
                    "community": community.name,
                    "slug": community.slug,
                    "year": year,
                    **{name: by_key.get(key, 0) for name, by_key in counts.items()},
                    "rounds": n_rounds,
                    "turnout": rules.turnout_percent(ballots, electorate),
                    "invalid_rounds": invalid,
                    "accepted": len(deliveries[key]),
                    "on_time": rules.on_time_percent(deliveries[key]),
                    "ratings": rated.count,
                    "satisfaction": rated.rate,
                    "average_stars": rated.average,
                    "allocated": budgets[key],
                    "committed": fund.committed,
                    "spent": fund.payments,
                    "partners": delivery.partners if delivery else 0,
                    "tasks": delivery.tasks if delivery else 0,
                    "volunteer_minutes": minutes,
                    "volunteer_hours": round(minutes / 60, 1),
                    "charity": delivery.charity if delivery else 0,
                }
            )
    return rows


def community_year_figures(community, year):
    """One community's figures for the calendar year `year` (a dict keyed by COLUMNS, plus
    community_id, slug, year and volunteer_minutes). Its own satisfaction is shown whole."""
    return community_years_figures(community, [year])[year]


def community_years_figures(community, years):
    """{year: community_year_figures} for consecutive `years` (oldest first), read together."""
    return {year: rows[0] for year, rows in _rows([community], years).items()}


def street_year_figures(street, year, sort=None):
    """The street's communities side by side for `year`, sorted by `sort` (see sort_rows). Side by
    side, a satisfaction resting on too few ratings is withheld (the tracker's rule)."""
    return sort_rows(street_years_figures(street, [year])[year], sort)


def street_years_figures(street, years):
    """{year: street_year_figures sorted by community} for consecutive `years` (oldest first), read together."""
    communities = list(street.communities)
    by_year = _rows(communities, years) if communities else {year: [] for year in years}
    return {year: sort_rows(withhold_small_groups(rows), None) for year, rows in by_year.items()}


def totals(rows):
    """The street's total row: sums of the counts, turnout and rates left out (not averages of averages)."""
    summed = ("matters", "supports", "meetings", "decisions", "rounds", "invalid_rounds", "accepted")
    summed += ("ratings", "rectifications", "allocated", "committed", "spent", "partners", "tasks")
    summed += ("volunteer_minutes", "charity")
    out = {key: sum(row[key] for row in rows) for key in summed}
    out["volunteer_hours"] = round(out["volunteer_minutes"] / 60, 1)
    return out


def sort_rows(rows, sort):
    """Sort by `sort` ("key" ascending, "-key" descending; unknown keys sort by community);
    missing values (None, withheld) always come last."""
    sort = sort or "community"
    descending = sort.startswith("-")
    key = sort.lstrip("-")
    if key not in COLUMNS:
        key, descending = "community", False
    present = sorted(
        (r for r in rows if r[key] is not None), key=lambda r: (r[key], r["community"]), reverse=descending
    )
    return present + sorted((r for r in rows if r[key] is None), key=lambda r: r["community"])
