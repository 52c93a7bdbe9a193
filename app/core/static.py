"""Static files under content-hashed URLs: url_for('static', filename=…) adds ?v=<hash of the
file> to stylesheets and scripts, and a request carrying the file's current hash is answered with a one-year immutable cache
(a new version of the file has a new URL), so that no page view revalidates the stylesheet before
its first paint. Without the hash, or with an old one, the file is served as before (no-cache). The hash is read
again on every link only in development (debug, testing or TEMPLATES_AUTO_RELOAD); otherwise once
per file and process."""

import hashlib
from pathlib import Path

from flask import current_app, has_request_context, request, url_for

IMMUTABLE = "public, max-age=31536000, immutable"
# Stylesheets and scripts; not the web app manifest, whose address is the installed app's identity.
HASHED = (".css", ".js")
_hashes: dict = {}  # (path, mtime, size) -> hash
# (static folder, file name) -> hash, for an app that does not reload what it serves: its files
# change only with a new release, which starts new processes (about 4 links a page, not stat'ed each).
_kept: dict = {}
# (static folder, its URL path, the site's path, file name) -> the link base.html shows, made once
# per process where files are kept as above (url_for cost ~0.1 ms a link, three links a page).
_links: dict = {}
MAX_LINKS = 256


def _reloads(app):
    return app.debug or app.testing or app.config.get("TEMPLATES_AUTO_RELOAD")


def file_hash(filename):
    if not isinstance(filename, str) or not filename.endswith(HASHED):
        return None
    app = current_app
    if _reloads(app):
        return _current_hash(Path(app.static_folder) / filename)  # an edited file: a new URL at once
    key = (app.static_folder, filename)
    digest = _kept.get(key)
    if digest is None:
        digest = _current_hash(Path(app.static_folder) / filename)
        if digest is not None:  # a missing file is not kept: it may yet be deployed
            _kept[key] = digest
    return digest


def _current_hash(path):
    try:
        stat = path.stat()
    except OSError:
        return None
    key = (str(path), stat.st_mtime_ns, stat.st_size)
    if key not in _hashes:
        _hashes[key] = hashlib.sha256(path.read_bytes()).hexdigest()[:12]
    return _hashes[key]


def static_url(filename):
    """url_for('static', filename=filename), as the link in a page (relative to the site's path)."""
    app = current_app
    if _reloads(app) or not has_request_context():
        return url_for("static", filename=filename)
    key = (app.static_folder, app.static_url_path, request.script_root, filename)
    link = _links.get(key)
    if link is None:
        link = url_for("static", filename=filename)
        if file_hash(filename) is not None or not filename.endswith(HASHED):  # a missing file: its hash later
            if len(_links) >= MAX_LINKS:  # (a proxy's forwarded prefix could vary the site's path)
                _links.clear()
            _links[key] = link
    return link


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
    app.add_template_global(static_url)
    app.after_request(immutable_when_hashed)
