"""A community's figures for one calendar year, read from every feature's records, and a street's
communities side by side. The street dashboard and the yearly record (台账) both use them.

Money comes from the fund ledger (app/fund), volunteer hours from 五社联动 (app/partners),
satisfaction from the tracker's rules; nothing is typed in, so a closed year gives the same figures
every time it is read."""

from datetime import date, datetime

from sqlalchemy import func, select

from app.core import clock
from app.councils.models import Meeting, MeetingItem, MeetingStatus, Motion, MotionStatus
from app.extensions import db
from app.fund import services as fund_services
from app.matters.lifecycle import OUT_OF_TOTALS
from app.matters.models import MicroMatter, Support
from app.partners import money as partner_money
from app.partners import who_delivered
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


def _within(column, year):
    start, end = year_span(year)
    return (column >= start) & (column < end)


def _counts(statement):
    return {cid: int(n or 0) for cid, n in db.session.execute(statement).all()}


def _grouped_counts(ids, year):
    """{name: {community id: count}} of the year's activity, a grouped query each."""
    in_ids = MicroMatter.community_id.in_(ids)
    return {
        "matters": _counts(
            select(MicroMatter.community_id, func.count(MicroMatter.id))
            .where(in_ids, _within(MicroMatter.submitted_at, year), MicroMatter.status.not_in(OUT_OF_TOTALS))
            .group_by(MicroMatter.community_id)
        ),
        "supports": _counts(
            select(MicroMatter.community_id, func.count(Support.id))
            .join(MicroMatter, MicroMatter.id == Support.matter_id)
            .where(in_ids, _within(Support.created_at, year), MicroMatter.status.not_in(OUT_OF_TOTALS))
            .group_by(MicroMatter.community_id)
        ),
        "meetings": _counts(
            select(Meeting.community_id, func.count(Meeting.id))
            .where(
                Meeting.community_id.in_(ids),
                Meeting.status == MeetingStatus.CLOSED,
                _within(Meeting.starts_at, year),
            )
            .group_by(Meeting.community_id)
        ),
        "decisions": _counts(
            select(Meeting.community_id, func.count(Motion.id))
            .join(MeetingItem, MeetingItem.id == Motion.meeting_item_id)
            .join(Meeting, Meeting.id == MeetingItem.meeting_id)
            .where(
                Meeting.community_id.in_(ids),
                Motion.status.in_((MotionStatus.PASSED, MotionStatus.FAILED)),
                _within(Motion.decided_at, year),
            )
            .group_by(Meeting.community_id)
        ),
        "rectifications": _counts(
            select(ImplementationRecord.community_id, func.count(Rectification.id))
            .join(ImplementationRecord, ImplementationRecord.id == Rectification.record_id)
            .where(ImplementationRecord.community_id.in_(ids), _within(Rectification.opened_at, year))
            .group_by(ImplementationRecord.community_id)
        ),
    }


def _rounds(ids, year):
    """{community id: (rounds counted, ballots, electorate, not valid)} of rounds closing in the year."""
    out = {}
    for cid, ballots, electorate, valid in db.session.execute(
        select(VotingRound.community_id, RoundResult.ballots_counted, RoundResult.electorate, RoundResult.valid)
        .join(RoundResult, RoundResult.round_id == VotingRound.id)
        .where(VotingRound.community_id.in_(ids), _within(VotingRound.closes_at, year))
    ):
        n, b, e, invalid = out.get(cid, (0, 0, 0, 0))
        out[cid] = (n + 1, b + ballots, e + electorate, invalid + (not valid))
    return out


def _deliveries(ids, year):
    """{community id: [(planned end, accepted on)]} of records first accepted in the year."""
    out = {cid: [] for cid in ids}
    for cid, planned_end, accepted_on in db.session.execute(
        select(
            ImplementationRecord.community_id, ImplementationRecord.planned_end, ImplementationRecord.accepted_on
        ).where(
            ImplementationRecord.community_id.in_(ids),
            ImplementationRecord.accepted_on >= date(year, 1, 1),
            ImplementationRecord.accepted_on < date(year + 1, 1, 1),
        )
    ):
        out[cid].append((planned_end, accepted_on))
    return out


def _stars(ids, year):
    out = {cid: [] for cid in ids}
    for cid, stars in db.session.execute(
        select(ImplementationRecord.community_id, Evaluation.stars)
        .join(ImplementationRecord, ImplementationRecord.id == Evaluation.record_id)
        .where(ImplementationRecord.community_id.in_(ids), _within(Evaluation.created_at, year))
    ):
        out[cid].append(stars)
    return out


def _delivery(community, year):
    """五社联动 in the year: partners taking part, delivery tasks, volunteer minutes, charity money raised
    (the committee dashboard's figures), or None for a year without any."""
    rows = who_delivered.year_figures(community, partner_money.charity_by_year(community))
    return next((f for f in rows if f.year == year), None)


def _rows(communities, year):
    ids = [c.id for c in communities]
    counts = _grouped_counts(ids, year)
    rounds, deliveries, stars = _rounds(ids, year), _deliveries(ids, year), _stars(ids, year)
    rows = []
    for community in communities:
        n_rounds, ballots, electorate, invalid = rounds.get(community.id, (0, 0, 0, 0))
        rated = satisfaction(stars[community.id])
        money = fund_services.figures_of(community, year)
        delivery = _delivery(community, year)
        minutes = delivery.minutes if delivery else 0
        rows.append(
            {
                "community_id": community.id,
                "community": community.name,
                "slug": community.slug,
                "year": year,
                **{name: by_community.get(community.id, 0) for name, by_community in counts.items()},
                "rounds": n_rounds,
                "turnout": rules.turnout_percent(ballots, electorate),
                "invalid_rounds": invalid,
                "accepted": len(deliveries[community.id]),
                "on_time": rules.on_time_percent(deliveries[community.id]),
                "ratings": rated.count,
                "satisfaction": rated.rate,
                "average_stars": rated.average,
                "allocated": fund_services.annual_budget(community, year),
                "committed": money.committed,
                "spent": money.payments,
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
    return _rows([community], year)[0]


def street_year_figures(street, year, sort=None):
    """The street's communities side by side for `year`, sorted by `sort` (see sort_rows). Side by
    side, a satisfaction resting on too few ratings is withheld (the tracker's rule)."""
    rows = withhold_small_groups(_rows(list(street.communities), year)) if street.communities else []
    return sort_rows(rows, sort)


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
