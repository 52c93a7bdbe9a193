"""The committee's pending work, shown on the community's home as a task list: each feature adds
the queues it keeps from its init_app (`add_queue(finder, order)`), so this layer imports none of
them. A finder takes the community and gives a `Pending` (what waits, how many, where to act)."""

from dataclasses import dataclass

from flask import url_for
from flask_babel import lazy_gettext as _l

from .services import pending_requests


@dataclass(frozen=True)
class Pending:
    label: str  # what waits, e.g. "Join requests to verify"
    count: int
    url: str  # the queue where the committee acts on it


QUEUES: dict = {}  # finder -> order


def add_queue(finder, order):
    QUEUES.setdefault(finder, order)  # a second app, a test: registering again changes nothing


def pending_work(community):
    """Every queue's Pending for the community, in the declared order (empty queues too: the list
    says so rather than leaving the committee to wonder)."""
    return [finder(community) for finder, _order in sorted(QUEUES.items(), key=lambda item: item[1])]


def join_requests(community):
    return Pending(
        _l("Join requests to verify"),
        len(pending_requests(community)),
        url_for("communities.members", slug=community.slug),
    )
