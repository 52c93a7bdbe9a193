"""A micro-cache for anonymous page views (like nginx's micro-caching), off unless
MICROCACHE_SECONDS > 0.

A GET from a visitor without any cookie (nobody logged in, no language or text-size choice,
no form token) is answered from this worker's memory for a few seconds when the same page
was rendered for such a visitor just before. Only complete 200 responses without Set-Cookie
and without `Cache-Control: no-store/private` are kept, so a page that must always be fresh
(a meeting's live views) or that starts a session is never reused. Anyone logged in always
gets a freshly rendered page. Each worker keeps its own small store.
"""

import threading
import time

SKIP_PREFIXES = ("/static/", "/healthz")
VARY = ("PATH_INFO", "QUERY_STRING", "HTTP_HOST", "wsgi.url_scheme", "HTTP_ACCEPT_LANGUAGE", "HTTP_ACCEPT")
PERSONAL = ("HTTP_COOKIE", "HTTP_AUTHORIZATION", "HTTP_IF_NONE_MATCH", "HTTP_IF_MODIFIED_SINCE", "HTTP_RANGE")


class MicroCache:
    def __init__(self, wsgi_app, seconds, max_entries=256, max_bytes=128 * 1024):
        self.wsgi_app, self.seconds = wsgi_app, seconds
        self.max_entries, self.max_bytes = max_entries, max_bytes
        self.store = {}
        self.lock = threading.Lock()

    def __call__(self, environ, start_response):
        if (
            environ.get("REQUEST_METHOD") != "GET"
            or any(environ.get(h) for h in PERSONAL)
            or environ.get("PATH_INFO", "").startswith(SKIP_PREFIXES)
        ):
            return self.wsgi_app(environ, start_response)
        key = tuple(environ.get(name, "") for name in VARY)
        now = time.monotonic()
        with self.lock:
            hit = self.store.get(key)
        if hit is not None and hit[0] > now:
            start_response(hit[1], list(hit[2]))
            return [hit[3]]
        captured = {}

        def capture(status, headers, exc_info=None):
            captured["status"], captured["headers"] = status, headers
            return start_response(status, headers, exc_info)

        result = self.wsgi_app(environ, capture)
        try:
            body = b"".join(result)
        finally:
            if hasattr(result, "close"):
                result.close()
        if self._keep(captured, body):
            with self.lock:
                if len(self.store) >= self.max_entries:
                    self.store = {k: v for k, v in self.store.items() if v[0] > now}
                if len(self.store) < self.max_entries:
                    self.store[key] = (now + self.seconds, captured["status"], tuple(captured["headers"]), body)
        return [body]

    def _keep(self, captured, body):
        if not captured.get("status", "").startswith("200") or len(body) > self.max_bytes:
            return False
        for name, value in captured["headers"]:
            lower = name.lower()
            # ("Vary: Cookie" is fine: what is kept is the answer for a request without cookies.)
            if lower == "set-cookie" or lower.startswith("x-ratelimit") or lower == "retry-after":
                return False
            if lower == "cache-control" and ("no-store" in value or "private" in value):
                return False
        return True
