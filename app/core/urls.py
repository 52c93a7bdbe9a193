"""Site paths built from the URL map, and absolute addresses for links that leave the site: QR codes,
feeds, the API, e-mails."""

from flask import current_app


def path_for(endpoint, _anchor=None, **values):
    """The path of `endpoint` from the URL map, with or without a request (services, the CLI).

    Unlike url_for it adds no script root: these paths are stored (notifications, notices' record
    paths) and go through absolute_url, whose base already carries it.
    """
    path = current_app.url_map.bind("").build(endpoint, values)
    return f"{path}#{_anchor}" if _anchor else path


def absolute_url(path):
    """The path under PUBLIC_BASE_URL: never the Host a request names, which anyone can forge."""
    if not path or path.startswith(("http://", "https://")):
        return path or ""
    return current_app.config["PUBLIC_BASE_URL"].rstrip("/") + path
