"""Terms and substitutes are the committee's to keep; everyone may read them (public facts about an office)."""

from app.communities.permissions import is_committee


def can_manage_terms(user, community):
    return is_committee(user, community)
