"""Pages for people who are logged in, from a body shared by everyone who sees the same thing: the
page is rendered once per data version and audience, and only its personal part — the header — is
made per person (and kept per their own data version), then the two are put together.

A view opts in with `page(audience, render, community)` (the micro-matter list, a counted round's
results, a matter's page). What is personal, and how each part is kept apart:
- the header (`{% block site_header %}` in base.html: name, unread count, menus by role, streets,
  the log-out form). base.html puts a mark on each side of it when the page is rendered for
  sharing; the page is cut there. The header is kept per (person, their token — memberships,
  unread count, street grants: app/core/versions.PERSONAL_TABLES —, the page's tokens — their
  account row is the site's —, language, text size, path), and rendered alone from base.html's
  block when a body is found without it (so a page that shares overrides no block inside it, as
  the meeting projector does with `community_nav`).
- the session's form token (CSRF): wherever the rendering put this request's token, the kept text
  holds a slot, filled with the asking session's own token when served.
- flash messages: a session with a message to show gets the page rendered in full, every time.
- what the body shows by role or person: the view's `audience`, part of the body's key (the list:
  may the person propose, where they stand in joining, and their id when their own drafts or
  hidden matters are on it; a counted round's results: nobody's; the matter page: `own_body`, the
  person and their tokens, since their state runs through every panel). A rendering the view
  marks `unshared()` is not kept (a round's results before the count).
The body's key is also the endpoint, path and query, host and scheme, language, text size, the
page's data-version tokens (app/core/version_cache: read in the request's one token statement) and
the current period of PAGE_CACHE_SECONDS (text that moves with the clock, as for visitors).

A visitor's page that carries a form token (a counted round's results: the "my share" form) is
never kept by the page cache before Flask (app/ops/pagecache.py); a view lets visitors share it
here with `page(..., visitors=True)`: kept whole, per the same key with no audience, for visitors
whose session holds nothing but what the page cache allows (ANONYMOUS_KEYS), their own token put
in its slot when served (a new visitor's session gets one then, as from a rendering).

Everything happens inside Flask, after the login is loaded: the session's idle and absolute limits,
its refresh, a rotated session token or a deleted account (app/auth) apply as to any page. Only GET
and HEAD share; PAGE_CACHE=0 renders every page, as for visitors.
"""

import secrets
import threading
import time

from flask import current_app, g, request, session
from flask_babel import get_locale
from flask_login import current_user
from flask_wtf.csrf import generate_csrf
from markupsafe import Markup

from . import clock
from .kept import Kept
from .version_cache import person_tokens, request_tokens

# Random per process: no text a person writes can be taken for them.
MARK = Markup(f"<!--personal-{secrets.token_hex(16)}-->")  # noqa: S704  # nosec B704 - a constant
CSRF_SLOT = f"\x00csrf-{secrets.token_hex(16)}\x00"
HEADER_BLOCK = "site_header"
# What a visitor's session may hold and still share pages with others (here and in the page cache).
# ("_fresh": Flask-Login's mark on any session without a login.)
ANONYMOUS_KEYS = frozenset({"lang", "large_text", "csrf_token", "_fresh"})
VISITOR = "visitor"  # the audience in a visitor's page's key
HIT = "X-Shared-Page"  # on an answer put together from kept parts (the tests look for it)
MAX_BODIES, MAX_HEADERS = 512, 4096
MAX_BYTES = 256 * 1024

_bodies = Kept(MAX_BODIES)  # key -> (text before the header, text after)
_headers = Kept(MAX_HEADERS)  # key -> the header's text
_signed: dict = {}  # (secret key, a session's form token) -> (period, the token signed in it)
CSRF_FIELD = "csrf_token"  # (Flask-WTF's default WTF_CSRF_FIELD_NAME: in the session and on g)
SIGNED_TOKEN_SECONDS = 60
_lock = threading.Lock()
_RENDERING = "_shared_page_rendering"  # g: base.html marks the header
_UNSHARED = "_shared_page_unshared"  # g: this rendering is not to be kept


def personal_mark():
    """base.html's mark on each side of the personal header, while a page is rendered for sharing."""
    return MARK if g.get(_RENDERING) else ""


def own_body():
    """The audience of a page whose body is the person's own throughout (the matter page: their
    support, follow, own actions and forms in every feature's panel): kept for them alone, under
    their own data version as well as the page's."""
    user_id = current_user.id
    return ("person", user_id, person_tokens(user_id))


def unshared():
    """Called by a view while rendering: this page shows something its audience does not say."""
    g.setdefault(_UNSHARED, True)


