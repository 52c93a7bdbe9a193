"""五社联动: partners of a community, volunteers, and the delivery tasks of decided micro-matters."""

from app.communities.scoping import community_blueprint

bp = community_blueprint("partners", __name__)

from . import routes  # noqa: E402,F401


def init_app(app):
    from app.matters import hooks as matter_hooks

    app.register_blueprint(bp)
    # Between the implementation record (tracker, 20) and the resident vote (voting, 30).
    matter_hooks.add_panel(routes.matter_panel, order=25)
