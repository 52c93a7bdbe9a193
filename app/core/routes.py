"""Health check, error pages and headers every response carries."""

from flask import Response, current_app, jsonify, render_template, request, send_from_directory, session
from flask.globals import request_ctx
from flask_babel import get_locale
from flask_babel import lazy_gettext as _l
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError
from werkzeug.exceptions import HTTPException

from app.extensions import db

from . import bp, fragments
from .errors import is_lock_timeout, wants_json

bp.add_app_template_global(fragments.kept_fragment, "kept_fragment")

ERROR_TITLES = {
    400: _l("The request could not be understood."),
    403: _l("You are not allowed to do this."),
    404: _l("This page does not exist."),
    405: _l("This action is not allowed here."),
    409: _l("This was changed by someone else in the meantime. Please try again."),
    413: _l("The upload is too large."),
    429: _l("Too many attempts. Please wait a moment and try again."),
    500: _l("Something went wrong on our side. Nothing was saved."),
    503: _l("The site is busy saving something else. Nothing was saved: please try again in a moment."),
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


def error_page(code, title, detail=None, headers=()):
    """An error answer that never touches the database: the page is rendered from the template
    alone, without the context processors (the account bar, the inbox count), so that it comes at
    once even when the database is what failed or is locked."""
    if wants_json():
        response = jsonify(error=str(detail or title), status=code)
    else:
        locale = str(get_locale())
        response = Response(
            current_app.jinja_env.get_template("core/plain_error.html").render(
                code=code,
                title=title,
                detail=detail,
                html_lang="zh-Hans" if locale.startswith("zh") else "en",
                large_text=session.get("large_text", False),
            ),
            mimetype="text/html",
        )
    response.status_code = code
    response.headers.extend(headers)
    return response


@bp.app_errorhandler(HTTPException)
def http_error(error):
    code = error.code or 500
    if request_ctx.url_adapter is None:  # e.g. a Host header outside TRUSTED_HOSTS: no page can be built
        return Response(f"{code} {error.name}", status=code, mimetype="text/plain")
    # Keep the headers the error carries (e.g. Allow on a 405, RFC 9110), not its content type.
    headers = [(k, v) for k, v in error.get_headers() if k.lower() != "content-type"]
    return error_page(code, ERROR_TITLES.get(code, ERROR_TITLES[500]), getattr(error, "user_message", None), headers)


@bp.app_errorhandler(Exception)
def unexpected_error(error):
    try:
        db.session.rollback()
    except SQLAlchemyError:  # the connection itself failed: nothing to take back
        current_app.logger.warning("rollback failed on %s", request.path, exc_info=True)
    if is_lock_timeout(error):
        # The write lock could not be had in time (a restore, a long count, an operator's session):
        # nothing was written; say so and when to try again, instead of a 500.
        current_app.logger.warning("database lock not had in time on %s %s", request.method, request.path)
        retry = str(current_app.config["LOCK_RETRY_AFTER_SECONDS"])
        return error_page(503, ERROR_TITLES[503], headers=[("Retry-After", retry)])
    current_app.logger.exception("Unhandled error on %s", request.path)
    return error_page(500, ERROR_TITLES[500])


SECURITY_HEADERS = (
    (
        "Content-Security-Policy",
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
        "object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'",
    ),
    ("X-Content-Type-Options", "nosniff"),
    ("Referrer-Policy", "same-origin"),
    ("X-Frame-Options", "DENY"),
    ("Permissions-Policy", "camera=(), microphone=(), geolocation=()"),
)
HSTS = ("Strict-Transport-Security", "max-age=31536000; includeSubDomains")


@bp.after_app_request
def security_headers(response):
    """Each header unless the response set its own (one pass over its headers, not two per header)."""
    headers = response.headers
    present = {name.lower() for name in headers.keys()}
    for name, value in (*SECURITY_HEADERS, HSTS) if current_app.config.get("HSTS") else SECURITY_HEADERS:
        if name.lower() not in present:
            headers.add(name, value)
    return response
