"""The one state machine every micro-matter travels (ARCHITECTURE.md, "The lifecycle, its guards and signals").

Every feature moves a matter only through `apply()`: it checks the action is
allowed from the current state and by this actor, records the change in the
audit log, and notifies the proposer, supporters and followers.
"""

from dataclasses import dataclass

from blinker import Namespace
from flask_babel import lazy_gettext as _l

from app.audit.services import record
from app.communities import permissions
from app.core import clock
from app.core.errors import DomainError
from app.core.i18n import N_
from app.core.labels import Labelled
from app.core.urls import path_for
from app.notifications.services import notify


class Status(Labelled):
    DRAFT = "draft", N_("Draft")
    COLLECTING = "collecting", N_("Collecting supports")  # submitted, collecting supports
    UNDER_REVIEW = "under_review", N_("Under review")
    ON_AGENDA = "on_agenda", N_("On the agenda list")
    NOT_ADMITTED = "not_admitted", N_("Not admitted")
    IN_VOTE = "in_vote", N_("In a resident vote")  # referred to a resident voting round
    APPROVED = "approved", N_("Approved")
    REJECTED = "rejected", N_("Rejected")
    IMPLEMENTING = "implementing", N_("Being implemented")
    COMPLETED = "completed", N_("Completed (accepted)")  # accepted (验收), waiting for the residents' verdict
    EVALUATING = "evaluating", N_("Residents are rating it")
    RECTIFYING = "rectifying", N_("Rectification")  # 整改
    CLOSED = "closed", N_("Closed")
    WITHDRAWN = "withdrawn", N_("Withdrawn")
    CANCELLED = "cancelled", N_("Cancelled after approval")
    HIDDEN = "hidden", N_("Hidden by the committee")  # app.moderation: its page says why, its content is withheld


# Left out of every public list and total: drafts (private) and matters the committee hid.
OUT_OF_TOTALS = frozenset({Status.DRAFT, Status.HIDDEN})
# Before any review (withdrawing and hiding happen only from a draft or while collecting): no
# review, agenda entry, vote or delivery can exist yet, so their panels need not look.
BEFORE_REVIEW = frozenset({Status.DRAFT, Status.COLLECTING, Status.HIDDEN, Status.WITHDRAWN})


# Other features react to a move (e.g. an approval opens an implementation record) by
# connecting to this signal: receiver(matter, action=..., actor=..., data={...}),
# called inside the same transaction, before the caller commits.
matter_transitioned = Namespace().signal("matter-transitioned")

# Features that can hold a matter back (e.g. an objection awaiting an answer during a
# notice period) add a guard from their init_app: guard(matter, action) -> a message, or None
# to allow. Asked in the order added (the plug-in list); adding one twice changes nothing.
TRANSITION_GUARDS = []


def add_guard(guard):
    if guard not in TRANSITION_GUARDS:
        TRANSITION_GUARDS.append(guard)


# The order stages are shown in (lists, dashboards, filters).
STAGES = list(Status)


def status_label(status):
    return Status.label_of(status)


def _proposer(user, matter):
    return bool(getattr(user, "is_authenticated", False)) and user.id == matter.proposer_id


def _committee(user, matter):
    return permissions.is_committee(user, matter.community)


@dataclass(frozen=True)
class Transition:
    sources: frozenset
    target: Status
    allowed: object = None  # predicate (user, matter) -> bool; None: only the system decides
    needs_reason: bool = False


TRANSITIONS = {
    "submit": Transition(frozenset({Status.DRAFT}), Status.COLLECTING, _proposer),
    "withdraw": Transition(frozenset({Status.DRAFT, Status.COLLECTING}), Status.WITHDRAWN, _proposer),
    "reach_threshold": Transition(frozenset({Status.COLLECTING}), Status.UNDER_REVIEW),
    "admit": Transition(frozenset({Status.UNDER_REVIEW}), Status.ON_AGENDA, _committee),
    "decline": Transition(frozenset({Status.UNDER_REVIEW}), Status.NOT_ADMITTED, _committee, needs_reason=True),
    # Decisions: a council vote or a resident round's result, applied by their services.
    "refer_to_vote": Transition(frozenset({Status.ON_AGENDA}), Status.IN_VOTE),
    "approve": Transition(frozenset({Status.ON_AGENDA, Status.IN_VOTE}), Status.APPROVED),
    "reject": Transition(frozenset({Status.ON_AGENDA, Status.IN_VOTE}), Status.REJECTED),
    # A resident round that is not valid (turnout below the minimum) decides nothing: its
    # micro-matters go back to the agenda list, for a later round or the council.
    "return_to_agenda": Transition(frozenset({Status.IN_VOTE}), Status.ON_AGENDA),
    # Delivery, run by the committee through the tracker.
    "start_implementation": Transition(frozenset({Status.APPROVED}), Status.IMPLEMENTING, _committee),
    "complete": Transition(frozenset({Status.IMPLEMENTING, Status.RECTIFYING}), Status.COMPLETED, _committee),
    "open_evaluation": Transition(frozenset({Status.COMPLETED}), Status.EVALUATING, _committee),
    "rectify": Transition(frozenset({Status.EVALUATING}), Status.RECTIFYING, _committee, needs_reason=True),
    "close": Transition(frozenset({Status.EVALUATING}), Status.CLOSED, _committee),
    # A decided matter that cannot be delivered (the site is gone, another body built it) is
    # cancelled before acceptance with a public reason; the fund takes back what was not spent.
    "cancel": Transition(
        frozenset({Status.APPROVED, Status.IMPLEMENTING}), Status.CANCELLED, _committee, needs_reason=True
    ),
    # Moderation (app.moderation): only while it collects supports, before any decision, so no
    # decision, vote or payment ever refers to a hidden matter. Un-hiding resumes the collection.
    "hide": Transition(frozenset({Status.COLLECTING}), Status.HIDDEN, _committee, needs_reason=True),
    "unhide": Transition(frozenset({Status.HIDDEN}), Status.COLLECTING, _committee),
}

