"""Residents' rights over their data (PIPL): the privacy notice and consent to its version,
"download my data" and "delete my account".

init_app records consent at registration (auth's user_registered signal) and, at login, asks once
again those who agreed to an earlier version of the notice."""

from flask import Blueprint

bp = Blueprint("privacy", __name__, url_prefix="/privacy")

from . import routes  # noqa: E402,F401


def init_app(app):
    from flask_login import user_logged_in

    from app.auth.services import user_registered
    from app.notifications import sms

    from . import services

    app.register_blueprint(bp)
    # A number for SMS is kept with the version of this notice its owner agreed to.
    sms.use_notice_version(lambda: services.NOTICE_VERSION)
    user_registered.connect(services.on_registered, weak=False)
    user_logged_in.connect(routes.remember_to_ask, weak=False)
