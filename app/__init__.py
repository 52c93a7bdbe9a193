"""Weiyi 微议: the application factory."""

import logging
from pathlib import Path

from flask import Flask

from config import CONFIGS, INSTANCE_DIR, PROXY_HEADERS, production_problems

from .extensions import CookieSessions, babel, csrf, db, limiter, login_manager, migrate

ROOT = Path(__file__).resolve().parent.parent


def create_app(config_name="default", **overrides):
    app = Flask(
        __name__,
        template_folder=str(ROOT / "templates"),
        static_folder=str(ROOT / "static"),
        instance_path=str(INSTANCE_DIR),
    )
    app.config.from_object(CONFIGS[config_name])
    app.config.update(overrides)
    if config_name == "production" and (problems := production_problems(app.config)):
        raise RuntimeError("Weiyi will not start in production until:\n- " + "\n- ".join(problems))
    from .ops import pagecache

    pagecache.init_app(app)  # inside ProxyFix: it sees the client's scheme
    if app.config.get("TRUSTED_PROXIES"):
        from werkzeug.middleware.proxy_fix import ProxyFix

        hops, headers = app.config["TRUSTED_PROXIES"], app.config["TRUSTED_PROXY_HEADERS"]
        if unknown := set(headers) - set(PROXY_HEADERS):
            raise RuntimeError(
                f"TRUSTED_PROXY_HEADERS: unknown {sorted(unknown)}; choose from {', '.join(PROXY_HEADERS)}."
            )
        # Only the headers the proxies are said to set: a forwarded Host would otherwise be the client's word.
        app.wsgi_app = ProxyFix(app.wsgi_app, **{f"x_{name}": hops if name in headers else 0 for name in PROXY_HEADERS})
    Path(app.instance_path).mkdir(parents=True, exist_ok=True)
    Path(app.config["UPLOAD_FOLDER"]).mkdir(parents=True, exist_ok=True)
    logging.basicConfig(level=logging.INFO)

    register_extensions(app)
    plug_in(app)
    return app


def register_extensions(app):
    from . import models  # noqa: F401  (all tables known before anything queries)
    from .core.i18n import init_i18n

    app.session_interface = CookieSessions()
    db.init_app(app)
    migrate.init_app(app, db, directory=str(ROOT / "migrations"))
    login_manager.init_app(app)
    csrf.init_app(app)
    limiter.init_app(app)
    init_i18n(app, babel)


def features():
    """Every feature package, lowest layer first (ARCHITECTURE.md, tests/core/test_layers.py).

    Each one's init_app registers its blueprints, CLI commands, signal receivers, transition
    guards, template globals and matter-page panels; nothing is registered by importing it.
    Receivers and guards run in this order; panels take their declared order.
    """
    from . import (
        admin,
        api,
        attachments,
        audit,
        auth,
        committee_items,
        communities,
        conventions,
        core,
        council_terms,
        councils,
        demo,
        front,
        fund,
        matters,
        moderation,
        notifications,
        onbehalf,
        ops,
        partners,
        privacy,
        proxies,
        publishing,
        register,
        rule_adoption,
        rules,
        streets,
        tracker,
        voting,
        yearbook,
    )

    return (
        core,
        audit,
        notifications,
        auth,
        communities,
        rules,
        matters,
        councils,
        voting,
        tracker,
        publishing,
        fund,
        partners,
        conventions,
        committee_items,
        attachments,
        moderation,
        register,
        rule_adoption,
        council_terms,
        proxies,
        onbehalf,
        api,
        admin,
        front,
        privacy,
        streets,
        yearbook,
        demo,
        ops,
    )


def plug_in(app):
    """Each feature's init_app, once per app (a second app in the same process gets its own)."""
    done = app.extensions.setdefault("weiyi.features", [])
    for feature in features():
        if feature.__name__ not in done:
            feature.init_app(app)
            done.append(feature.__name__)
