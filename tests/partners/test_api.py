"""The 五社联动 open data: partners and tasks as JSON (fitting the OpenAPI document) and CSV,
without contacts or volunteers' names."""

import csv
import io

import jsonschema_rs

from app.extensions import db
from app.partners import delivery_tasks, services
from tests.tracker.helpers import days

from .helpers import has_taken_place

API = "/api/v1/communities/xinglin"


def fits(client, data, path):
    document = client.get("/api/v1/openapi.json").get_json()
    ref = document["paths"][path]["get"]["responses"]["200"]["content"]["application/json"]["schema"]["$ref"]
    jsonschema_rs.validator_for({"$ref": ref, "components": document["components"]}).validate(data)


def test_partners_and_tasks_as_json_and_csv(client, community, committee, task, partner, residents, volunteer):
    task.people_needed = 3
    db.session.commit()
    services.save_volunteer(residents[1], community, skills="", availability="", show_name=True)
    delivery_tasks.sign_up_partner(committee, task, partner_id=partner.id, people=1)
    for person in (volunteer, residents[1]):
        signup = delivery_tasks.sign_up(person, task)
        delivery_tasks.decide_signup(committee, task, signup.id, confirm=True)
    has_taken_place(task)
    delivery_tasks.log_hours(committee, task, task.signups[1].id, hours="2.5")
    other = delivery_tasks.add_task(
        committee, task.record.matter, title="日常维护", people_needed=1, task_date=days(5), hours="1"
    )

    response = client.get(f"{API}/partners")
    fits(client, response.get_json(), "/api/v1/communities/{slug}/partners")
    (item,) = response.get_json()["items"]
    assert item["name"] == "阳光社工服务社" and item["kind"] == "social_organisation" and "contact" not in item

    response = client.get(f"{API}/tasks")
    fits(client, response.get_json(), "/api/v1/communities/{slug}/tasks")
    first, second = response.get_json()["items"]
    assert (first["id"], first["hours"], first["partners"], first["volunteers"], first["volunteer_hours"]) == (
        task.id,
        2.5,
        ["阳光社工服务社"],
        2,
        2.5,
    )
    assert second["id"] == other.id and second["volunteers"] == 0
    assert client.get(f"{API}/tasks?matter_id=999").get_json()["items"] == []
    assert client.get(f"{API}/partners?kind=charity_fund").get_json()["items"] == []

    for path in ("/partners", "/partners.csv", "/tasks", "/tasks.csv"):
        body = client.get(API + path).get_data(as_text=True)
        for secret in ("13900000000", volunteer.display_name, residents[1].display_name, volunteer.username):
            assert secret not in body, (path, secret)
    rows = list(csv.DictReader(io.StringIO(client.get(f"{API}/tasks.csv").get_data(as_text=True).lstrip("\ufeff"))))
    assert rows[0]["title"] == "搬运座椅" and rows[0]["volunteers"] == "2"


def test_bad_parameters_and_unknown_community(client, community):
    assert client.get(f"{API}/partners?kind=company").status_code == 400
    assert client.get(f"{API}/tasks?matter_id=abc").status_code == 400
    assert client.get("/api/v1/communities/nowhere/tasks").status_code == 404
