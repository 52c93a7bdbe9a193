"""The residents' verdict: evaluation windows, ratings, the summary and the committee's answer."""

from datetime import timedelta

from flask_babel import format_datetime
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from app.communities.permissions import is_verified_resident
from app.core import clock
from app.core.errors import DomainError, FieldError
from app.core.i18n import N_
from app.core.params import checked_date
from app.core.service import rolls_back
from app.core.text import checked_text
from app.extensions import db
from app.matters import behalf
from app.matters.models import Support
from app.rules.services import current_ruleset

from . import permissions, rules
from .models import Evaluation, RecordState, Relation, ResponseKind
from .records import (
    _apply,
    _audit,
    _commit,
    _managing,
    _public_reason,
    _require_manager,
    _tell,
    record_url,
)

MAX_WINDOW_DAYS = 90
DEFAULT_EARLY_CLOSE_MIN = 20  # RuleSet.early_close_min_ratings' default, for a community without rules
MANAGERS_DO_NOT_RATE = _l(
    "The committee members who manage this project cannot rate it: the residents judge their work."
)


def window_summary(window):
    """Everyone's verdict, plus the ratings of the proposer and supporters and of the other residents
    as groups; a group of fewer than rules.MIN_GROUP ratings is not published (None)."""
    evaluations = window.evaluations if window else []
    groups = {
        "supporters": [e.stars for e in evaluations if e.relation in (Relation.PROPOSER, Relation.SUPPORTER)],
        "others": [e.stars for e in evaluations if e.relation == Relation.RESIDENT],
    }
    summary = rules.satisfaction(e.stars for e in evaluations)
    ended = window is not None and window.has_ended()
    return {
        "all": summary,
        **rules.breakdown(groups),
        "comments": [e for e in evaluations if e.comment],
        "below": window is not None and summary.below(window.threshold_percent),
        "needs_response": window is not None
        and rules.needs_response(summary, window.threshold_percent, ended, window.response_kind is not None),
    }


def needs_response(record):
    window = record.current_window
    return window is not None and window_summary(window)["needs_response"]


# ---------------------------------------------------------------- evaluation windows


@rolls_back
def open_evaluation(actor, record, *, closes_on):
    _managing(actor, record, [RecordState.COMPLETED], _l("Residents can rate a project once it has been accepted."))
    closes_on = checked_date(closes_on, "closes_on")
    today = clock.local_today()
    if closes_on < today:
        raise FieldError("closes_on", _l("The last day of rating cannot be in the past."))
    if closes_on > today + timedelta(days=MAX_WINDOW_DAYS):
        raise FieldError("closes_on", _l("The rating window may last at most %(n)s days.", n=MAX_WINDOW_DAYS))
    _apply(
        record,
        "open_evaluation",
        actor,
        closes_on=closes_on.isoformat(),
        closes_at=clock.end_of_local_day(closes_on).isoformat(),
    )
    _commit()
    return record.current_window


def early_close_minimum(record):
    """(ratings needed to end the rating before its date, the rule set saying so) under the rules in force."""
    ruleset = current_ruleset(record.community)
    return (ruleset.early_close_min_ratings if ruleset else DEFAULT_EARLY_CLOSE_MIN), ruleset


@rolls_back
def end_window(actor, record):
    """The committee ends the rating before its last day: only once the rule set's minimum number of
    residents have rated (a handful of early ratings must not decide a two-week evaluation)."""
    _require_manager(actor, record)
    window = record.current_window
    if record.state != RecordState.EVALUATION or window is None or not window.is_open():
        raise DomainError(_l("There is no open evaluation window."))
    ratings = len(window.evaluations)
    minimum, ruleset = early_close_minimum(record)
    if ratings < minimum:
        raise DomainError(
            _l(
                "The rating cannot be ended early yet: it has %(n)s ratings, and the consultation rules "
                "(version %(version)s) ask for at least %(min)s before it may end before its last day. "
                "Otherwise it runs until %(when)s.",
                n=ratings,
                min=minimum,
                version=ruleset.version if ruleset else "-",
                when=format_datetime(window.display_end, "short"),
            )
        )
    window.closes_at, window.ended_early = clock.now(), True
    _audit(
        "tracker.window_ended",
        window,
        actor,
        record,
        ratings=ratings,
        minimum=minimum,
        ruleset_version=ruleset.version if ruleset else None,
    )
    _tell(record, actor, N_("The residents' rating of “%(title)s” has ended."))
    _commit()
    return window


@rolls_back
def respond(actor, record, reason):
    """The committee's public answer to a verdict below the threshold (instead of a rectification)."""
    _require_manager(actor, record)
    window = record.current_window
    if record.state != RecordState.EVALUATION or window is None:
        raise DomainError(_l("There is no evaluation to answer."))
    if not window.has_ended():
        raise DomainError(_l("Wait until the evaluation window has ended."))
    if window.response_kind is not None:
        raise DomainError(_l("The committee has already answered this evaluation."))
    if not window_summary(window)["below"]:
        raise DomainError(_l("Satisfaction reached the threshold; no answer is needed."))
    reason = _public_reason(reason)
    window.response_kind, window.response_reason = ResponseKind.REASON, reason
    window.responded_at, window.responded_by_id = clock.now(), actor.id
    _audit("tracker.response_given", window, actor, record, reason=reason)
    _tell(record, actor, N_("The committee answered the residents' verdict on “%(title)s”: %(reason)s"), reason=reason)
    _commit()
    return window


# ---------------------------------------------------------------- the residents' verdict


def relation_of(user, matter):
    if user.id == matter.proposer_id:
        return Relation.PROPOSER
    supported = db.session.scalar(select(Support.id).where(Support.matter_id == matter.id, Support.user_id == user.id))
    return Relation.SUPPORTER if supported else Relation.RESIDENT


ALREADY_RATED = _l("You have already rated this project. Thank you!")


@rolls_back(conflict=ALREADY_RATED)  # the same rating sent twice at once
def rate(user, record, *, stars, comment="", entered_by=None, channel=None):
    """A verified resident rates, once per window: themselves, or through a committee member or grid
    worker (`entered_by`, `channel`: app/onbehalf)."""
    if not is_verified_resident(user, record.community):
        raise DomainError(_l("Only verified residents of this community can rate."))
    if permissions.manages_record(user, record):
        raise DomainError(MANAGERS_DO_NOT_RATE)
    window = record.current_window
    if record.state != RecordState.EVALUATION or window is None or not window.is_open():
        raise DomainError(_l("Rating is only possible while the evaluation window is open."))
    existing = db.session.scalar(
        select(Evaluation).where(Evaluation.window_id == window.id, Evaluation.user_id == user.id)
    )
    if existing is not None:
        raise DomainError(behalf.duplicate(existing, user, entered_by, ALREADY_RATED))
    if not isinstance(stars, int) or isinstance(stars, bool) or not 1 <= stars <= 5:
        raise FieldError("stars", _l("Please choose from 1 to 5 stars."))
    comment = checked_text(comment, "comment", 500)
    evaluation = Evaluation(
        window=window,
        record_id=record.id,
        user_id=user.id,
        stars=stars,
        comment=comment,
        relation=relation_of(user, record.matter),
    )
    db.session.add(behalf.stamp(evaluation, entered_by, channel))
    actor, on_behalf = behalf.actor_and_data(user, entered_by, channel)
    _audit("tracker.rated", evaluation, actor, record, window=window.number, stars=stars, **on_behalf)
    if entered_by is not None:
        behalf.tell("rating", user, entered_by, channel, record.matter.title, record_url(record, _anchor="evaluation"))
    db.session.commit()
    return evaluation
