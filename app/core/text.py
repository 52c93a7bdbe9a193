"""User-written text: Markdown rendered, then sanitised."""

import unicodedata

import nh3
from flask_babel import lazy_gettext as _l
from markdown_it import MarkdownIt

from .errors import FieldError

_markdown = MarkdownIt("commonmark", {"html": False, "linkify": False}).enable("table")
_ALLOWED_TAGS = {
    "p",
    "br",
    "strong",
    "em",
    "ul",
    "ol",
    "li",
    "blockquote",
    "code",
    "pre",
    "h3",
    "h4",
    "a",
    "table",
    "thead",
    "tbody",
    "tr",
    "th",
    "td",
    "hr",
}


def render_markdown(source):
    html = _markdown.render(source or "")
    return nh3.clean(
        html,
        tags=_ALLOWED_TAGS,
        attributes={"a": {"href", "title"}},
        url_schemes={"http", "https", "mailto"},
        link_rel="nofollow noopener noreferrer",
    )


def clean_plain(text):
    """Plain text fields: strip control characters and surrounding space."""
    if text is None:
        return ""
    return "".join(ch for ch in text if ch in "\n\t" or ch.isprintable()).strip()


def checked_text(value, field, limit, required=None, *, too_long=None, one_line=False):
    """A service's reading of a plain text field: cleaned (on one line when `one_line`), at most
    `limit` characters, and given when `required` (the message for its absence) is set; a refusal
    names the field."""
    value = clean_plain(value)
    if one_line:
        value = value.replace("\n", " ")
    if required and not value:
        raise FieldError(field, required)
    if len(value) > limit:
        raise FieldError(field, too_long or _l("At most %(n)s characters, please.", n=limit))
    return value


# Characters that render as nothing (Hangul fillers, the braille blank, the combining grapheme joiner):
# a name made of them looks empty or hides text next to another.
_INVISIBLE = frozenset("\u034f\u115f\u1160\u17b4\u17b5\u2800\u3164\uffa0")
DISPLAY_NAME_MAX = 40  # the column's width


def _not_one_line(ch):
    """Control, format (zero-width, bidi), separator and unassigned characters, and invisible letters.
    Private-use characters stay: some rare characters of Chinese names only exist there (GB 18030)."""
    return unicodedata.category(ch) in ("Cc", "Cf", "Cs", "Cn", "Zl", "Zp") or ch in _INVISIBLE


def one_line(text):
    """Text for a single line (an e-mail subject): line breaks, controls and invisible characters
    become a space, runs of space one space."""
    return " ".join("".join(" " if _not_one_line(ch) else ch for ch in text or "").split())


def clean_display_name(value):
    """A person's name as stored and shown beside everything they write: one line of visible text.

    Returns the name NFC-normalised, trimmed and with runs of space as one; raises
    FieldError("display_name", ...) for a name that is empty, too long or hides characters (a line
    break would break every e-mail that names the person; bidi and zero-width characters let a name
    pass for another).
    """
    name = unicodedata.normalize("NFC", value or "").strip()
    if any(_not_one_line(ch) for ch in name):
        raise FieldError(
            "display_name",
            _l("A name is one line of visible text: no line breaks, tabs or invisible characters."),
        )
    name = " ".join(name.split())
    if not name:
        raise FieldError("display_name", _l("Please enter a name."))
    if len(name) > DISPLAY_NAME_MAX:
        raise FieldError("display_name", _l("At most %(max)s characters.", max=DISPLAY_NAME_MAX))
    return name
