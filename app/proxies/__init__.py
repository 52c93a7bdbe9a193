"""Written proxies (书面委托): a council member who cannot attend gives their proxy to another
member, when the rule set allows it; counted for the quorum and the votes as the rules say
(app.rules.proxies, through councils.common.add_proxy_finder) and printed in the minutes."""

from app.communities.scoping import community_blueprint

bp = community_blueprint("proxies", __name__)

from . import routes  # noqa: E402,F401


def init_app(app):
    from app.councils import common, minutes_record

    from . import services

    app.register_blueprint(bp)
    app.add_template_global(routes.panel, "proxies_panel")
    common.add_proxy_finder(services.pairs)
    minutes_record.add_section("proxies", services.minutes_entries)
