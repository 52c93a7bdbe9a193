from app.communities.scoping import community_blueprint

bp = community_blueprint("matters", __name__, "/matters")

from . import routes  # noqa: E402,F401
