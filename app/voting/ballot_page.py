"""The ballot page's body, rendered once per (round as stored, options, state, language, text mode,
voter state) and reused: in a storm of ballots every voter who has not voted yet sees the same body.

The key holds every value the body shows (templates/voting/_ballot_body.html), taken from rows the
page loads anyway, so a body is never stale. It is not keyed by the community's data version
(app/core/versions.py): every ballot cast changes that, and the body does not show ballots.
The CSRF token is personal: the body is kept with a slot for it, filled on each page view.

For a resident logged in, the whole page around the body is kept too, under the same key and the
community's name (app/core/shared_body.page with `version`): only their header is rendered for
them."""

import functools

from flask import render_template, session
from flask_babel import get_locale
from flask_wtf.csrf import generate_csrf
from markupsafe import Markup
from sqlalchemy import inspect

from app.core.kept import Kept

MAX_ENTRIES = 512
_CSRF_SLOT = Markup("\x00csrf\x00")  # noqa: S704  # nosec B704  # no rendered page contains NUL

_store = Kept(MAX_ENTRIES)


@functools.cache
def _attributes(mapper):
    return tuple(attribute.key for attribute in mapper.column_attrs)


def _values(row):
    return tuple(getattr(row, key) for key in _attributes(inspect(row).mapper))


def key(shown):
    """Every value the body shows (and the page around it: the community's name in its title)."""
    voting_round, own = shown["round"], shown["standing"].participation
    community = voting_round.community
    return (
        _values(voting_round),
        tuple(_values(option) for option in voting_round.options),
        community.slug,  # in the options' links
        community.name,
        shown["state"],
        str(get_locale()),
        bool(session.get("large_text", False)),
        shown["authenticated"],
        shown["can_manage"],
        shown["standing"].may_vote,
        str(shown["standing"].reason) if shown["standing"].reason is not None else None,
        own.receipt_code if own is not None else None,
    )


def csrf_field():
    """The ballot form's hidden CSRF input (the session's token, checked by CSRFProtect on POST)."""
    return Markup('<input id="csrf_token" name="csrf_token" type="hidden" value="{}">').format(generate_csrf())


def body(shown, shown_key):
    """The body's HTML for a page view without an error or choices to show again; `shown`: the
    template's values (round, standing, state, can_manage, authenticated and the labels),
    `shown_key`: key(shown)."""
    html = _store.made(shown_key, lambda: render(_CSRF_SLOT, shown))
    return html.replace(_CSRF_SLOT, csrf_field(), 1)  # Markup in, Markup out


def render(csrf_field, shown, error=None, selected=None, answers=None):
    """The body as Markup (rendered by Jinja with autoescape), to be put into voting/ballot.html."""
    html = render_template(
        "voting/_ballot_body.html",
        csrf_field=csrf_field,
        error=error,
        selected=selected or set(),
        answers=answers or {},
        **shown,
    )
    return Markup(html)  # noqa: S704  # nosec B704
