"""Publishing results: notices (公示) with objection periods, printable pages with QR codes,
the public results overview and the Atom feed of each community.

`services` registers the objection guard; each source_* module registers what a notice
can publish from one feature (councils, voting, tracker)."""
from app.communities.scoping import community_blueprint

bp = community_blueprint("publishing", __name__)

from . import routes, services, source_councils, source_tracker, source_voting  # noqa: E402,F401
