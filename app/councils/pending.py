"""The council's queue on the committee's home (communities.pending): matters waiting for review."""

from flask import url_for
from flask_babel import lazy_gettext as _l

from app.communities.pending import Pending

from .review import review_queue


def matters_to_review(community):
    return Pending(
        _l("Micro-matters waiting for review"),
        len(review_queue(community)),
        url_for("councils.review", slug=community.slug),
    )
