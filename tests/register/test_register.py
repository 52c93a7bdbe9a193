"""The resident register: import (all or nothing), privacy, matching join requests, households."""

import io
import json

from sqlalchemy import func, select

from app.audit.models import AuditEntry
from app.auth.models import User
from app.communities.models import Membership, MembershipStatus, Role
from app.extensions import db
from app.register import services
from app.register.models import RegisterEntry
from app.voting.models import Household, HouseholdMember
from tests.helpers import login

REGISTER = (
    "姓名,地址,户号,电话\n王秀英,3栋1单元201室,0301,13800001111\n李建国,3栋1单元201室,0301,\n张伟,5栋2单元402室,0502,\n"
)


def csv_file(text, encoding="utf-8-sig", name="register.csv"):
    return (io.BytesIO(text.encode(encoding)), name)


def import_as(client, committee, community, text, encoding="utf-8-sig"):
    login(client, committee)
    return client.post(
        f"/c/{community.slug}/register/import",
        data={"file": csv_file(text, encoding)},
        content_type="multipart/form-data",
    )


def person(make, community, name, address, status=MembershipStatus.VERIFIED):
    membership = Membership(
        user_id=make.user(display_name=name).id, community_id=community.id, status=status, address=address
    )
    db.session.add(membership)
    db.session.commit()
    return membership


def setup(make):
    community = make.community()
    committee = make.member(community, role=Role.COMMITTEE)
    return community, committee


# ---------------------------------------------------------------- parsing (pure)


def test_fold_makes_spacing_and_width_irrelevant():
    assert services.fold("3栋 1单元 ２０１室") == services.fold("3栋1单元201室")
    assert services.fold(" Wang  Li ") == "wangli"


def test_english_headers_in_any_order_and_no_household_column():
    rows = services.parse("address,name\n1栋101室,赵敏\n".encode())
    assert rows == [(2, "赵敏", "1栋101室", "1栋101室", "")]


def test_bad_lines_are_all_named():
    text = "姓名,地址,电话\n,1栋101室,\n钱七,,\n孙八,2栋,not-a-phone\n"
    try:
        services.parse(text.encode())
    except services.RegisterProblems as problems:
        assert [line for line, _message in problems.problems] == [2, 3, 4]
    else:
        raise AssertionError("bad lines were accepted")


def test_missing_columns_and_non_text_are_refused():
    for data in (b"foo,bar\n1,2\n", b"\x00\x01\x02", b""):
        try:
            services.parse(data)
        except services.RegisterProblems as problems:
            assert problems.problems[0][0] == 1
        else:
            raise AssertionError(f"{data!r} was accepted")


# ---------------------------------------------------------------- import through the page


def test_committee_imports_a_gb18030_register_and_the_size_follows(client, make):
    community, committee = setup(make)
    response = import_as(client, committee, community, REGISTER, encoding="gb18030")
    assert response.status_code == 302, response.get_data(as_text=True)
    assert db.session.scalar(select(func.count(RegisterEntry.id))) == 3
    db.session.refresh(community)
    assert community.register_size == 3
    page = client.get(f"/c/{community.slug}/register/").get_data(as_text=True)
    assert "王秀英" in page and "13800001111" in page
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "register.imported"))
    assert entry.data["people"] == 3 and entry.data["households"] == 2
    assert "王秀英" not in str(entry.data)  # counts only in the (public) audit log


def test_a_new_import_replaces_the_old_and_a_bad_one_writes_nothing(client, make):
    community, committee = setup(make)
    import_as(client, committee, community, REGISTER)
    response = import_as(client, committee, community, "姓名,地址\n周杰,9栋101室\n")
    assert response.status_code == 302
    assert db.session.scalars(select(RegisterEntry.name)).all() == ["周杰"]
    response = import_as(client, committee, community, "姓名,地址\n吴用,\n郑和,8栋\n")
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert "第 2 行" in html
    assert db.session.scalars(select(RegisterEntry.name)).all() == ["周杰"]


