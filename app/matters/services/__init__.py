"""Micro-matters' services, one module per part: proposals.py (finding, proposing, editing,
clarifying a matter), supports.py (附议 and the threshold), comments.py, follows.py, photos.py
(photos and those kept while a form comes back), listing.py (the list), common.py (what they share).
This file imports their public names, so callers may write `services.support(...)`.

Each public function checks the rules (the permission predicates again, whatever the page
showed), makes its change and commits it in one transaction, or raises a DomainError and leaves
nothing behind. Status changes go through lifecycle.apply().
"""
# ruff: noqa: F401  (names imported to be used as services.<name>)

from .comments import (
    COMMENT_MAX,
    COMMENTS_PER_GROUP,
    COMMENTS_PER_PAGE,
    EXCERPT_CHARS,
    REASON_MAX,
    REPLIES_MAX,
    REPLIES_SHOWN,
    REPLY_MAX,
    add_comment,
    comment_groups,
    comments_with_stance,
    get_comment,
    hide_comment,
    reply,
    reply_refusal,
    stance_counts,
)
from .common import CONFLICT
from .follows import ALREADY_FOLLOWING, follow, unfollow
from .listing import PER_PAGE, Card, CountedPage, Cover, Person, counted, list_matters, list_query
from .photos import (
    PENDING_PHOTO_HOURS,
    PHOTOS_MAX,
    discard_pending_photos_of,
    forget_expired_photos,
    get_pending_photo,
    get_photo,
    hold_photos,
    pending_photos,
)
from .proposals import (
    CLARIFICATION_MAX,
    COST_MAX,
    COST_MIN,
    DESCRIPTION_MAX,
    FROZEN,
    LOCATION_MAX,
    PAGE_LOADS,
    SEARCHED,
    SUBSTANCE,
    TITLE_MAX,
    add_clarification,
    clean_fields,
    create_matter,
    get_matter,
    get_matter_page,
    get_visible_matter,
    parse_yuan,
    submit,
    update_matter,
    withdraw,
)
from .supports import ALREADY_SUPPORTED, DEFAULT_THRESHOLD, support, support_threshold, supporters, unsupport
