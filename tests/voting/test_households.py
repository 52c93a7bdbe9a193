"""The household register the committee keeps for one-ballot-per-household rounds."""

from sqlalchemy import func, select

from app.communities.models import Membership, MembershipStatus
from app.extensions import db
from app.voting.models import Household, HouseholdMember
from tests.helpers import login


def members():
    return db.session.scalar(select(func.count(HouseholdMember.id)))


def test_committee_manages_households(client, make, committee, community, residents, outsider):
    waiting = make.member(community, status=MembershipStatus.PENDING)
    login(client, committee)
    client.get("/?lang=en")
    response = client.post("/c/xinglin/households", data={"name": "3栋401 王家", "address": "3栋401"})
    assert response.status_code == 303
    household = db.session.scalar(select(Household))
    page = f"/c/xinglin/households/{household.id}"
    assert client.post(page, data={"username": residents[1].username}).status_code == 303
    assert members() == 1
    # Twice, someone from another community, an unknown name: refused with a message.
    for username, message in (
        (residents[1].username, "already belongs to a household"),
        (outsider.username, "is not a verified resident of this community"),
        (waiting.username, "is not a verified resident of this community"),
        ("ghost", "No account with the user name"),
    ):
        response = client.post(page, data={"username": username})
        assert response.status_code == 400 and message in response.get_data(as_text=True)
    assert members() == 1
    html = client.get(page).get_data(as_text=True)
    assert residents[1].display_name in html
    member = db.session.scalar(select(HouseholdMember))
    assert client.post(page, data={"remove-submit": "1", "remove-value": str(member.id)}).status_code == 303
    assert members() == 0
    assert client.post(page, data={"remove-submit": "1", "remove-value": "424242"}).status_code == 404
    assert "3栋401 王家" in client.get("/c/xinglin/households").get_data(as_text=True)


def test_group_by_address(client, committee, community, residents):
    db.session.execute(
        Membership.__table__.update()
        .where(Membership.user_id.in_([residents[0].id, residents[1].id]))
        .values(address="5栋101")
    )
    db.session.commit()
    login(client, committee)
    response = client.post("/c/xinglin/households", data={"group-submit": "1"})
    assert response.status_code == 303
    households = db.session.scalars(select(Household)).all()
    # Everyone verified had an address: residents 0 and 1 share one; the others (and the committee) have theirs.
    by_address = {h.address: [m.user_id for m in h.members] for h in households}
    assert sorted(by_address["5栋101"]) == sorted([residents[0].id, residents[1].id])
    assert members() == 7
    # Running it again adds nobody twice.
    client.post("/c/xinglin/households", data={"group-submit": "1"})
    assert members() == 7


def test_suggestions_at_the_same_address(client, committee, community, residents):
    login(client, committee)
    client.post("/c/xinglin/households", data={"name": "1栋 王家", "address": "1栋1单元101室"})
    household = db.session.scalar(select(Household))
    html = client.get(f"/c/xinglin/households/{household.id}").get_data(as_text=True)
    assert residents[2].display_name in html  # the test builder registers everyone at 1栋1单元101室


def test_households_are_for_the_committee_only(client, community, residents, make):
    assert client.get("/c/xinglin/households").status_code == 302
    login(client, residents[1])
    assert client.get("/c/xinglin/households").status_code == 403
    assert client.post("/c/xinglin/households", data={"name": "x", "address": "y"}).status_code == 403
    other = make.community(slug="other-place")
    foreign = Household(community_id=other.id, name="x", address="y")
    db.session.add(foreign)
    db.session.commit()
    login(client, make.member(community, role="committee", username="boss"))
    assert client.get(f"/c/xinglin/households/{foreign.id}").status_code == 404
