"""What every feature stands on: errors, i18n, text, uploads, URLs, secrecy, the shared vocabulary,
and the site-wide pages (health check, error pages, response headers). Imports no feature."""

from flask import Blueprint

bp = Blueprint("core", __name__)

from . import routes  # noqa: E402,F401


def init_app(app):
    from . import locks, static
    from .params import IdConverter

    locks.init_app(app)
    static.init_app(app)

    # before any feature adds its rules: every <int:…> in the URL map is a bounded ASCII id
    app.url_map.converters["int"] = IdConverter
    app.register_blueprint(bp)
