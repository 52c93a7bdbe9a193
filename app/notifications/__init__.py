from flask import Blueprint

bp = Blueprint("notifications", __name__, url_prefix="/inbox")

from . import routes, sms_routes  # noqa: E402,F401


def init_app(app):
    app.register_blueprint(bp)
    from .cli import notifications_cli, outbox_cli

    app.cli.add_command(outbox_cli)
    app.cli.add_command(notifications_cli)
