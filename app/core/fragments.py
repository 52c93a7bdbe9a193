"""Parts of a page rendered once and kept in this worker's memory (per app), per
everything they show.

A template wraps such a part in `{% call kept_fragment(value, …) %}…{% endcall %}`, naming in the
call every value the part shows that is not in its template text: the part is kept under those
values, the page template being rendered (a page may override a block inside the part), the
language and the site's path (url_for's script root). What the part shows can only change with a
value of its key, so it is never stale (the visitor's header, a micro-matter's card, the
community's menu). A part showing a person's own values names the person among them (a logged-in
person's header); one holding the session's form token says `form_token=True`: it is kept with a
slot in its place, filled with the asking session's own token (as app/core/shared_body.py does
for whole pages). Where templates are reloaded (development), every part is rendered each time.
"""

import threading
import weakref

from flask import has_request_context, request
from flask_babel import get_locale
from jinja2 import pass_context

from .kept import Kept
from .shared_body import filled, slotted

MAX_ENTRIES = 4096  # the least recently used go first
MAX_KEY_TEXT = 300  # a longer text (a made-up query string) is shown, not kept

_kept: weakref.WeakKeyDictionary = (
    weakref.WeakKeyDictionary()
)  # an app's Jinja environment -> Kept: key -> (None, text)
_lock = threading.Lock()  # (one store made per environment)


@pass_context
def kept_fragment(context, *shown, caller, form_token=False):
    """The text of the call block, kept per `shown` and the page; rendered when not kept yet."""
    env = context.environment
    if env.auto_reload or not has_request_context():
        return caller()
    for value in shown:
        if isinstance(value, str) and len(value) > MAX_KEY_TEXT:
            return caller()
    locale = context.get("current_locale") or str(get_locale())
    key = (context.name, locale, request.script_root, *shown)
    kept = _kept.get(env)
    if kept is None:
        with _lock:
            kept = _kept.setdefault(env, Kept(MAX_ENTRIES))
    if not form_token:
        return kept.made(key, caller)
    return filled(kept.made(key, lambda: slotted(caller())))
