"""Publishing's queue on the committee's home (communities.pending): objections not answered."""

from flask import url_for
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from app.communities.pending import Pending
from app.extensions import db

from .models import Notice, Objection


def unanswered_objections(community):
    notice_ids = db.session.scalars(
        select(Objection.notice_id)
        .join(Notice, Notice.id == Objection.notice_id)
        .where(Notice.community_id == community.id, Objection.answered_at.is_(None))
    ).all()
    if len(set(notice_ids)) == 1:  # one notice: straight to its objections
        url = url_for("publishing.notice", slug=community.slug, notice_id=notice_ids[0], _anchor="objections-h")
    else:
        url = url_for("publishing.notices", slug=community.slug)
    return Pending(_l("Objections not answered"), len(notice_ids), url)
