"""Parts of a page rendered once and kept in this worker's memory (per app), per
everything they show.

A template wraps such a part in `{% call kept_fragment(value, …) %}…{% endcall %}`, naming in the
call every value the part shows that is not in its template text: the part is kept under those
values, the page template being rendered (a page may override a block inside the part), the
language and the site's path (url_for's script root). What the part shows can only change with a
value of its key, so it is never stale; nothing personal may go into one (the visitor's header,
a micro-matter's card, the community's menu). Where templates are reloaded (development), every
part is rendered each time.
"""

import threading
import weakref
from collections import OrderedDict

from flask import has_request_context, request
from flask_babel import get_locale
from jinja2 import pass_context

MAX_ENTRIES = 4096  # the least recently used go first
MAX_KEY_TEXT = 300  # a longer text (a made-up query string) is shown, not kept

_kept: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()  # an app's Jinja environment -> {key: text}
_lock = threading.Lock()


@pass_context
def kept_fragment(context, *shown, caller, when=True):
    """The text of the call block, kept per `shown` and the page (when `when`: a part personal to
    some viewers is rendered for them each time); rendered when not kept yet."""
    env = context.environment
    if not when or env.auto_reload or not has_request_context():
        return caller()
    for value in shown:
        if isinstance(value, str) and len(value) > MAX_KEY_TEXT:
            return caller()
    locale = context.get("current_locale") or str(get_locale())
    key = (context.name, locale, request.script_root, *shown)
    kept = _kept.get(env)
    if kept is None:
        kept = _kept.setdefault(env, OrderedDict())
    with _lock:
        text = kept.get(key)
        if text is not None:
            kept.move_to_end(key)
            return text
    text = caller()
    with _lock:
        kept[key] = text
        while len(kept) > MAX_ENTRIES:
            kept.popitem(last=False)
    return text
