"""Resident voting rounds and participatory budgeting: ballots with receipts, paper ballots,
households, results with a plain-language explanation, and a count anyone can reproduce."""
from app.communities.scoping import community_blueprint

bp = community_blueprint("voting", __name__)

from . import hooks, routes  # noqa: E402,F401
