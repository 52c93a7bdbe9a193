"""Language choice, translation catalogs and locale-aware formatting.

Each feature package keeps its own catalog in app/<feature>/translations; all
of them are merged at run time. Message ids are English, zh_Hans is the default.
"""

from functools import lru_cache
from pathlib import Path

from babel import Locale
from babel.numbers import format_currency
from babel.support import NullTranslations
from flask import current_app, g, has_app_context, has_request_context, request, session
from flask_babel import Domain, format_date, format_datetime, get_locale, gettext
from werkzeug.datastructures import LanguageAccept
from werkzeug.http import parse_accept_header

APP_DIR = Path(__file__).resolve().parent.parent


def N_(message):
    """Mark a message for extraction; it is translated when shown (notifications, labels)."""
    return message


def translation_directories():
    return ";".join(str(p) for p in sorted(APP_DIR.glob("*/translations")))


def select_locale():
    """The request's locale, as a Locale made once per process for each language (Flask-Babel
    parsed the name again on every request, looking for Babel's data file on disk)."""
    languages = current_app.config["LANGUAGES"]
    if not has_request_context():  # CLI commands and services called outside a request
        return current_app.config["BABEL_DEFAULT_LOCALE"]
    chosen = session.get("lang")
    if chosen in languages:
        return _locale(chosen)
    # Only a user already loaded for this request: loading one may itself need a translation.
    user = g.get("_login_user")
    if getattr(user, "locale", None) in languages:
        return _locale(user.locale)
    return _locale(_language_asked(request.headers.get("Accept-Language", "")))


@lru_cache(maxsize=16)
def _locale(name):
    return Locale.parse(name)


@lru_cache(maxsize=512)
def _language_asked(accept_language):
    """The language a browser's Accept-Language header asks for, parsed once per header text."""
    best = parse_accept_header(accept_language, LanguageAccept).best_match(["zh", "en"], default="zh")
    return "en" if best == "en" else "zh_Hans"


def remember_preferences():
    """?lang= and ?text= links work without JavaScript and stick for the session."""
    if not request.query_string:  # most requests: no query to parse
        return
    lang = request.args.get("lang")
    if lang in current_app.config["LANGUAGES"]:
        session["lang"] = lang
    text = request.args.get("text")
    if text in ("large", "normal"):
        session["large_text"] = text == "large"


def money(amount):
    if amount is None:
        return ""
    return _money(amount, get_locale())


@lru_cache(maxsize=4096)
def _money(amount, locale):
    # Babel parses the pattern and looks the currency's names up on every call (~65 µs, ten a list page).
    return format_currency(amount, "CNY", format="¤#,##0", locale=locale, currency_digits=False)


# Parameters stored with a notification are translated when it is shown: {key: label(value)},
# filled by the features that own the words (the matters plug-in adds "status").
PARAM_LABELS = {}


def label_param(key, label):
    PARAM_LABELS[key] = label


def translate_param(key, value):
    label = PARAM_LABELS.get(key)
    return label(value) if label else value


def render_message(message, params):
    params = params or {}
    return gettext(message, **{k: translate_param(k, v) for k, v in params.items()})


class RequestDomain(Domain):
    """The one domain whose catalogs (every feature's directory) Flask-Babel merges, resolved once
    per request: Flask-Babel looks the locale up and keys its cache again for every message
    (60-70 on a list page). Kept on `g` with the locale it was resolved for, so force_locale()
    and refresh() (which replace or drop that locale) are honoured."""

    def get_translations(self):
        if not has_app_context():
            return NullTranslations()
        holder = g._get_current_object()
        locale = getattr(getattr(holder, "_flask_babel", None), "babel_locale", None)
        kept = getattr(holder, "_i18n_translations", None)
        if kept is not None and locale is not None and kept[0] is locale:
            return kept[1]
        translations = super().get_translations()
        holder._i18n_translations = (get_locale(), translations)
        return translations


def init_i18n(app, babel):
    app.config.setdefault("BABEL_TRANSLATION_DIRECTORIES", translation_directories())
    babel.init_app(app, locale_selector=select_locale)
    if not isinstance(babel.__dict__.get("domain_instance"), RequestDomain):
        # Python's gettext/_ (flask_babel's) reach it through get_domain(); Jinja's directly.
        babel.domain_instance = RequestDomain(domain=app.config.get("BABEL_DOMAIN", "messages"))
    translations = babel.domain_instance.get_translations
    app.jinja_env.install_gettext_callables(
        gettext=lambda s: translations().ugettext(s),
        ngettext=lambda s, p, n: translations().ungettext(s, p, n),
        pgettext=lambda c, s: translations().upgettext(c, s),
        npgettext=lambda c, s, p, n: translations().unpgettext(c, s, p, n),
        newstyle=True,
    )
    # `_` straight to gettext: Jinja's alias looks `gettext` up in the context again per message.
    app.jinja_env.globals["_"] = app.jinja_env.globals["gettext"]
    app.before_request(remember_preferences)
    app.jinja_env.filters["money"] = money
    app.jinja_env.filters["date"] = lambda value, fmt="medium": format_date(value, fmt) if value else ""
    app.jinja_env.filters["datetime"] = lambda value, fmt="short": format_datetime(value, fmt) if value else ""

    @app.context_processor
    def locale_context():
        locale = str(get_locale())
        return {
            "current_locale": locale,
            "html_lang": "zh-Hans" if locale.startswith("zh") else "en",
            "large_text": session.get("large_text", False),
        }
