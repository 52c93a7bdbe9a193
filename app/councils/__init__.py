"""The resident council (议事会): review, the agenda list (议事清单), meetings run under the
consultation rules, and minutes."""
from app.communities.scoping import community_blueprint

bp = community_blueprint("councils", __name__)

from app.matters.hooks import detail_section  # noqa: E402

from . import routes  # noqa: E402,F401

detail_section(routes.matter_panel)