def test_only_the_committee_sees_or_imports_the_register(client, make):
    community, committee = setup(make)
    import_as(client, committee, community, REGISTER)
    client.post("/auth/logout")
    for role in (Role.RESIDENT, Role.CHAIR, Role.COUNCIL_MEMBER):
        other = make.member(community, role=role)
        login(client, other)
        assert client.get(f"/c/{community.slug}/register/").status_code == 403
        response = client.post(
            f"/c/{community.slug}/register/import",
            data={"file": csv_file("姓名,地址\n甲,1栋\n")},
            content_type="multipart/form-data",
        )
        assert response.status_code == 403
        client.post("/auth/logout")
    assert db.session.scalar(select(func.count(RegisterEntry.id))) == 3


def test_nothing_from_the_register_reaches_public_pages_or_the_api(client, make):
    community, committee = setup(make)
    import_as(client, committee, community, REGISTER)
    client.post("/auth/logout")
    for path in (
        f"/c/{community.slug}/",
        f"/c/{community.slug}/matters/",
        f"/c/{community.slug}/rules/",
        "/api/v1/communities",
        f"/api/v1/communities/{community.slug}",
        f"/c/{community.slug}/feed.atom",
    ):
        response = client.get(path)
        assert response.status_code == 200, path
        html = response.get_data(as_text=True)
        assert "王秀英" not in html and "13800001111" not in html, path


# ---------------------------------------------------------------- matching and households


def test_join_requests_show_their_match_to_the_committee(client, make):
    community, committee = setup(make)
    import_as(client, committee, community, REGISTER)
    exact = person(make, community, "王秀英", "3栋 1单元 201室", MembershipStatus.PENDING)
    other_name = person(make, community, "陈某", "5栋2单元402室", MembershipStatus.PENDING)
    nowhere = person(make, community, "林某", "99栋", MembershipStatus.PENDING)
    assert services.match(exact).kind == "exact"
    assert services.match(other_name).kind == "address"
    assert services.match(nowhere).kind == "none"
    html = client.get(f"/c/{community.slug}/members?lang=en").get_data(as_text=True)
    assert "On the register: name and address match" in html and "household 0301" in html
    assert "The address is on the register, under other names: 张伟" in html
    assert "Not on the register" in html


def test_verification_places_a_registered_member_in_the_register_household(client, make):
    community, committee = setup(make)
    import_as(client, committee, community, REGISTER)
    first = person(make, community, "王秀英", "3栋1单元201室", MembershipStatus.PENDING)
    second = person(make, community, "李建国", "3栋1单元201室", MembershipStatus.PENDING)
    for membership in (first, second):
        response = client.post(
            f"/c/{community.slug}/members", data={"action": "verify", "membership_id": str(membership.id)}
        )
        assert response.status_code == 302
    households = db.session.scalars(select(Household).where(Household.community_id == community.id)).all()
    assert [h.name for h in households] == ["0301"]
    assert {m.user_id for m in households[0].members} == {first.user_id, second.user_id}


def test_households_from_the_register_for_members_verified_before(client, make):
    community, committee = setup(make)
    verified = person(make, community, "张伟", "5栋2单元402室")
    unknown = person(make, community, "无名", "1栋")
    import_as(client, committee, community, REGISTER)
    response = client.post(f"/c/{community.slug}/register/households?lang=en", follow_redirects=True)
    assert "1 members placed in their households." in response.get_data(as_text=True)
    placed = db.session.scalars(select(HouseholdMember.user_id)).all()
    assert placed == [verified.user_id] and unknown.user_id not in placed
    # Running it again places no one twice.
    client.post(f"/c/{community.slug}/register/households")
    assert db.session.scalar(select(func.count(HouseholdMember.id))) == 1


def test_the_person_on_the_register_finds_their_line_in_their_data_export(client, make):
    community, committee = setup(make)
    import_as(client, committee, community, REGISTER)
    client.post("/auth/logout")
    me = person(make, community, "王秀英", "3栋1单元201室")
    login(client, db.session.get(User, me.user_id))
    data = json.loads(client.post("/privacy/my-data", data={"format": "json"}).get_data(as_text=True))
    assert [(e["name"], e["household"], e["phone"]) for e in data["register_entries"]] == [
        ("王秀英", "0301", "13800001111")
    ]
    assert "李建国" not in json.dumps(data, ensure_ascii=False)  # the household's other people are theirs