def page(audience, render, community=None, visitors=False, version=None):
    """The page render() makes (its HTML), for the logged-in person asking: its body kept for
    everyone with the same key and audience() (a tuple: what, of the viewer, decides what the body
    shows; called after the tokens are read), its header for this person. `community` is what the
    header shows of the page's community. With `visitors`, a visitor gets the page kept whole for
    all visitors. Anyone else, or a session with a message to show, gets render()'s page as it is.
    `version`, in place of the page's data-version tokens: a value the view computed from every
    value the page shows outside its header, the community's name and slug included (the ballot
    page, whose data version every ballot changes)."""
    slug = community.slug if community is not None else None
    if visitors and not current_user.is_authenticated:
        return _visitor_page(render, slug)
    keys = _keys(audience, slug, version)
    if keys is None:
        return render()
    body_key, header_key = keys
    body, header = _bodies.get(body_key), _headers.get(header_key)
    if body is not None:
        if header is None:
            header = _render_header(community)
            _headers.put(header_key, header)
        return _served(body[0] + header + body[1])
    g.pop(_UNSHARED, None)
    setattr(g, _RENDERING, True)
    try:
        html = render()
    finally:
        g.pop(_RENDERING, None)
    if not isinstance(html, str):
        return html
    parts = html.split(MARK)
    if len(parts) != 3:  # no header to cut out (or a mark where none belongs): not kept
        return "".join(parts)
    kept = [slotted(part) for part in parts]
    _headers.put(header_key, kept[1])
    if not g.pop(_UNSHARED, False) and len(html) <= MAX_BYTES:
        _bodies.put(body_key, (kept[0], kept[2]))
    return "".join(parts)


def _visitor_page(render, slug):
    """A visitor's page, kept whole with a slot for the form token."""
    key = None
    if _shares() and not set(session) - ANONYMOUS_KEYS:
        page_tokens = request_tokens(slug)
        if page_tokens is not None:
            key = _body_key(VISITOR, page_tokens)
    if key is None:
        return render()
    text = _bodies.get(key)
    if text is not None:
        return _served(text)
    g.pop(_UNSHARED, None)
    html = render()
    if isinstance(html, str) and not g.pop(_UNSHARED, False) and len(html) <= MAX_BYTES:
        _bodies.put(key, slotted(html))
    return html


def _shares():
    """Whether this request may be answered from kept text: a page view, with no message to show."""
    return request.method in ("GET", "HEAD") and current_app.config.get("PAGE_CACHE") and "_flashes" not in session


def _keys(audience, slug, version=None):
    """(body key, header key) for this request, or None when it is not to share."""
    user = current_user._get_current_object()  # (each use of the proxy looks the user up again)
    if not _shares() or not user.is_authenticated:
        return None
    page_tokens = request_tokens(slug) if version is None else ("version", version)
    own_tokens = person_tokens(user.id)
    if page_tokens is None or own_tokens is None:
        return None
    body_key = _body_key(audience(), page_tokens)
    header_key = (user.id, own_tokens, page_tokens, body_key[1], body_key[-1])  # (body_key[1]: the path)
    return body_key, header_key


def _body_key(audience, page_tokens):
    """The key of the body shown to `audience` (its last part: how the page is shown, also the header's)."""
    period = int(clock.now().timestamp() // current_app.config["PAGE_CACHE_SECONDS"])
    asked = request._get_current_object()  # (read six times: each use of the proxy looks it up again)
    shown_as = (str(get_locale()), bool(session.get("large_text", False)), asked.host, asked.scheme, period)
    return (asked.endpoint, asked.path, asked.query_string, audience, page_tokens, shown_as)


def _render_header(community):
    """The header alone, as base.html renders it around any page of the community."""
    app = current_app
    context = {"community": community}
    app.update_template_context(context)
    template = app.jinja_env.get_template("base.html")
    return slotted("".join(template.blocks[HEADER_BLOCK](template.new_context(context))))


def slotted(html):
    """The rendered text with a slot wherever this request's form token is."""
    token = g.get("csrf_token")
    return html.replace(token, CSRF_SLOT) if token else html


def filled(text):
    """The kept text with the asking session's own form token."""
    return text.replace(CSRF_SLOT, _form_token()) if CSRF_SLOT in text else text


def _form_token():
    """generate_csrf(), signed at most SIGNED_TOKEN_SECONDS ago: the same session's token signed
    once for its pages of that minute (signing cost as much as putting the rest of the page
    together). It is accepted as any other (WTF_CSRF_TIME_LIMIT, none here, counts from its signing)."""
    raw = session.get(CSRF_FIELD)
    if raw is None or CSRF_FIELD in g:
        return generate_csrf()
    key = (current_app.config.get("WTF_CSRF_SECRET_KEY") or current_app.secret_key, raw)
    period = int(time.time() // SIGNED_TOKEN_SECONDS)
    with _lock:
        known = _signed.get(key)
    if known is not None and known[0] == period:
        setattr(g, CSRF_FIELD, known[1])  # as generate_csrf() leaves it, for the rest of the request
        return known[1]
    token = generate_csrf()
    with _lock:
        if len(_signed) >= MAX_HEADERS:
            _signed.clear()
        _signed[key] = (period, token)
    return token


def _served(text):
    response = current_app.response_class(filled(text), mimetype="text/html")
    response.headers[HIT] = "hit"
    return response


def clear():
    _bodies.clear()
    _headers.clear()
    with _lock:
        _signed.clear()


def init_app(app):
    app.add_template_global(personal_mark)
