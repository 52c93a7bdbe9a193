"""The named permission predicates, for each kind of person and state."""

from flask_login import AnonymousUserMixin

from app.extensions import db
from app.matters import permissions as p
from app.matters import services
from app.matters.lifecycle import Status


def put(matter, status):
    matter.status = status
    db.session.commit()


def test_who_may_propose(community, proposer, committee, outsider, pending):
    assert p.can_create(proposer, community) and p.can_create(committee, community)
    assert not p.can_create(outsider, community)
    assert not p.can_create(pending, community)
    assert not p.can_create(AnonymousUserMixin(), community)
    assert not p.can_create(None, community)


def test_view_drafts(new_matter, proposer, committee, residents, outsider, make):
    draft = new_matter(submit=False)
    admin = make.user(admin=True)
    assert p.can_view(proposer, draft) and p.can_view(committee, draft) and p.can_view(admin, draft)
    for user in (residents[0], outsider, AnonymousUserMixin()):
        assert not p.can_view(user, draft)
        assert not p.can_view_photo(user, draft)
    services.submit(proposer, draft)
    assert p.can_view(AnonymousUserMixin(), draft)


def test_edit_submit_withdraw(new_matter, proposer, committee, residents):
    draft = new_matter(submit=False)
    assert p.can_edit(proposer, draft) and p.can_submit(proposer, draft) and p.can_withdraw(proposer, draft)
    for user in (committee, residents[0], AnonymousUserMixin()):
        assert not (p.can_edit(user, draft) or p.can_submit(user, draft) or p.can_withdraw(user, draft))
    put(draft, Status.COLLECTING)
    assert p.can_edit(proposer, draft) and not p.can_submit(proposer, draft) and p.can_withdraw(proposer, draft)
    for status in set(Status) - {Status.DRAFT, Status.COLLECTING}:
        put(draft, status)
        assert not (p.can_edit(proposer, draft) or p.can_withdraw(proposer, draft)), status


def test_support_and_unsupport(matter, proposer, residents, outsider, pending, committee):
    assert p.can_support(residents[0], matter) and p.can_support(committee, matter)
    for user in (proposer, outsider, pending, AnonymousUserMixin()):
        assert not p.can_support(user, matter)
    services.support(residents[0], matter)
    assert not p.can_support(residents[0], matter) and p.can_unsupport(residents[0], matter)
    assert not p.can_unsupport(residents[1], matter)
    put(matter, Status.UNDER_REVIEW)
    assert not p.can_support(residents[1], matter) and not p.can_unsupport(residents[0], matter)


def test_comment_reply_hide(matter, new_matter, proposer, committee, residents, outsider):
    assert p.can_comment(residents[0], matter) and p.can_comment(proposer, matter)
    assert not p.can_comment(outsider, matter) and not p.can_comment(AnonymousUserMixin(), matter)
    comment = services.add_comment(residents[0], matter, "support", "好")
    assert p.can_reply(proposer, comment) and p.can_reply(committee, comment)
    assert not p.can_reply(residents[1], comment) and not p.can_reply(residents[0], comment)
    answer = services.reply(proposer, comment, "谢谢")
    assert not p.can_reply(committee, answer)  # one level only
    assert p.can_hide_comment(committee, comment) and p.can_hide_comment(committee, answer)
    assert not p.can_hide_comment(proposer, comment) and not p.can_hide_comment(residents[0], comment)
    services.hide_comment(committee, comment, "离题")
    assert not p.can_hide_comment(committee, comment) and not p.can_reply(proposer, comment)
    put(matter, Status.WITHDRAWN)
    assert not p.can_comment(residents[0], matter)
    draft = new_matter(submit=False, title="草稿")
    assert not p.can_comment(proposer, draft)


def test_follow(matter, new_matter, residents, outsider):
    assert p.can_follow(residents[0], matter) and p.can_follow(outsider, matter)
    assert not p.can_follow(AnonymousUserMixin(), matter)
    services.follow(outsider, matter)
    assert not p.can_follow(outsider, matter) and p.can_unfollow(outsider, matter)
    assert not p.can_unfollow(residents[0], matter)
    draft = new_matter(submit=False, title="草稿")
    assert not p.can_follow(residents[0], draft)
