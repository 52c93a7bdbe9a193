"""The list of micro-matters, /c/<slug>/matters/: filters, search, the person's own list, and the
cards, with what every card shows alike made once per language. The body is shared by everyone
in the same position (app/core/shared_body.py)."""

import functools

from flask import render_template, render_template_string, request, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user
from markupsafe import Markup
from sqlalchemy import select

from app.communities.badges import official_badge
from app.communities.scoping import current_community
from app.core import shared_body, version_cache
from app.core.kept import Kept
from app.core.params import page_arg
from app.extensions import db

from . import bp, permissions
from .forms import FilterForm, Sort
from .lifecycle import OUT_OF_TOTALS, Status, status_label
from .models import Category, MicroMatter
from .services import listing, supports

# The filter form's HTML by (language, community, filter values): the same for everyone who asks
# for them, and WTForms' rendering costs more than the rest of the list (issue 12 §2).
_FILTER_FORMS = Kept(512)


def _filters_html(community, mine, args):
    values = tuple(args.get(name, "") for name in ("q", "status", "category", "sort"))

    def render():
        form = FilterForm(formdata=request.args)
        return Markup(render_template("matters/_filters.html", form=form, mine=mine))  # noqa: S704  # nosec B704

    if any(len(value) > 100 for value in values):  # not what a visitor types in the form: not kept
        return render()
    key = (str(get_locale()), request.script_root, community.slug, mine, values)
    return _FILTER_FORMS.made(key, render)


# What every card shows alike in a language, made once per language: the status badges (the
# status_badge macro; a matter a counted round did not fund gets its own) and the categories' names.
_CARD_WORDS: dict = {}
BADGE = '{% from "_status.html" import status_badge with context %}{{ status_badge(status) }}'
ID_MARK = 918_273_645_546_372_819  # a number no path holds otherwise


def _card_words():
    locale = str(get_locale())
    words = _CARD_WORDS.get(locale)
    if words is None:
        badges = {s: render_template_string(BADGE, status=s, status_label=status_label) for s in Status}
        words = _CARD_WORDS[locale] = {
            "badges": {status: Markup(html) for status, html in badges.items()},  # noqa: S704  # nosec B704
            "categories": {value: _(label) for value, label in Category.labels().items()},
        }
    return words


def _path_by_id(endpoint, name):
    """id -> url_for(endpoint, name=id): the URL map builds the path once, when a card is first
    rendered (kept cards need none), each card's is that path with its id (url_for costs about as
    much as the rest of a card)."""

    @functools.cache
    def around_id():
        return url_for(endpoint, **{name: ID_MARK}).rpartition(str(ID_MARK))

    def path(value):
        before, _mark, after = around_id()
        return f"{before}{int(value)}{after}"

    return path


def _badges(cards, community):
    """Each card's proposer's official badge, looked up once per proposer."""
    by_person = {}
    for card in cards:
        if card.proposer.id not in by_person:
            by_person[card.proposer.id] = official_badge(card.proposer, community)
    return tuple(by_person[card.proposer.id] for card in cards)


def _sees_own(community):
    """Whether the list shows the viewer rows nobody else sees (their drafts, their hidden matters)."""
    query = listing.list_query(community, current_user).where(MicroMatter.status.in_(OUT_OF_TOTALS))
    return bool(db.session.scalar(select(query.exists())))


def _audience(community, mine):
    """What of the viewer decides what the list shows them (the shared body's key: app/core/shared_body.py):
    whether they may propose, where they stand in joining, and — when their own drafts or hidden
    matters are on it, or it is their own list — who they are."""
    user = current_user._get_current_object()  # (each use of the proxy looks the user up again)
    own = mine or version_cache.kept(("own_unlisted_matters", user.id), community.slug, lambda: _sees_own(community))
    return (
        permissions.can_create(user, community),
        permissions.joining_step(user, community),
        user.id if own else None,
    )


@bp.get("/")
def index():
    community = current_community()
    # (a plain dict: request.args raises, and catches, an exception for each name it lacks)
    args = request.args.to_dict() if request.query_string else {}
    mine = args.get("mine") == "1" and current_user.is_authenticated
    filters = {
        "status": args.get("status") or None,
        "category": args.get("category") or None,
        "q": (args.get("q") or "")[:100],
        "sort": args.get("sort") if args.get("sort") in set(Sort) else Sort.NEWEST,
        "mine": mine,
    }

    def render():
        pagination = listing.list_matters(community, current_user, page=page_arg(), **filters)
        cards = tuple(pagination.items)
        return render_template(
            "matters/index.html",
            community=community,
            pagination=pagination,
            cards=cards,
            # the proposers' badges, part of what the cards show (the key of their kept text)
            proposer_badges=_badges(cards, community),
            filters_html=_filters_html(community, mine, args),
            mine=mine,
            filtered=any(args.get(k) for k in ("status", "category", "q")),
            threshold=supports.support_threshold(community),
            can_create=permissions.can_create(current_user, community),
            matter_path=_path_by_id("matters.detail", "matter_id"),
            # what the list's template uses of page_context()
            status_label=status_label,
            Status=Status,
            perm=permissions,
            **_card_words(),
        )

    return shared_body.page(lambda: _audience(community, mine), render, community)
