"""The fund entries that follow the micro-matters: a commitment on approval (refused when it would
overdraw the year's fund: a transition guard), a payment with each of the tracker's spending
entries, a release of the unspent commitment on acceptance or cancellation.

They are written inside the transaction of the change they follow, so the figures never change
without an entry and an entry never exists without its change; a refusal refuses that change as a
whole."""

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from app.core import clock
from app.core.errors import DomainError, FieldError
from app.councils.models import AgendaItem, MeetingItem, Motion, MotionStatus
from app.extensions import db
from app.matters.lifecycle import Status
from app.tracker.records import create_record
from app.voting.models import RoundOption

from . import ledger
from .ledger import Kind
from .models import FundEntry
from .services import add_entry, closed_message, closing_of, current_year, figures_of, is_opened, require_open_year


def expected_budget(matter):
    """What an approval of `matter` would commit now: the cost on its ballot when residents vote,
    the budget of the council's approval motion, otherwise its estimated cost."""
    if matter.status == Status.IN_VOTE:
        cost = db.session.scalar(
            select(RoundOption.cost).where(RoundOption.matter_id == matter.id).order_by(RoundOption.id.desc()).limit(1)
        )
        if cost is not None:
            return cost
    budget = db.session.scalar(
        select(Motion.budget)
        .join(MeetingItem, Motion.meeting_item_id == MeetingItem.id)
        .join(AgendaItem, MeetingItem.agenda_item_id == AgendaItem.id)
        .where(
            AgendaItem.matter_id == matter.id,
            Motion.kind == "approve",
            Motion.budget.is_not(None),
            Motion.status.not_in([MotionStatus.FAILED, MotionStatus.WITHDRAWN]),
        )
        .order_by(Motion.id.desc())
        .limit(1)
    )
    return budget if budget is not None else matter.estimated_cost or 0


def approval_refusal(community, amount, year=None):
    """Why committing `amount` in the year is refused, or None. A year without any source entry
    has no ledger yet and refuses nothing."""
    if amount <= 0:
        return None  # nothing to commit, no entry
    year = year or current_year()
    if closing_of(community, year) is not None:
        return closed_message(year)
    if not is_opened(community, year):
        return None
    missing = ledger.shortfall(figures_of(community, year).balance, amount)
    if missing:
        return _l(
            "Not enough money left in this year's fund: ¥%(shortfall)s short. "
            "The committee can record an additional source first.",
            shortfall=f"{missing:,}",
        )
    return None


def fund_guard(matter, action):
    """Transition guard: an approval must not overdraw the year's fund."""
    if action != "approve":
        return None
    return approval_refusal(matter.community, expected_budget(matter))


def _matter_entries(matter_id):
    return db.session.scalars(select(FundEntry).where(FundEntry.matter_id == matter_id)).all()


def _commitment_year(entries):
    years = [e.year for e in entries if e.kind == Kind.COMMITMENT]
    return max(years) if years else None


def _position(entries, year, matter_id):
    return ledger.matter_position([e.as_ledger_entry() for e in entries if e.year == year], matter_id)


def _add_for_matter(matter, year, kind, amount, actor, action):
    """An entry the micro-matter's lifecycle makes by itself, dated today."""
    return add_entry(
        matter.community_id, year, kind, amount, actor, action, matter_id=matter.id, entry_date=clock.local_today()
    )


def commit_approval(matter, actor, data):
    """On approval: commit the approved budget (the implementation record's) in the current year."""
    budget = create_record(matter, actor, data).approved_budget
    if budget <= 0:
        return None
    year = current_year()
    refusal = approval_refusal(matter.community, budget, year)
    if refusal:
        raise DomainError(refusal)
    return _add_for_matter(matter, year, Kind.COMMITMENT, budget, actor, "fund.commitment_recorded")


def release_unspent(matter, actor):
    """On acceptance or cancellation: what the work did not use goes back to the year it was committed in."""
    entries = _matter_entries(matter.id)
    year = _commitment_year(entries)
    if year is None:
        return None
    committed, paid = _position(entries, year, matter.id)
    amount = ledger.unspent(committed, paid)
    if not amount:
        return None
    require_open_year(matter.community, year)
    return _add_for_matter(matter, year, Kind.RELEASE, amount, actor, "fund.release_recorded")


def on_transition(matter, action=None, actor=None, data=None, **_extra):
    if action == "approve":
        commit_approval(matter, actor, data or {})
    elif action in ("complete", "cancel"):  # delivered under budget, or not delivered at all
        release_unspent(matter, actor)


def on_spending(spending, actor=None, reason="", **_extra):
    """A payment for each of the tracker's spending entries, in the year its matter was committed
    in. A payment beyond the commitment needs the public reason the person gave. (A matter
    approved before its community kept a ledger has no commitment: its payments count in the
    year they were made, and the tracker's own budget rule asks for the reason.)"""
    db.session.flush()  # the spending entry's id, for the payment that follows it
    record = spending.record
    entries = _matter_entries(record.matter_id)
    year = _commitment_year(entries)
    beyond = 0
    if year is None:
        year = spending.spent_on.year
    else:
        committed, paid = _position(entries, year, record.matter_id)
        beyond = ledger.beyond_commitment(committed, paid, spending.amount)
        if beyond and not reason:
            raise FieldError(
                "over_budget_reason",
                _l(
                    "This payment goes ¥%(beyond)s beyond what the fund committed to this micro-matter "
                    "(¥%(committed)s): please give the reason (it will be published).",
                    beyond=beyond,
                    committed=max(committed, 0),
                ),
            )
    require_open_year(record.community, year)
    return add_entry(
        record.community_id,
        year,
        Kind.PAYMENT,
        spending.amount,
        actor,
        "fund.payment_recorded",
        matter_id=record.matter_id,
        spending_id=spending.id,
        reason=reason if beyond else "",
        entry_date=spending.spent_on,
    )
