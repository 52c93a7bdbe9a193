"""The tracker's fixtures (a community with its committee, a proposer, supporters, a follower and
implementation records in each state) serve the notification tests too."""

from tests.tracker.conftest import (  # noqa: F401
    approve,
    committee,
    community,
    completed,
    follower,
    proposer,
    record,
    residents,
    started,
    supporters,
)
