"""Flows through the test client: public pages, the committee's forms, the volunteer's page,
sign-ups and hours, bad input (message in the user's language, form kept, nothing written)."""

from sqlalchemy import func, select

from app.extensions import db
from app.fund import services as fund
from app.partners import delivery_tasks
from app.partners.models import DeliveryTask, Partner, TaskSignup, Volunteer
from tests.helpers import login
from tests.tracker.helpers import days

from .helpers import has_taken_place

BASE = "/c/xinglin"


def count(model):
    return db.session.scalar(select(func.count()).select_from(model))


def test_public_partner_pages_hide_the_contact(client, partner, committee):
    for path in (f"{BASE}/partners/", f"{BASE}/partners/{partner.id}"):
        response = client.get(path)
        assert response.status_code == 200 and len(response.data) < 50_000
        html = response.get_data(as_text=True)
        assert "阳光社工服务社" in html and "社会组织" in html and "13900000000" not in html
    login(client, committee)
    assert "13900000000" in client.get(f"{BASE}/partners/{partner.id}").get_data(as_text=True)


def test_partner_of_another_community_is_not_found(client, partner, other_community):
    assert client.get(f"/c/other/partners/{partner.id}").status_code == 404
    assert client.get(f"{BASE}/partners/99999999999").status_code == 404


def test_committee_adds_a_partner_and_bad_input_keeps_the_form(client, committee, partner):
    login(client, committee)
    assert client.get(f"{BASE}/partners/new").status_code == 200
    response = client.post(
        f"{BASE}/partners/new",
        data={"kind": "social_worker", "name": "阳光社工服务社", "description": "我的描述", "contact": ""},
    )
    html = response.get_data(as_text=True)
    assert response.status_code == 400 and "已有同名" in html and "我的描述" in html
    assert count(Partner) == 1
    response = client.post(
        f"{BASE}/partners/new",
        data={"kind": "charity_fund", "name": "杏林社区基金", "description": "助老", "contact": "王会计"},
    )
    assert response.status_code == 302
    new = db.session.scalar(select(Partner).where(Partner.name == "杏林社区基金"))
    assert new.kind == "charity_fund"
    response = client.post(
        f"{BASE}/partners/{new.id}/edit",
        data={"kind": "charity_fund", "name": "杏林社区慈善基金", "description": "助老", "contact": "王会计"},
    )
    assert response.status_code == 302 and db.session.get(Partner, new.id).name == "杏林社区慈善基金"


def test_residents_cannot_add_partners(client, residents):
    login(client, residents[0])
    assert client.get(f"{BASE}/partners/new").status_code == 403
    assert client.post(f"{BASE}/partners/new", data={"kind": "social_worker", "name": "x"}).status_code == 403
    assert count(Partner) == 0


def test_resident_signs_up_as_volunteer_from_the_profile(client, community, residents):
    login(client, residents[0])
    profile = client.get("/auth/profile").get_data(as_text=True)
    assert f"{BASE}/volunteer" in profile
    response = client.post(f"{BASE}/volunteer", data={"skills": "搬运、维修", "availability": "周末"})
    assert response.status_code == 302
    volunteer = db.session.scalar(select(Volunteer))
    assert volunteer.skills == "搬运、维修" and volunteer.show_name is False
    html = client.get(f"{BASE}/volunteer").get_data(as_text=True)
    assert "0 小时" in html or "0小时" in html
    client.post(f"{BASE}/volunteer", data={"skills": "搬运", "availability": "周末", "show_name": "y"})
    assert db.session.get(Volunteer, volunteer.id).show_name is True


def test_non_members_cannot_volunteer(client, outsider, pending):
    for person in (outsider, pending):
        login(client, person)
        assert client.get(f"{BASE}/volunteer").status_code == 200
        response = client.post(f"{BASE}/volunteer", data={"skills": "搬运", "availability": ""})
        assert response.status_code == 400 and "只有本社区已核实的居民" in response.get_data(as_text=True)
        client.post("/auth/logout")
    assert count(Volunteer) == 0


