"""The append-only audit log, chained by hashes."""


def init_app(app):
    from .cli import audit_cli
    from .services import head

    # Pages that publish something show the head (templates/audit/_head.html): one read per page.
    app.jinja_env.globals["audit_head"] = head
    app.cli.add_command(audit_cli)
