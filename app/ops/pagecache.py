"""Pages for visitors who are not logged in, rendered once per data version and served again,
before Flask runs, for as long as nothing they show has changed (PAGE_CACHE, on by default).

A GET is answered from this worker's memory when the same page was rendered before under the same
key: the URL with its query, host and scheme, the language and the text size (长辈模式) the
visitor gets, the Accept header, and the data-version tokens (app/core/versions.py) read before
rendering — the community's and the site's for a page under /c/<slug>/, the sum of all of them for
any other page. Every write changes a token in its own transaction, so a page is never served
after a change it would show. Times in pages ("closes in 2 hours") move without a write: the key
also holds the current period of PAGE_CACHE_SECONDS, so such text is at most that old.

Only visitors whose request carries nothing personal take this path: no cookie but the session's,
and a session holding no more than a language, a text size or a form token (anyone logged in,
with a message to show or anything else in the session is answered by Flask: app/core/shared_body.py
puts a logged-in person's pages together from a kept body and their own header). Only
complete 200 HTML answers are kept, and not when they set a cookie, are marked private or
no-store, or contain a form token (each visitor's own: such a page a view may share among visitors
inside Flask, shared_body.page(..., visitors=True)).
"""

from http.cookies import CookieError, SimpleCookie

from flask import g, has_app_context, request, session
from itsdangerous import BadSignature
from werkzeug.datastructures import LanguageAccept
from werkzeug.http import parse_accept_header

from app.communities.scoping import PREFIX
from app.core import clock, shared_body
from app.core.kept import Kept
from app.core.version_cache import ENVIRON_KEY
from app.core.version_reads import read_tokens, tokens
from app.extensions import db

SKIP_PREFIXES = ("/static/", "/healthz", "/api/")
PERSONAL = ("HTTP_AUTHORIZATION", "HTTP_IF_NONE_MATCH", "HTTP_IF_MODIFIED_SINCE", "HTTP_RANGE")
PERSONAL_COOKIES = 4096
UNCACHEABLE = "weiyi.page_cache.skip"  # set on the WSGI environ by the app: this answer is not to be kept
COOKIE_ONLY_ANONYMOUS = "weiyi.page_cache.anonymous_cookie"  # its Set-Cookie is a visitor's session only


def community_slug(path):
    if path.startswith(PREFIX):
        return path[len(PREFIX) :].split("/", 1)[0] or None
    return None


