"""Demo step (after the matters): two residents report the same comment, waiting in the committee's
queue. Uses context["community"], ["residents"]."""

from sqlalchemy import select

from app.extensions import db
from app.matters.models import Comment, MicroMatter

from . import services


def load(context):
    community, residents = context["community"], context["residents"]
    comment = db.session.scalar(
        select(Comment)
        .join(MicroMatter, MicroMatter.id == Comment.matter_id)
        .where(MicroMatter.community_id == community.id, Comment.hidden_at.is_(None), Comment.parent_id.is_(None))
        .order_by(Comment.id.desc())
    )
    if comment is None:
        return
    reporters = [r for r in residents if r.id != comment.author_id][-2:]
    for reporter, reason, text in zip(
        reporters, ("off_topic", "abuse"), ("和这个项目无关", "语气不太友好"), strict=True
    ):
        services.raise_flag(reporter, community, services.Target("comment", comment), reason=reason, text=text)
