"""Blueprints whose URLs live under /c/<community-slug>/ share one way to load the community."""

from flask import Blueprint, g
from flask_login import current_user

from app.core.errors import refuse

PREFIX = "/c/"  # (also read by the page cache, app/ops/pagecache.py, to find a page's community)


def community_blueprint(name, import_name, url_prefix=""):
    """A blueprint under /c/<slug><url_prefix>; views read the community from current_community()."""
    blueprint = Blueprint(name, import_name, url_prefix=f"{PREFIX}<slug>{url_prefix}")

    @blueprint.url_value_preprocessor
    def _load_community(_endpoint, values):
        from .services import get_community

        g.community = get_community(values.pop("slug"))

    @blueprint.url_defaults
    def _add_slug(_endpoint, values):
        if "slug" not in values and getattr(g, "community", None) is not None:
            values["slug"] = g.community.slug

    return blueprint


def current_community():
    return g.community


def permitted_community(allowed, refusal):
    """The current community, when the permission predicate `allowed(current_user, community)`
    holds; 403 with `refusal` otherwise."""
    community = current_community()
    if not allowed(current_user, community):
        refuse(403, refusal)
    return community