def test_task_form_refuses_bad_input_and_keeps_it(client, committee, record):
    login(client, committee)
    path = f"{BASE}/matters/{record.matter_id}/tasks/new"
    assert client.get(path).status_code == 200
    for hours, message in (("abc", "数字"), ("-1", "负"), ("30", "24")):
        response = client.post(
            path, data={"title": "陪同老人试用", "people_needed": "2", "task_date": days(2).isoformat(), "hours": hours}
        )
        html = response.get_data(as_text=True)
        assert response.status_code == 400 and message in html and "陪同老人试用" in html, hours
    response = client.post(path, data={"title": "陪同老人试用", "people_needed": "abc", "task_date": "x", "hours": "2"})
    assert response.status_code == 400
    assert count(DeliveryTask) == 0
    response = client.post(
        path, data={"title": "陪同老人试用", "people_needed": "2", "task_date": days(2).isoformat(), "hours": "1.5"}
    )
    assert response.status_code == 302
    assert db.session.scalar(select(DeliveryTask)).length_minutes == 90


def test_task_on_an_undecided_matter_is_refused(client, committee, record):
    record.matter.status = "on_agenda"  # as if not decided yet
    db.session.commit()
    login(client, committee)
    path = f"{BASE}/matters/{record.matter_id}/tasks/new"
    response = client.post(
        path, data={"title": "搬运", "people_needed": "1", "task_date": days(2).isoformat(), "hours": "1"}
    )
    assert response.status_code == 400 and "决定" in response.get_data(as_text=True)
    assert count(DeliveryTask) == 0


def test_matter_page_and_record_show_the_tasks(client, task, committee, partner):
    delivery_tasks.sign_up_partner(committee, task, partner_id=partner.id, people=1)
    matter_html = client.get(f"{BASE}/matters/{task.record.matter_id}").get_data(as_text=True)
    assert "搬运座椅" in matter_html and "partners-panel" in matter_html
    record_html = client.get(f"{BASE}/tracker/{task.record_id}").get_data(as_text=True)
    assert "搬运座椅" in record_html and "阳光社工服务社" in record_html
    assert client.get(f"{BASE}/tasks/").status_code == 200
    assert "搬运座椅" in client.get(f"{BASE}/partners/").get_data(as_text=True)


def test_volunteer_flow_double_sign_up_and_hours(client, committee, task, volunteer):
    login(client, volunteer)
    assert client.post(f"{BASE}/tasks/{task.id}/signup").status_code == 302
    response = client.post(f"{BASE}/tasks/{task.id}/signup")
    assert response.status_code == 400 and "已经报名" in response.get_data(as_text=True)
    assert count(TaskSignup) == 1
    signup = db.session.scalar(select(TaskSignup))
    # a volunteer cannot confirm themselves
    assert client.post(f"{BASE}/tasks/{task.id}/signups/{signup.id}/confirm").status_code == 403
    client.post("/auth/logout")
    login(client, committee)
    page = client.get(f"{BASE}/tasks/{task.id}").get_data(as_text=True)
    assert volunteer.display_name in page
    assert client.post(f"{BASE}/tasks/{task.id}/signups/{signup.id}/confirm").status_code == 302
    has_taken_place(task)
    hours = f"{BASE}/tasks/{task.id}/signups/{signup.id}/hours"
    response = client.post(hours, data={f"h{signup.id}-hours": "9"})
    html = response.get_data(as_text=True)
    assert response.status_code == 400 and "2.5" in html and 'value="9"' in html
    assert db.session.get(TaskSignup, signup.id).minutes is None
    assert client.post(hours, data={f"h{signup.id}-hours": "2"}).status_code == 302
    client.post("/auth/logout")
    login(client, volunteer)
    html = client.get(f"{BASE}/volunteer").get_data(as_text=True)
    assert f"{task.task_date.year}" in html and "2 小时" in html or "2小时" in html
    assert "2" in client.get("/auth/profile").get_data(as_text=True)


