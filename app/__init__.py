"""Weiyi 微议: the application factory."""
import logging
from pathlib import Path

from flask import Flask

from config import CONFIGS, DEV_SECRET_KEY, INSTANCE_DIR

from .extensions import babel, csrf, db, limiter, login_manager, migrate

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
    if config_name == "production" and app.config["SECRET_KEY"] in (None, "", DEV_SECRET_KEY):
        raise RuntimeError("Set SECRET_KEY to a long random string before running in production.")
    if app.config.get("MICROCACHE_SECONDS"):
        from .ops.microcache import MicroCache

        app.wsgi_app = MicroCache(app.wsgi_app, app.config["MICROCACHE_SECONDS"])
    if app.config.get("TRUSTED_PROXIES"):
        from werkzeug.middleware.proxy_fix import ProxyFix

        hops = app.config["TRUSTED_PROXIES"]
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops, x_port=hops)
    Path(app.instance_path).mkdir(parents=True, exist_ok=True)
    Path(app.config["UPLOAD_FOLDER"]).mkdir(parents=True, exist_ok=True)
    logging.basicConfig(level=logging.INFO)

    register_extensions(app)
    register_blueprints(app)
    register_cli(app)
    return app


def register_extensions(app):
    from . import models  # noqa: F401  (all tables known before anything queries)
    from .core.i18n import init_i18n

    db.init_app(app)
    migrate.init_app(app, db, directory=str(ROOT / "migrations"))
    login_manager.init_app(app)
    csrf.init_app(app)
    limiter.init_app(app)
    init_i18n(app, babel)
    from .audit import init_app as init_audit

    init_audit(app)


def register_blueprints(app):
    from .admin import bp as admin_bp
    from .auth import bp as auth_bp
    from .communities import bp as communities_bp
    from .core import bp as core_bp
    from .councils import bp as councils_bp
    from .matters import bp as matters_bp
    from .notifications import bp as notifications_bp
    from .rules.routes import bp as rules_bp

    for blueprint in (core_bp, auth_bp, admin_bp, communities_bp, matters_bp, notifications_bp,
                      councils_bp, rules_bp):
        app.register_blueprint(blueprint)
    from .api import bp as api_bp
    from .publishing import bp as publishing_bp

    app.register_blueprint(publishing_bp)
    app.register_blueprint(api_bp)
    from .tracker import admin_bp as tracker_admin_bp
    from .tracker import bp as tracker_bp

    app.register_blueprint(tracker_bp)
    app.register_blueprint(tracker_admin_bp)
    from .voting import bp as voting_bp

    app.register_blueprint(voting_bp)


def register_cli(app):
    from .audit.cli import audit_cli
    from .auth.cli import create_admin
    from .demo import demo

    app.cli.add_command(create_admin)
    app.cli.add_command(demo)
    app.cli.add_command(audit_cli)
    from .ops import init_app as init_ops

    init_ops(app)
    from .notifications.cli import outbox_cli

    app.cli.add_command(outbox_cli)
    from .voting.cli import tally_cli

    app.cli.add_command(tally_cli)
