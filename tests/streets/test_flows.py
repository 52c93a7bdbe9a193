"""The street office through its pages: an admin creates a street, assigns communities and grants
staff (audited); street staff see the dashboard, the exceptions and their CSV and add a public note;
street staff cannot act inside a community unless they hold a role there."""

from sqlalchemy import select

from app.audit.models import AuditEntry
from app.communities.models import Role
from app.extensions import db
from app.streets.models import Street, StreetNote, StreetStaff
from tests.helpers import login


def audited(action):
    return db.session.scalars(select(AuditEntry).where(AuditEntry.action == action)).all()


def test_admin_creates_a_street_assigns_a_community_and_grants_staff(client, admin, community, make):
    officer = make.user(username="officer")
    login(client, admin)
    response = client.post("/admin/streets/", data={"name": "双塔街道", "slug": "shuangta", "district": "姑苏区"})
    street = db.session.scalar(select(Street))
    assert response.status_code == 302 and response.location.endswith(f"/admin/streets/{street.id}")
    response = client.post(f"/admin/streets/{street.id}/communities", data={"community": community.id})
    assert response.status_code == 302
    db.session.refresh(community)
    assert community.street_id == street.id
    response = client.post(f"/admin/streets/{street.id}/grants", data={"username": "officer"})
    assert response.status_code == 302
    grant = db.session.scalar(select(StreetStaff))
    assert (grant.user_id, grant.granted_by_id) == (officer.id, admin.id)
    page = client.get(f"/admin/streets/{street.id}").get_data(as_text=True)
    assert community.name in page and "officer" in page
    for action in ("street.created", "street.community_assigned", "street.staff_granted"):
        assert len(audited(action)) == 1, action


def test_bad_street_input_gives_the_form_back(client, admin, street):
    login(client, admin)
    response = client.post("/admin/streets/", data={"name": "另一个", "slug": "shuangta", "district": ""})
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert "另一个" in page and ("already used" in page or "已被" in page)
    response = client.post(f"/admin/streets/{street.id}/grants", data={"username": "nobody"})
    assert response.status_code == 400
    assert db.session.scalar(select(StreetStaff)) is None


def test_admin_withdraws_staff_and_removes_a_community(client, admin, street, staff, community):
    login(client, admin)
    grant = db.session.scalar(select(StreetStaff))
    assert client.post(f"/admin/streets/{street.id}/grants/{grant.id}/withdraw").status_code == 302
    assert db.session.scalar(select(StreetStaff)) is None
    assert client.post(f"/admin/streets/{street.id}/communities/{community.id}/remove").status_code == 302
    db.session.refresh(community)
    assert community.street_id is None
    assert audited("street.staff_withdrawn") and audited("street.community_unassigned")


def test_only_admins_manage_streets(client, staff, street):
    login(client, staff)
    assert client.get("/admin/streets/").status_code == 403
    assert client.post("/admin/streets/", data={"name": "x", "slug": "xyz"}).status_code == 403


def test_staff_see_the_dashboard_sorted_and_as_csv(client, staff, street, community, other, resident):
    from app.core import clock
    from app.matters.models import MicroMatter

    db.session.add(
        MicroMatter(
            community_id=other.id,
            proposer_id=resident.id,
            title="路灯",
            description="d",
            description_html="d",
            category="facilities",
            location="1栋",
            estimated_cost=1000,
            project_type="goods",
            status="collecting",
            submitted_at=clock.now(),
        )
    )
    db.session.commit()
    login(client, staff)
    year = clock.local_today().year
    names = {}
    for sort in ("matters", "-matters"):
        html = client.get(f"/street/shuangta/?year={year}&sort={sort}").get_data(as_text=True)
        body = html[html.index("<tbody>") :]
        names[sort] = body.index(other.name) < body.index(community.name)
        assert "<svg" in html and len(html.encode()) < 50_000
    assert names == {"matters": False, "-matters": True}  # the community with a matter sorts last, then first
    csv = client.get(f"/street/shuangta/figures.csv?year={year}&sort=-matters")
    assert csv.status_code == 200 and csv.mimetype == "text/csv"
    lines = csv.get_data(as_text=True).lstrip("\ufeff").splitlines()
    assert lines[0].startswith("year,slug,community,matters") and len(lines) == 3
    assert lines[1].startswith(f"{year},{other.slug},{other.name},1,")


