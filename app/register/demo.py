"""Demo step (last): the register of 杏林社区 as the 居委会 keeps it — every verified member and the
many residents who never signed up (3,200 people, the community's stated size) — and two join
requests waiting for the committee: one found on the register, one whose address is on it under
other names. Uses context["community"], ["committee"], ["rng"], ["admin"]."""

from sqlalchemy import select

from app.auth.models import User
from app.communities.models import Membership, MembershipStatus
from app.extensions import db

from . import services

PHONE_SHARE = 3  # one in three has a phone number on the register


def load(context):
    community, committee, rng = context["community"], context["committee"], context["rng"]
    members = db.session.execute(
        select(User.display_name, Membership.address)
        .join(Membership, Membership.user_id == User.id)
        .where(Membership.community_id == community.id, Membership.status == MembershipStatus.VERIFIED)
        .order_by(Membership.id)
    ).all()
    people = [(name.split()[-1], address) for name, address in members if "栋" in address]
    # Those who never signed up: names mixed from the members' surnames and given names.
    surnames, given = [n[:1] for n, _a in people], [n[1:] for n, _a in people]
    while len(people) < community.register_size:
        address = f"{rng.randint(1, 24)}栋{rng.randint(1, 3)}单元{rng.randint(1, 6)}0{rng.randint(1, 4)}室"
        people.append((rng.choice(surnames) + rng.choice(given), address))
    rows = [
        (line, name, address, address, f"139{rng.randrange(10**8):08d}" if rng.randrange(PHONE_SHARE) == 0 else "")
        for line, (name, address) in enumerate(people, start=2)
    ]
    services.replace_register(committee, community, rows)
    password_hash = context["admin"].password_hash  # every demo account has the same password
    newcomer = people[-1]  # on the register, not yet on Weiyi
    for username, name, address in (
        ("newcomer1", newcomer[0], newcomer[1]),
        ("newcomer2", "林晓", people[-2][1]),  # a new tenant at a registered address
    ):
        user = User(username=username, display_name=name, password_hash=password_hash)
        db.session.add(user)
        db.session.flush()
        db.session.add(Membership(user_id=user.id, community_id=community.id, address=address))
