"""Absolute addresses for links that leave the site: QR codes, feeds, the API, e-mails."""
from flask import current_app, has_request_context, request


def absolute_url(path):
    """PUBLIC_BASE_URL when configured (behind a proxy, in e-mails sent by the CLI), else the host asked for."""
    if not path or path.startswith(("http://", "https://")):
        return path or ""
    base = current_app.config.get("PUBLIC_BASE_URL") or (request.url_root if has_request_context() else "")
    return base.rstrip("/") + path
