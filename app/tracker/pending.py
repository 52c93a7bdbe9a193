"""The tracker's queue on the committee's home (communities.pending): overdue implementations."""

from flask import url_for
from flask_babel import lazy_gettext as _l

from app.communities.pending import Pending

from .records import overdue_record_ids


def overdue_implementations(community):
    return Pending(
        _l("Overdue implementations"),
        len(overdue_record_ids(community_id=community.id)),
        url_for("tracker.index", slug=community.slug, overdue=1),
    )
