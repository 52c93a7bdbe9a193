"""Recording acts for residents (代录) and the lists of what was entered.

Each act goes through the service that takes the resident's own (matters: create_matter, support,
add_comment; tracker: rate) with `entered_by` and `channel`: the same rules, the same row, the
resident's name on it, one transaction. Before that, here: who may enter, for whom, through which
channel, the resident's agreement, and the rule set's daily cap per worker (the community's local day).
"""

from dataclasses import dataclass
from datetime import datetime, time, timedelta

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, literal, select, union_all
from sqlalchemy.orm import aliased
from werkzeug.exceptions import NotFound

from app.auth.models import User
from app.core import clock
from app.core.errors import FieldError
from app.core.params import parse_id
from app.core.service import get_row, require
from app.core.vocabulary import EntryChannel
from app.extensions import db
from app.matters import permissions as matter_permissions
from app.matters import services as matters
from app.matters.lifecycle import Status
from app.matters.models import Comment, MicroMatter, Support
from app.rules.services import current_ruleset
from app.tracker import rating
from app.tracker.models import Evaluation, EvaluationWindow, ImplementationRecord, RecordState

from . import permissions


class Kind:
    PROPOSAL, SUPPORT, COMMENT, RATING = "proposal", "support", "comment", "rating"


KIND_LABELS = {
    Kind.PROPOSAL: _l("Proposal"),
    Kind.SUPPORT: _l("Support"),
    Kind.COMMENT: _l("Comment"),
    Kind.RATING: _l("Rating"),
}
DEFAULT_CAP = 30
SUMMARY_DAYS = 30
CHOICES_MAX = 50  # micro-matters offered in a form's list (the newest first)
PAGE_MAX = 100  # entries a page lists (the newest first; a day, a worker or the CSV has them all)


# ---------------------------------------------------------------- looking things up


def get_resident(actor, community, user_id):
    """The verified resident this person may record for, or 404 (anyone else is not found here)."""
    resident = get_row(User, user_id)
    if resident is None or not permissions.can_enter_for(actor, resident, community):
        raise NotFound()
    return resident


def find_residents(community, query, limit=20):
    """Verified members whose name or address contains every word of `query` (nothing for no words)."""
    from app.communities.services import member_directory

    if not (query or "").split():
        return []
    return member_directory(community, query, page=1, per_page=limit).items


def matters_to_support(community, resident):
    """Micro-matters collecting supports that the resident did not propose and has not supported."""
    supported = select(Support.matter_id).where(Support.user_id == resident.id)
    return db.session.scalars(
        select(MicroMatter)
        .where(
            MicroMatter.community_id == community.id,
            MicroMatter.status == Status.COLLECTING,
            MicroMatter.proposer_id != resident.id,
            MicroMatter.id.not_in(supported),
        )
        .order_by(MicroMatter.id.desc())
        .limit(CHOICES_MAX)
    ).all()


def matters_to_comment(community):
    return db.session.scalars(
        select(MicroMatter)
        .where(MicroMatter.community_id == community.id, MicroMatter.status.not_in(matter_permissions.NO_COMMENTS))
        .order_by(MicroMatter.id.desc())
        .limit(CHOICES_MAX)
    ).all()


def records_to_rate(community, resident):
    """Implementations whose rating window is open and that the resident has not rated."""
    rated = select(Evaluation.window_id).where(Evaluation.user_id == resident.id)
    now = clock.now()
    return db.session.scalars(
        select(ImplementationRecord)
        .join(EvaluationWindow, EvaluationWindow.record_id == ImplementationRecord.id)
        .where(
            ImplementationRecord.community_id == community.id,
            ImplementationRecord.state == RecordState.EVALUATION,
            EvaluationWindow.opens_at <= now,
            EvaluationWindow.closes_at > now,
            EvaluationWindow.id.not_in(rated),
        )
        .order_by(ImplementationRecord.id.desc())
    ).all()


