"""Comments on a micro-matter: a resident's comment with its stance, the proposer's or the
committee's reply, the committee hiding one, and the comments as the matter's page groups them."""

from flask_babel import lazy_gettext as _l
from sqlalchemy import case, func, select
from sqlalchemy.orm import joinedload, selectinload

from app.auth.models import User
from app.core import clock
from app.core.errors import DomainError, FieldError
from app.core.i18n import N_
from app.core.service import get_or_404, require
from app.core.text import checked_text
from app.extensions import db
from app.notifications.services import notify

from .. import behalf, permissions
from ..models import Comment, Follow, Stance
from .common import atomic, audit, commit_change, matter_link
from .listing import CountedPage, counted

COMMENT_MAX = 2000
REPLY_MAX = 500
REPLIES_MAX = permissions.REPLIES_MAX  # answers to one comment; keeps its page within the page budget
REASON_MAX = 300
COMMENTS_PER_GROUP = 3
COMMENTS_PER_PAGE = 8
EXCERPT_CHARS = 80  # lists show the start of long comments (about two lines on a phone); the comment's page has it all
REPLIES_SHOWN = 1


def get_comment(matter, comment_id):
    return get_or_404(Comment, comment_id, matter_id=matter.id)


def _clean_body(body, limit=COMMENT_MAX):
    too_long = (
        _l("A comment may be at most %(n)s characters.", n=limit)
        if limit == COMMENT_MAX
        else _l("A reply may be at most %(n)s characters.", n=limit)
    )
    return checked_text(body, "body", limit, _l("Please write something."), too_long=too_long)


def _same_comment(user, matter, body, entered_by):
    """The resident's comment with this text on the matter that a new one would repeat across an
    entry on their behalf (代录): any of theirs for an entry on behalf, one entered for them for their own."""
    query = select(Comment).where(Comment.matter_id == matter.id, Comment.author_id == user.id, Comment.body == body)
    if entered_by is None:
        query = query.where(Comment.entered_by_id.is_not(None))
    return db.session.scalars(query.order_by(Comment.id).limit(1)).first()


@atomic
def add_comment(user, matter, stance, body, *, entered_by=None, channel=None):
    """A verified resident comments: themselves, or through a committee member or grid worker
    (`entered_by`, `channel`: app/onbehalf)."""
    if not permissions.can_comment(user, matter):
        if matter.status in permissions.NO_COMMENTS:
            raise DomainError(_l("Comments are closed for this micro-matter."))
        raise DomainError(_l("Only verified residents of this community can comment."))
    if stance not in set(Stance):
        raise FieldError("stance", _l("Please choose: in favour, against or neutral."))
    body = _clean_body(body)
    same = _same_comment(user, matter, body, entered_by)
    if same is not None:
        raise FieldError("body", behalf.duplicate(same, user, entered_by, None))
    comment = Comment(matter_id=matter.id, author_id=user.id, stance=str(stance), body=body)
    db.session.add(behalf.stamp(comment, entered_by, channel))
    actor, on_behalf = behalf.actor_and_data(user, entered_by, channel)
    audit("comment.added", comment, actor, matter, matter_id=matter.id, stance=str(stance), **on_behalf)
    followers = select(Follow.user_id).where(Follow.matter_id == matter.id)
    audience = db.session.scalars(select(User).where((User.id == matter.proposer_id) | User.id.in_(followers))).all()
    link = matter_link(matter, "matters.comment_page", comment_id=comment.id)
    notify(
        audience,
        N_("%(name)s commented on “%(title)s”."),
        link,
        exclude=user,
        matter=matter,
        name=user.display_name,
        title=matter.title,
    )
    if entered_by is not None:
        behalf.tell("comment", user, entered_by, channel, matter.title, link)
    commit_change()
    return comment


def reply_refusal(user, comment):
    """Why `user` may not reply to `comment` (a message), or None when they may."""
    if permissions.can_reply(user, comment):
        return None
    if comment.parent_id is not None:
        return _l("Replies go one level deep: answer the original comment.")
    if comment.is_hidden or comment.matter.status in permissions.NO_COMMENTS:
        return _l("This comment can no longer be answered.")
    if not (permissions.is_proposer(user, comment.matter) or permissions.is_committee(user, comment.matter.community)):
        return _l("Only the proposer and the committee can reply to comments.")
    return _l("This comment already has %(n)s replies; please write a new comment instead.", n=REPLIES_MAX)