def test_sign_up_to_a_full_or_past_task_is_refused(client, committee, task, partner, volunteer):
    delivery_tasks.sign_up_partner(committee, task, partner_id=partner.id, people=2)
    login(client, volunteer)
    response = client.post(f"{BASE}/tasks/{task.id}/signup")
    assert response.status_code == 400 and "已满" in response.get_data(as_text=True)
    other = delivery_tasks.add_task(
        committee, task.record.matter, title="日常维护", people_needed=3, task_date=days(1), hours="1"
    )
    has_taken_place(other)
    response = client.post(f"{BASE}/tasks/{other.id}/signup")
    assert response.status_code == 400 and "已经结束" in response.get_data(as_text=True)
    assert count(TaskSignup) == 1


def test_committee_signs_a_partner_up_and_bad_input_is_kept(client, committee, task, partner):
    login(client, committee)
    path = f"{BASE}/tasks/{task.id}/partners"
    response = client.post(path, data={"partner_id": str(partner.id), "people": "5"})
    html = response.get_data(as_text=True)
    assert response.status_code == 400 and "2" in html and 'value="5"' in html
    assert count(TaskSignup) == 0
    assert client.post(path, data={"partner_id": str(partner.id), "people": "1"}).status_code == 302
    response = client.post(path, data={"partner_id": str(partner.id), "people": "1"})
    assert response.status_code == 400 and count(TaskSignup) == 1


def test_english_messages(client, committee, task, partner):
    login(client, committee)
    client.get("/?lang=en")
    response = client.post(f"{BASE}/tasks/{task.id}/partners", data={"partner_id": "999", "people": "1"})
    assert response.status_code == 400 and "Not a valid choice" in response.get_data(as_text=True)
    response = client.post(f"{BASE}/tasks/{task.id}/partners", data={"partner_id": str(partner.id), "people": "3"})
    assert "Only 2 places are left on this task." in response.get_data(as_text=True)


def test_acceptance_notice_says_who_delivered(client, community, committee, completed, partner, volunteer):
    from app.publishing import services as publishing

    task = delivery_tasks.add_task(
        committee, completed.matter, title="日常维护", people_needed=3, task_date=days(1), hours="1"
    )
    delivery_tasks.sign_up_partner(committee, task, partner_id=partner.id, people=1)
    signup = delivery_tasks.sign_up(volunteer, task)
    delivery_tasks.decide_signup(committee, task, signup.id, confirm=True)
    notice = publishing.publish_notice(
        committee, community, "acceptance", completed.id, period_start=days(0), period_end=days(10)
    )
    html = client.get(f"{BASE}/notices/{notice.id}").get_data(as_text=True)
    assert "阳光社工服务社" in html and "1 名志愿者" in html
    assert volunteer.display_name not in html  # counted, not named: they did not agree


def test_committee_dashboard_counts_the_year(client, community, committee, task, partner, volunteer):
    delivery_tasks.sign_up_partner(committee, task, partner_id=partner.id, people=1)
    signup = delivery_tasks.sign_up(volunteer, task)
    delivery_tasks.decide_signup(committee, task, signup.id, confirm=True)
    has_taken_place(task)
    delivery_tasks.log_hours(committee, task, signup.id, hours="1.5")
    year = task.task_date.year
    fund.record_source(
        committee,
        community,
        year,
        source_kind="charity",
        amount="8000",
        entry_date=task.task_date,
        donor="杏林社区基金",
    )
    login(client, committee)
    html = client.get(f"{BASE}/dashboard").get_data(as_text=True)
    section = html[html.index("partners-figures-h") :]
    row = (
        f'<th scope="row">{year}</th><td class="num">1</td><td class="num">1</td><td class="num">1</td>'
        '<td class="num">1.5</td><td class="num">¥8,000</td>'
    )
    assert row in section
    # the record and the notice say with what money: the year's charity share and its donor
    record_html = client.get(f"{BASE}/tracker/{task.record_id}").get_data(as_text=True)
    assert "杏林社区基金" in record_html