def test_the_street_menu_lists_the_staffs_streets(client, staff, street):
    login(client, staff)
    assert "双塔街道" in client.get("/street/").get_data(as_text=True)


def test_others_cannot_read_the_street(client, street, committee):
    login(client, committee)
    assert client.get("/street/shuangta/").status_code == 403
    assert client.get("/street/shuangta/exceptions").status_code == 403
    assert client.get("/street/shuangta/figures.csv").status_code == 403
    client.post("/auth/logout")
    assert client.get("/street/shuangta/").status_code == 302  # to the login page


def test_staff_add_a_public_note_to_an_exception(client, staff, street, community):
    login(client, staff)
    key = f"meetings:community:{community.id}"  # no meeting held: an exception
    page = client.get("/street/shuangta/exceptions").get_data(as_text=True)
    assert key.replace(":", "-") in page
    response = client.post(
        "/street/shuangta/notes", data={"community_id": community.id, "key": key, "body": "请本月内召开议事会。"}
    )
    assert response.status_code == 302
    note = db.session.scalar(select(StreetNote))
    assert (note.exception_key, note.author_id, note.community_id) == (key, staff.id, community.id)
    assert audited("street.note_added")
    assert "请本月内召开议事会。" in client.get("/street/shuangta/exceptions").get_data(as_text=True)
    csv = client.get("/street/shuangta/exceptions.csv").get_data(as_text=True)
    assert key in csv and "请本月内召开议事会。" in csv


def test_a_note_needs_a_current_exception_and_text(client, staff, street, community, other, make):
    login(client, staff)
    response = client.post(
        "/street/shuangta/notes", data={"community_id": community.id, "key": "overdue:record:999", "body": "x"}
    )
    assert response.status_code == 400
    key = f"meetings:community:{community.id}"
    response = client.post("/street/shuangta/notes", data={"community_id": community.id, "key": key, "body": ""})
    assert response.status_code == 400
    outside = make.community(slug="elsewhere")
    response = client.post(
        "/street/shuangta/notes",
        data={"community_id": outside.id, "key": f"meetings:community:{outside.id}", "body": "x"},
    )
    assert response.status_code == 404
    assert db.session.scalar(select(StreetNote)) is None


def test_street_staff_cannot_act_inside_a_community(client, staff, street, community, make):
    login(client, staff)
    assert client.get("/c/xinglin/dashboard").status_code == 403
    assert client.get("/c/xinglin/meetings/new").status_code == 403
    assert client.get("/c/xinglin/review").status_code == 403


def test_street_staff_who_are_committee_act_as_committee(client, staff, street, community, make):
    make.member(community, user=staff, role=Role.COMMITTEE)
    login(client, staff)
    assert client.get("/c/xinglin/meetings/new").status_code == 200


def test_the_note_shows_on_the_committees_dashboard(client, staff, street, community, committee):
    login(client, committee)
    assert "street-notes-h" not in client.get("/c/xinglin/dashboard").get_data(as_text=True)
    client.post("/auth/logout")
    login(client, staff)
    key = f"meetings:community:{community.id}"
    client.post("/street/shuangta/notes", data={"community_id": community.id, "key": key, "body": "请尽快开会。"})
    client.post("/auth/logout")
    login(client, committee)
    page = client.get("/c/xinglin/dashboard").get_data(as_text=True)
    assert "street-notes-h" in page and "请尽快开会。" in page


def test_a_bad_year_falls_back_to_this_year(client, staff, street):
    from app.core import clock

    login(client, staff)
    for year in ("abc", "99999", "1999", "²"):
        response = client.get(f"/street/shuangta/?year={year}&sort=nonsense")
        assert response.status_code == 200
        assert f'<option value="{clock.local_today().year}" selected>' in response.get_data(as_text=True)


def test_a_site_admin_reads_the_street_but_does_not_note(client, admin, street, community):
    login(client, admin)
    assert client.get("/street/shuangta/").status_code == 200
    key = f"meetings:community:{community.id}"
    response = client.post("/street/shuangta/notes", data={"community_id": community.id, "key": key, "body": "x"})
    assert response.status_code == 400
    assert db.session.scalar(select(StreetNote)) is None