class PageCache:
    def __init__(self, app, wsgi_app, seconds, max_entries=512, max_bytes=256 * 1024):
        self.app, self.wsgi_app = app, wsgi_app
        self.seconds, self.max_bytes = seconds, max_bytes
        self.store = Kept(max_entries)
        self._engine = None
        self._serializer = None
        self._languages: dict = {}
        self._personal: dict = {}  # session cookies that are not a visitor's (PERSONAL_COOKIES at most)
        app.after_request(mark_uncacheable)

    # ---- who is asking --------------------------------------------------------------------

    def visitor(self, environ):
        """(language, large text) of a visitor who may share pages, or None."""
        session = {}
        if raw := environ.get("HTTP_COOKIE"):
            try:
                cookies = SimpleCookie(raw)
            except CookieError:
                return None
            name = self.app.config["SESSION_COOKIE_NAME"]
            if set(cookies) - {name}:
                return None
            if name in cookies:
                value = cookies[name].value
                if value in self._personal:
                    return None
                session = self._session(value)
                if session is None or set(session) - shared_body.ANONYMOUS_KEYS:
                    # The same cookie never becomes a visitor's: not decoded again (a logged-in
                    # person's every page paid for it twice, here and in Flask).
                    if len(self._personal) >= PERSONAL_COOKIES:
                        self._personal.clear()
                    self._personal[value] = True
                    return None
        languages = self.app.config["LANGUAGES"]
        lang = session.get("lang")
        if lang not in languages:
            lang = self._language(environ.get("HTTP_ACCEPT_LANGUAGE", ""))
        return lang, bool(session.get("large_text", False))

    def _session(self, value):
        if self._serializer is None:
            self._serializer = self.app.session_interface.get_signing_serializer(self.app)
        if self._serializer is None:
            return None
        try:
            data = self._serializer.loads(value, max_age=int(self.app.permanent_session_lifetime.total_seconds()))
        except BadSignature:
            return None
        return data if isinstance(data, dict) else None

    def _language(self, header):
        # the same choice as app.core.i18n.select_locale for a visitor without a session
        lang = self._languages.get(header)
        if lang is None:
            best = parse_accept_header(header, LanguageAccept).best_match(["zh", "en"], default="zh")
            lang = "en" if best == "en" else "zh_Hans"
            if len(self._languages) < 256:
                self._languages[header] = lang
        return lang

    # ---- the data version -----------------------------------------------------------------

    def versions(self, path):
        """The tokens, read before rendering and outside any transaction (one statement: it never
        waits for a writer), on a connection of this thread kept for the purpose
        (version_reads.read_tokens)."""
        slug = community_slug(path)
        if has_app_context():
            # Called inside an app context (the tests' client): its session, whose connection an
            # in-memory database shares with the request that follows.
            return tokens(db.session.connection(), slug)
        if self._engine is None:
            with self.app.app_context():
                self._engine = db.engine
        found = read_tokens(self._engine, slug)
        if found is None:  # a database in memory: the app's own session is the only way in
            with self.app.app_context():
                found = tokens(db.session.connection(), slug)
        return found

    # ---- WSGI -----------------------------------------------------------------------------

    def __call__(self, environ, start_response):
        path = environ.get("PATH_INFO", "")
        query = environ.get("QUERY_STRING", "")
        if (
            environ.get("REQUEST_METHOD") != "GET"
            or path.startswith(SKIP_PREFIXES)
            or any(environ.get(h) for h in PERSONAL)
            or "lang=" in query
            or "text=" in query
        ):
            return self.wsgi_app(environ, start_response)
        who = self.visitor(environ)
        if who is None:
            return self.wsgi_app(environ, start_response)
        try:
            versions = self.versions(path)
            environ[ENVIRON_KEY] = (community_slug(path), versions)  # the app's per-version cache
        except Exception:  # noqa: BLE001 - the database's own errors: the app answers, with its error page
            return self.wsgi_app(environ, start_response)
        period = int(clock.now().timestamp() // self.seconds)
        key = (
            path,
            query,
            environ.get("HTTP_HOST", ""),
            environ.get("wsgi.url_scheme", ""),
            environ.get("HTTP_ACCEPT", ""),
            who,
            period,
            versions,
        )
        hit = self.store.get(key)
        if hit is not None:
            status, headers, body = hit
            start_response(status, [*headers, ("X-Page-Cache", "hit")])
            return [body]
        captured = {}

        def capture(status, headers, exc_info=None):
            captured["status"], captured["headers"] = status, headers
            return start_response(status, headers, exc_info)

        result = self.wsgi_app(environ, capture)
        headers = self._kept_headers(environ, captured)
        if headers is None:
            return result
        try:
            body = b"".join(result)
        finally:
            if hasattr(result, "close"):
                result.close()
        if len(body) <= self.max_bytes:
            self.store.put(key, (captured["status"], headers, body))
        return [body]

    def _kept_headers(self, environ, captured):
        """The headers to keep with this answer, or None when it is not to be kept."""
        if environ.get(UNCACHEABLE) or not captured.get("status", "").startswith("200"):
            return None
        kept, length, html = [], None, False
        for name, value in captured["headers"]:
            lower = name.lower()
            if lower == "set-cookie":
                if not environ.get(COOKIE_ONLY_ANONYMOUS):
                    return None
                continue  # a new visitor's session: the next visitor gets their own when they need one
            if lower.startswith("x-ratelimit") or lower == "retry-after":
                return None
            if lower == "cache-control" and ("no-store" in value or "private" in value):
                return None
            if lower == "content-type":
                html = value.startswith("text/html")
            if lower == "content-length":
                length = int(value) if value.isdigit() else None
            # ("Vary: Cookie" is fine: the visitor's session is part of the key.)
            kept.append((name, value))
        # complete pages only: a streamed download has no length and is never held in memory
        if not html or length is None or length > self.max_bytes:
            return None
        return tuple(kept)

    def clear(self):
        self.store.clear()


def mark_uncacheable(response):
    """After a request: a page shown to someone logged in, or that carries a form token, is not
    shared, whatever its headers say. A page that merely started a visitor's session (a form made
    but not shown gives the session a token) is shared without that cookie."""
    environ = request.environ
    user = g.get("_login_user")
    if user is not None and user.is_authenticated:
        environ[UNCACHEABLE] = True
        return response
    token = g.get("csrf_token")
    if token is not None and (response.is_streamed or token.encode() in response.get_data()):
        environ[UNCACHEABLE] = True
    elif not set(session) - shared_body.ANONYMOUS_KEYS:
        environ[COOKIE_ONLY_ANONYMOUS] = True
    return response


def init_app(app):
    """Wrap the app's WSGI callable (create_app, before ProxyFix wraps it in turn); the pages of
    people logged in share their bodies inside Flask (app/core/shared_body.py)."""
    shared_body.init_app(app)
    if app.config.get("PAGE_CACHE"):
        app.wsgi_app = PageCache(app, app.wsgi_app, app.config["PAGE_CACHE_SECONDS"])
