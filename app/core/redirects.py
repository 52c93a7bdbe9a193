from urllib.parse import urlsplit

from flask import redirect, request, url_for


def is_safe_next(target):
    """Only paths on this site: no scheme, no host, no protocol-relative or backslash tricks."""
    if not target or not isinstance(target, str):
        return False
    if "\\" in target or any(ch in target for ch in "\r\n\t") or not target.startswith("/"):
        return False
    if target.startswith("//"):
        return False
    parts = urlsplit(target)
    return not parts.scheme and not parts.netloc


def redirect_back(default_endpoint, **values):
    target = request.values.get("next")
    return redirect(target if is_safe_next(target) else url_for(default_endpoint, **values))
