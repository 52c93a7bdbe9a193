"""The demo's people, for the demo steps (app/demo, app/streets, app/onbehalf): accounts that share
one password hash, and memberships verified at once, without the request and verification steps."""

from app.auth.models import User
from app.core import clock
from app.extensions import db

from .models import Membership, MembershipStatus


def account(username, display_name, password_hash, admin=False):
    user = User(username=username, display_name=display_name, password_hash=password_hash, is_admin=admin)
    db.session.add(user)
    return user


def verified_member(user, community, role, address, verified_by):
    membership = Membership(
        user=user,
        community=community,
        status=MembershipStatus.VERIFIED,
        role=role,
        address=address,
        decided_by_id=verified_by.id,
        decided_at=clock.now(),
    )
    db.session.add(membership)
    return membership
