"""Site paths built from the URL map, and absolute addresses for links that leave the site: QR codes,
feeds, the API, e-mails."""

from flask import current_app, has_request_context, request


def path_for(endpoint, _anchor=None, **values):
    """The path of `endpoint` from the URL map, with or without a request (services, the CLI).

    Unlike url_for it adds no script root: these paths are stored (notifications, notices' record
    paths) and go through absolute_url, whose base already carries it.
    """
    path = current_app.url_map.bind("").build(endpoint, values)
    return f"{path}#{_anchor}" if _anchor else path


def absolute_url(path):
    """PUBLIC_BASE_URL when configured (behind a proxy, in e-mails sent by the CLI), else the host asked for."""
    if not path or path.startswith(("http://", "https://")):
        return path or ""
    base = current_app.config.get("PUBLIC_BASE_URL") or (request.url_root if has_request_context() else "")
    return base.rstrip("/") + path