@atomic
def reply(user, comment, body):
    """The proposer or the committee answers a top-level comment."""
    matter = comment.matter
    refusal = reply_refusal(user, comment)
    require(not refusal, refusal)
    body = _clean_body(body, REPLY_MAX)
    answer = Comment(matter_id=matter.id, author_id=user.id, parent_id=comment.id, stance=Stance.NEUTRAL, body=body)
    db.session.add(answer)
    audit("comment.replied", answer, user, matter, matter_id=matter.id, parent_id=comment.id)
    notify(
        [comment.author],
        N_("%(name)s replied to your comment on “%(title)s”."),
        matter_link(matter, "matters.comment_page", comment_id=comment.id, _anchor=f"comment-{answer.id}"),
        exclude=user,
        name=user.display_name,
        title=matter.title,
    )
    commit_change()
    return answer


@atomic
def hide_comment(user, comment, reason):
    """A committee member hides a comment; the public reason stays in its place."""
    if not permissions.can_hide_comment(user, comment):
        if comment.is_hidden:
            raise DomainError(_l("This comment is already hidden."))
        raise DomainError(_l("Only the committee can hide comments."))
    reason = checked_text(
        reason,
        "reason",
        REASON_MAX,
        _l("Please give a reason; it is shown in place of the comment."),
        too_long=_l("The reason may be at most %(n)s characters.", n=REASON_MAX),
        one_line=True,
    )
    comment.hidden_reason = reason
    comment.hidden_by_id = user.id
    comment.hidden_at = clock.now()
    matter = comment.matter
    audit("comment.hidden", comment, user, matter, matter_id=matter.id, reason=reason)
    notify(
        [comment.author],
        N_("Your comment on “%(title)s” was hidden by the committee: %(reason)s"),
        matter_link(
            matter, "matters.comment_page", comment_id=comment.parent_id or comment.id, _anchor=f"comment-{comment.id}"
        ),
        exclude=user,
        title=matter.title,
        reason=reason,
    )
    commit_change()
    return comment


def stance_counts(matter):
    """Visible top-level comments per stance: a hidden comment no longer counts for or against."""
    rows = db.session.execute(
        select(Comment.stance, func.count(Comment.id))
        .where(Comment.matter_id == matter.id, Comment.parent_id.is_(None), Comment.hidden_at.is_(None))
        .group_by(Comment.stance)
    ).all()
    counts = {stance: 0 for stance in Stance}
    counts.update({Stance(stance): n for stance, n in rows if stance in set(Stance)})
    return counts


def _top_level(matter, stance):
    return (
        select(Comment)
        .where(Comment.matter_id == matter.id, Comment.parent_id.is_(None), Comment.stance == stance)
        .options(joinedload(Comment.author), selectinload(Comment.replies).joinedload(Comment.author))
        .order_by(Comment.id.desc())  # the newest first: where a discussion is going
    )


def comment_groups(matter):
    """({stance: the latest few top-level comments}, stance_counts) for the grouped view: one
    query for every stance (numbered per stance, the newest first, with the stance's count of
    visible comments) and one for their replies."""
    per_stance = {"partition_by": Comment.stance}
    numbered = (
        select(
            Comment.id,
            func.row_number().over(order_by=Comment.id.desc(), **per_stance).label("n"),
            func.count(case((Comment.hidden_at.is_(None), 1))).over(**per_stance).label("visible"),
        )
        .where(Comment.matter_id == matter.id, Comment.parent_id.is_(None))
        .subquery()
    )
    latest = (
        select(Comment, numbered.c.visible)
        .join(numbered, numbered.c.id == Comment.id)
        .where(numbered.c.n <= COMMENTS_PER_GROUP)
        .options(joinedload(Comment.author), selectinload(Comment.replies).joinedload(Comment.author))
        .order_by(Comment.id.desc())
    )
    groups: dict = {stance: [] for stance in Stance}
    counts = dict.fromkeys(Stance, 0)
    for comment, visible in db.session.execute(latest).unique():
        if comment.stance in groups:
            groups[comment.stance].append(comment)
            counts[Stance(comment.stance)] = visible
    return groups, counts


def comments_with_stance(matter, stance, page=1):
    """One stance's comments, paginated (the filtered view, ?stance=...)."""
    statement = counted(_top_level(matter, stance), Comment.id)
    return CountedPage(statement=statement, page=page, per_page=COMMENTS_PER_PAGE, error_out=False)
