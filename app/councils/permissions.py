"""Who may do what in review, the agenda list and meetings. Used by views, services and templates."""

from app.communities.permissions import is_chair, is_committee, is_council_member, membership_of


def _authenticated(user):
    return user is not None and getattr(user, "is_authenticated", False)


def can_review(user, community):
    return is_committee(user, community)


def can_manage_agenda(user, community):
    return is_committee(user, community)


def can_schedule(user, community):
    return is_committee(user, community)


def can_be_secretary(user, community):
    """The secretary is a committee member or a council member."""
    membership = membership_of(user, community)
    return (
        membership is not None and membership.is_verified and (membership.is_council or membership.role == "committee")
    )


def can_run_meeting(user, meeting):
    """Only the presiding chair or the meeting's secretary runs a meeting."""
    if not _authenticated(user) or user.id not in (meeting.chair_id, meeting.secretary_id):
        return False
    membership = membership_of(user, meeting.community)
    return membership is not None and membership.is_verified


def is_presiding(user, meeting):
    return _authenticated(user) and user.id == meeting.chair_id


def can_mark_absent(user, meeting):
    """The presiding chair decides who is in the room."""
    return is_presiding(user, meeting) and can_run_meeting(user, meeting)


def can_enter_for_member(user, meeting):
    """The presiding chair records a motion, seconding or speaker request for a member present
    without a phone."""
    return is_presiding(user, meeting) and can_run_meeting(user, meeting)


def can_take_part(user, meeting):
    """Council members check in, speak, move, second and vote."""
    return is_council_member(user, meeting.community)


def can_vote(user, vote):
    return (
        _authenticated(user)
        and user.id in (vote.entitled or [])
        and is_council_member(user, vote.motion.item.meeting.community)
    )


def can_see_projector(user, meeting):
    return can_run_meeting(user, meeting)


def can_edit_minutes(user, minutes):
    return not minutes.locked and can_run_meeting(user, minutes.meeting)


def can_lock_minutes(user, minutes):
    return (
        not minutes.locked
        and minutes.meeting.status == "closed"
        and is_presiding(user, minutes.meeting)
        and can_run_meeting(user, minutes.meeting)
    )


def can_send_minutes_for_comments(user, minutes):
    """The secretary or the chair sends the draft (not a correction) to the members for comments."""
    return minutes.corrects_id is None and can_edit_minutes(user, minutes)


def can_comment_on_minutes(user, minutes):
    """Council members comment on the draft minutes (while they are out for comments)."""
    return not minutes.locked and minutes.corrects_id is None and is_council_member(user, minutes.meeting.community)


def can_answer_minutes_comment(user, minutes):
    """The presiding chair, who locks the minutes, answers each comment."""
    return can_lock_minutes(user, minutes)


def can_correct_minutes(user, minutes):
    return minutes.locked and can_run_meeting(user, minutes.meeting)


def can_see_draft_minutes(user, meeting):
    return (
        can_run_meeting(user, meeting)
        or is_committee(user, meeting.community)
        or is_council_member(user, meeting.community)
    )


def can_print_sign_in(user, meeting):
    """The sign-in sheet names every council member: the committee, the council's chair and whoever
    runs the meeting."""
    return is_committee(user, meeting.community) or is_chair(user, meeting.community) or can_run_meeting(user, meeting)