def _chosen(model, community, value, field):
    """The row of the community that the form's list named; whether the act is possible on it (still
    collecting, not yet supported ...) is the act's own service's to say."""
    row = get_row(model, parse_id(value))
    if row is None or row.community_id != community.id:
        raise FieldError(field, _l("Please choose from the list."))
    return row


# ---------------------------------------------------------------- every entry, from the acts' own rows


def _acts(community=None):
    """One select of every act entered on behalf in the community (None: everywhere): kind,
    resident, worker, channel, time and the micro-matter it concerns."""

    def columns(kind, model, resident):
        return (
            literal(kind).label("kind"),
            model.id.label("act_id"),
            resident.label("resident_id"),
            model.entered_by_id.label("worker_id"),
            model.channel.label("channel"),
            model.created_at.label("created_at"),
            MicroMatter.id.label("matter_id"),
            MicroMatter.title.label("title"),
        )

    here = MicroMatter.community_id == community.id if community is not None else MicroMatter.id.is_not(None)
    return union_all(
        select(*columns(Kind.PROPOSAL, MicroMatter, MicroMatter.proposer_id)).where(
            here, MicroMatter.entered_by_id.is_not(None)
        ),
        select(*columns(Kind.SUPPORT, Support, Support.user_id))
        .join(MicroMatter, MicroMatter.id == Support.matter_id)
        .where(here, Support.entered_by_id.is_not(None)),
        select(*columns(Kind.COMMENT, Comment, Comment.author_id))
        .join(MicroMatter, MicroMatter.id == Comment.matter_id)
        .where(here, Comment.entered_by_id.is_not(None)),
        select(*columns(Kind.RATING, Evaluation, Evaluation.user_id))
        .join(ImplementationRecord, ImplementationRecord.id == Evaluation.record_id)
        .join(MicroMatter, MicroMatter.id == ImplementationRecord.matter_id)
        .where(here, Evaluation.entered_by_id.is_not(None)),
    ).subquery()


def _local_day_bounds(day):
    start = clock.to_utc(datetime.combine(day, time(0)))
    return start, clock.end_of_local_day(day)


def entered_today(worker, community):
    """How many acts `worker` entered for residents of the community today (the local day)."""
    acts = _acts(community)
    start, end = _local_day_bounds(clock.local_today())
    return db.session.scalar(
        select(func.count())
        .select_from(acts)
        .where(acts.c.worker_id == worker.id, acts.c.created_at >= start, acts.c.created_at < end)
    )


def daily_cap(community):
    ruleset = current_ruleset(community)
    return ruleset.on_behalf_daily_cap if ruleset is not None else DEFAULT_CAP


@dataclass
class Entry:
    kind: str
    act_id: int
    resident: User
    worker: User
    channel: str
    created_at: datetime
    matter_id: int
    title: str

    @property
    def kind_label(self):
        return KIND_LABELS.get(self.kind, self.kind)

    @property
    def local_day(self):
        return clock.local_date(self.created_at)


def entries(community, *, worker=None, day=None, resident=None, limit=None):
    """The entries on behalf, newest first: of one worker, one local day, one resident, or all (in
    every community with `community` None)."""
    acts = _acts(community)
    residents, workers = aliased(User), aliased(User)
    query = (
        select(acts, residents, workers)
        .join(residents, residents.id == acts.c.resident_id)
        .join(workers, workers.id == acts.c.worker_id)
        .order_by(acts.c.created_at.desc(), acts.c.act_id.desc())
    )
    if worker is not None:
        query = query.where(acts.c.worker_id == worker.id)
    if resident is not None:
        query = query.where(acts.c.resident_id == resident.id)
    if day is not None:
        start, end = _local_day_bounds(day)
        query = query.where(acts.c.created_at >= start, acts.c.created_at < end)
    if limit is not None:
        query = query.limit(limit)
    return [
        Entry(row.kind, row.act_id, row[-2], row[-1], row.channel, row.created_at, row.matter_id, row.title)
        for row in db.session.execute(query)
    ]


