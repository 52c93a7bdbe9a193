"""Who sees, adds and removes attachments. A micro-matter's are added by those who speak for it
(its proposer, the committee) once it is public; a committee item's by the committee."""

from app.communities.permissions import is_committee
from app.matters import permissions as matters


def can_view(user, subject):
    return subject.kind != "matter" or matters.can_view(user, subject.row)


def can_attach(user, subject):
    if subject.kind == "matter":
        return matters.can_clarify(user, subject.row)
    return is_committee(user, subject.community)


def can_remove(user, attachment, subject):
    """The committee, or whoever added it while they may still add."""
    if attachment.is_removed:
        return False
    return is_committee(user, subject.community) or (
        getattr(user, "id", None) == attachment.uploaded_by_id and can_attach(user, subject)
    )
