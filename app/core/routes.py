"""Health check, error pages and headers every response carries."""

from flask import Response, current_app, jsonify, render_template, request, send_from_directory
from flask.globals import request_ctx
from flask_babel import lazy_gettext as _l
from sqlalchemy import text
from werkzeug.exceptions import HTTPException

from app.extensions import db

from . import bp
from .errors import wants_json

ERROR_TITLES = {
    400: _l("The request could not be understood."),
    403: _l("You are not allowed to do this."),
    404: _l("This page does not exist."),
    405: _l("This action is not allowed here."),
    409: _l("This was changed by someone else in the meantime. Please try again."),
    413: _l("The upload is too large."),
    429: _l("Too many attempts. Please wait a moment and try again."),
    500: _l("Something went wrong on our side. Nothing was saved."),
}


@bp.get("/healthz")
def healthz():
    db.session.execute(text("SELECT 1"))
    return jsonify(status="ok")


@bp.get("/favicon.ico")
def favicon():
    return send_from_directory(current_app.static_folder, "favicon.svg", mimetype="image/svg+xml")


@bp.get("/sw.js")
def service_worker():
    # Served from / so that its scope covers the whole site; no-cache: a new version reaches phones at once.
    response = send_from_directory(current_app.static_folder, "sw.js", mimetype="text/javascript", max_age=0)
    response.headers["Service-Worker-Allowed"] = "/"
    response.cache_control.no_cache = True
    return response


@bp.get("/offline")
def offline():
    """What the service worker shows for a page this phone never saved (static/sw.js)."""
    return render_template("core/offline.html")


@bp.app_errorhandler(HTTPException)
def http_error(error):
    code = error.code or 500
    if request_ctx.url_adapter is None:  # e.g. a Host header outside TRUSTED_HOSTS: no page can be built
        return Response(f"{code} {error.name}", status=code, mimetype="text/plain")
    title = ERROR_TITLES.get(code, ERROR_TITLES[500])
    detail = getattr(error, "user_message", None)
    # Keep the headers the error carries (e.g. Allow on a 405, RFC 9110), not its content type.
    headers = [(k, v) for k, v in error.get_headers() if k.lower() != "content-type"]
    if wants_json():
        response = jsonify(error=str(detail or title), status=code)
        response.status_code = code
        response.headers.extend(headers)
        return response
    return render_template("core/error.html", code=code, title=title, detail=detail), code, headers


@bp.app_errorhandler(Exception)
def unexpected_error(error):
    db.session.rollback()
    current_app.logger.exception("Unhandled error on %s", request.path)
    if wants_json():
        return jsonify(error=str(ERROR_TITLES[500]), status=500), 500
    return render_template("core/error.html", code=500, title=ERROR_TITLES[500]), 500


@bp.after_app_request
def security_headers(response):
    headers = response.headers
    headers.setdefault(
        "Content-Security-Policy",
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
        "object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'",
    )
    headers.setdefault("X-Content-Type-Options", "nosniff")
    headers.setdefault("Referrer-Policy", "same-origin")
    headers.setdefault("X-Frame-Options", "DENY")
    headers.setdefault("Permissions-Policy", "camera=(), microphone=(), geolocation=()")
    if current_app.config.get("HSTS"):
        headers.setdefault("Strict-Transport-Security", "max-age=31536000; includeSubDomains")
    return response