def daily_summary(community, *, worker=None, days=SUMMARY_DAYS):
    """[(local day, worker, {channel: count}, total)] for the last `days` days, newest first."""
    acts = _acts(community)
    since = clock.to_utc(datetime.combine(clock.local_today() - timedelta(days=days - 1), time(0)))
    query = select(acts.c.worker_id, acts.c.channel, acts.c.created_at).where(acts.c.created_at >= since)
    if worker is not None:
        query = query.where(acts.c.worker_id == worker.id)
    counts: dict = {}
    for worker_id, channel, created_at in db.session.execute(query):
        per_channel = counts.setdefault((clock.local_date(created_at), worker_id), {})
        per_channel[channel] = per_channel.get(channel, 0) + 1
    people = {u.id: u for u in db.session.scalars(select(User).where(User.id.in_({w for _, w in counts})))}
    return [
        (day, people[worker_id], per_channel, sum(per_channel.values()))
        for (day, worker_id), per_channel in sorted(
            counts.items(), key=lambda item: (item[0][0], item[0][1]), reverse=True
        )
    ]


def personal_rows(user):
    """For the person's data export: (acts entered for them, acts they entered for residents), each
    a list of dicts."""

    def row(entry, other_key, other):
        return {
            "kind": entry.kind,
            "matter_id": entry.matter_id,
            "title": entry.title,
            "channel": entry.channel,
            other_key: other.display_name,
            "created_at": entry.created_at,
        }

    return (
        [row(e, "entered_by", e.worker) for e in entries(None, resident=user)],
        [row(e, "resident", e.resident) for e in entries(None, worker=user)],
    )


CSV_COLUMNS = ["date", "time", "worker", "resident", "kind", "matter_id", "title", "channel"]


def csv_rows(found):
    for entry in found:
        local = clock.to_local(entry.created_at)
        yield {
            "date": local.date().isoformat(),
            "time": local.strftime("%H:%M"),
            "worker": entry.worker.display_name,
            "resident": entry.resident.display_name,
            "kind": str(entry.kind_label),
            "matter_id": entry.matter_id,
            "title": entry.title,
            "channel": EntryChannel.label_of(entry.channel),
        }


# ---------------------------------------------------------------- recording


def _check(actor, community, resident, channel, agreed):
    """What every entry needs before the act's own service checks the act."""
    require(
        permissions.can_enter_for(actor, resident, community),
        _l("Only the committee and grid workers record acts for verified residents of this community."),
    )
    if channel not in set(EntryChannel):
        raise FieldError("channel", _l("Please choose how the resident told you."))
    if not agreed:
        raise FieldError("agreed", _l("Tick the box to confirm that the resident agreed."))
    cap = daily_cap(community)
    require(
        entered_today(actor, community) < cap,
        _l("You have reached today's limit of %(n)s entries for residents; the rest can wait until tomorrow.", n=cap),
    )
    return EntryChannel(channel)


def propose(actor, community, resident, *, channel, agreed, **fields):
    """A proposal for the resident, submitted at once (a paper form is a proposal they handed in)."""
    channel = _check(actor, community, resident, channel, agreed)
    return matters.create_matter(resident, community, submit=True, entered_by=actor, channel=channel, **fields)


def support(actor, community, resident, *, matter_id, channel, agreed):
    matter = _chosen(MicroMatter, community, matter_id, "matter")
    channel = _check(actor, community, resident, channel, agreed)
    matters.support(resident, matter, entered_by=actor, channel=channel)
    return matter


def comment(actor, community, resident, *, matter_id, stance, body, channel, agreed):
    matter = _chosen(MicroMatter, community, matter_id, "matter")
    channel = _check(actor, community, resident, channel, agreed)
    return matters.add_comment(resident, matter, stance, body, entered_by=actor, channel=channel)


def rate(actor, community, resident, *, record_id, stars, comment="", channel, agreed):
    record = _chosen(ImplementationRecord, community, record_id, "record")
    channel = _check(actor, community, resident, channel, agreed)
    return rating.rate(resident, record, stars=stars, comment=comment, entered_by=actor, channel=channel)
