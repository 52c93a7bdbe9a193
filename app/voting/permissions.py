"""Who may do what with voting rounds. Used by views, services and templates alike."""

from app.communities import permissions as community_permissions

from .models import RoundState


def can_manage_rounds(user, community):
    """Open rounds, record paper ballots, count: the community's committee (or an admin)."""
    return community_permissions.is_committee(user, community) or community_permissions.is_admin(user)


def can_manage_households(user, community):
    return can_manage_rounds(user, community)


def can_vote_in(user, community):
    """Eligible in principle: a verified member of the round's community (the round's own
    rules, the window and households are checked by casting.standing)."""
    return community_permissions.is_verified_resident(user, community)


def can_count(user, voting_round):
    return can_manage_rounds(user, voting_round.community) and voting_round.state() == RoundState.CLOSED


def can_record_paper(user, voting_round):
    """Declare in-person sessions, mark voters, enter tally sheets: the committee, until the count."""
    return can_manage_rounds(user, voting_round.community) and voting_round.state() != RoundState.COUNTED


def can_scrutinise(user, community):
    """Confirm or reject a tally sheet entered by someone else (监票), see the paper ballots page and
    the objections: a committee member, or a council member acting as scrutineer."""
    return can_manage_rounds(user, community) or community_permissions.is_council_member(user, community)


def can_print_ballot(user, community):
    """Blank paper ballots for the in-person sessions: those who run and scrutinise them (the paper
    ballots page)."""
    return can_scrutinise(user, community)
