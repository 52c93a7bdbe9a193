"""Outcome-feedback tracker (协商成果落实反馈): implementation records, the residents' verdict,
the public timeline of a micro-matter and the dashboards."""

from flask import Blueprint

from app.communities.scoping import community_blueprint

bp = community_blueprint("tracker", __name__)
admin_bp = Blueprint("tracker_admin", __name__, url_prefix="/admin/dashboard")

from . import admin_routes, print_routes, routes  # noqa: E402,F401


def init_app(app):
    from app.communities.pending import add_queue
    from app.matters import hooks as matter_hooks
    from app.matters import lifecycle
    from app.notifications import reminders as notification_reminders

    from . import hooks, pending, reminders

    app.register_blueprint(bp)
    app.register_blueprint(admin_bp)
    lifecycle.matter_transitioned.connect(hooks.on_transition, weak=False)
    lifecycle.add_guard(hooks.tracker_guard)
    matter_hooks.add_panel(routes.matter_panel, order=20)
    add_queue(pending.overdue_implementations, order=40)  # on the committee's home
    notification_reminders.add_finder(reminders.due_reminders)  # rating windows open and closing