TRANSITION_MESSAGES = {
    Status.COLLECTING: N_("“%(title)s” was submitted and is collecting supports."),
    Status.WITHDRAWN: N_("“%(title)s” was withdrawn by its proposer."),
    Status.UNDER_REVIEW: N_("“%(title)s” reached its support threshold and is under review."),
    Status.ON_AGENDA: N_("“%(title)s” was admitted to the agenda list."),
    Status.NOT_ADMITTED: N_("“%(title)s” was not admitted: %(reason)s"),
    Status.IN_VOTE: N_("“%(title)s” goes to a resident vote."),
    Status.APPROVED: N_("“%(title)s” was approved."),
    Status.REJECTED: N_("“%(title)s” was rejected."),
    Status.IMPLEMENTING: N_("Work on “%(title)s” has started."),
    Status.COMPLETED: N_("“%(title)s” was completed and accepted."),
    Status.EVALUATING: N_("“%(title)s” is finished: please rate the result."),
    Status.RECTIFYING: N_("“%(title)s” needs rectification: %(reason)s"),
    Status.CLOSED: N_("“%(title)s” is closed."),
    Status.CANCELLED: N_("“%(title)s” was cancelled: %(reason)s"),
    Status.HIDDEN: N_("“%(title)s” was hidden by the committee: %(reason)s"),
}


# Where an action's notice differs from the one of its target state.
ACTION_MESSAGES = {
    "return_to_agenda": N_(
        "“%(title)s” is back on the agenda list: the residents' vote on it was not valid (turnout below the minimum)."
    ),
    "unhide": N_("“%(title)s” is visible again and collects supports."),
}


def can(action, user, matter):
    """Would `action` be allowed now for `user`? (For showing or hiding buttons.)"""
    transition = TRANSITIONS[action]
    return (
        matter.status in transition.sources
        and transition.allowed is not None
        and bool(transition.allowed(user, matter))
    )


def interested_people(matter):
    """Proposer, supporters and followers: everyone told about a change."""
    from sqlalchemy import select

    from app.auth.models import User
    from app.extensions import db

    from .models import Follow, Support

    supporters = select(Support.user_id).where(Support.matter_id == matter.id)
    followers = select(Follow.user_id).where(Follow.matter_id == matter.id)
    return db.session.scalars(
        select(User)
        .where((User.id == matter.proposer_id) | User.id.in_(supporters) | User.id.in_(followers))
        .order_by(User.id)  # the same order on every database (notifications, e-mails)
    ).all()


def held_back(matter, action):
    """What holds `matter` back from `action` now (a guard's message), or None. Pages show it
    before the button is pressed; apply() refuses with it."""
    for guard in TRANSITION_GUARDS:
        refusal = guard(matter, action)
        if refusal:
            return refusal
    return None


def apply(matter, action, actor, *, reason=None, system=False, **data):
    """Move `matter` by `action`. The caller commits.

    `system=True` is for decisions the software reached (a threshold, a vote result);
    `actor` is then the person whose action triggered it, kept for the audit log.
    """
    transition = TRANSITIONS.get(action)
    if transition is None:
        raise DomainError(_l("Unknown action."))
    if matter.status not in transition.sources:
        raise DomainError(
            _l("This is not possible while the micro-matter is “%(status)s”.", status=status_label(matter.status))
        )
    if not system and (transition.allowed is None or not transition.allowed(actor, matter)):
        raise DomainError(_l("You are not allowed to do this."))
    if transition.needs_reason and not (reason or "").strip():
        raise DomainError(_l("Please give a reason; it will be published."))
    refusal = held_back(matter, action)
    if refusal:
        raise DomainError(refusal)
    previous = matter.status
    matter.status = transition.target
    matter.status_changed_at = clock.now()
    if action == "submit":
        matter.submitted_at = matter.status_changed_at
    record(
        f"matter.{action}",
        matter,
        actor=actor,
        community=matter.community_id,
        **{"from": str(previous), "to": str(transition.target), "reason": reason, **data},
    )
    notify(
        interested_people(matter),
        ACTION_MESSAGES.get(action, TRANSITION_MESSAGES[transition.target]),
        path_for("matters.detail", slug=matter.community.slug, matter_id=matter.id),
        exclude=actor,
        matter=matter,
        title=matter.title,
        reason=reason or "",
    )
    matter_transitioned.send(matter, action=action, actor=actor, data=dict(data, reason=reason))
    return matter
