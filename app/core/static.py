"""Static files under content-hashed URLs: url_for('static', filename=…) adds ?v=<hash of the
file> to stylesheets and scripts, and a request carrying the file's current hash is answered with a one-year immutable cache
(a new version of the file has a new URL), so that no page view revalidates the stylesheet before
its first paint. Without the hash, or with an old one, the file is served as before (no-cache)."""

import hashlib
from pathlib import Path

from flask import current_app, request

IMMUTABLE = "public, max-age=31536000, immutable"
# Stylesheets and scripts; not the web app manifest, whose address is the installed app's identity.
HASHED = (".css", ".js")
_hashes: dict = {}  # (path, mtime, size) -> hash


def file_hash(filename):
    if not isinstance(filename, str) or not filename.endswith(HASHED):
        return None
    path = Path(current_app.static_folder) / filename
    try:
        stat = path.stat()
    except OSError:
        return None
    key = (str(path), stat.st_mtime_ns, stat.st_size)
    if key not in _hashes:
        _hashes[key] = hashlib.sha256(path.read_bytes()).hexdigest()[:12]
    return _hashes[key]


def add_hash(endpoint, values):
    if endpoint == "static" and "v" not in values and (digest := file_hash(values.get("filename", ""))):
        values["v"] = digest


def immutable_when_hashed(response):
    if (
        request.endpoint == "static"
        and response.status_code == 200
        and (version := request.args.get("v"))
        and version == file_hash((request.view_args or {}).get("filename", ""))
    ):
        response.cache_control.no_cache = None
        response.headers["Cache-Control"] = IMMUTABLE
    return response


def init_app(app):
    app.url_defaults(add_hash)
    app.after_request(immutable_when_hashed)
