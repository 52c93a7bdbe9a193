"""Consultation rules (议事规则) as versioned data, and the pure maths that applies them."""


def init_app(app):
    from app.communities.services import community_created

    from .routes import bp
    from .services import initial_ruleset

    app.register_blueprint(bp)
    # Every community starts with version 1 of the rules, in the transaction that creates it.
    community_created.connect(initial_ruleset, weak=False)
