"""A council member's own records of office are in their data download: terms, a place on the
substitutes' list, written proxies given and held, comments on draft minutes with the answers."""

import json
from datetime import date

from sqlalchemy import select

from app.communities.models import Role
from app.council_terms import services as terms
from app.council_terms import substitute_list
from app.council_terms.models import ChosenHow, Substitute
from app.councils import minutes
from app.extensions import db
from app.proxies import services as proxies
from tests.councils.helpers import agenda_ids, held_meeting, make_matter, schedule, set_rules
from tests.helpers import login


def _my_data(client, user):
    login(client, user)
    response = client.post("/privacy/my-data", data={"format": "json"})
    assert response.status_code == 200
    return json.loads(response.get_data(as_text=True))


def test_terms_proxies_and_minutes_comments_are_in_my_data(client, make, council):
    c = council
    set_rules(c.community, proxy_rule="votes", minutes_comment_days=3)
    member, holder = c.members[3], c.members[0]
    terms.add_term(
        c.committee,
        c.community,
        user_id=member.id,
        starts_on=date(2025, 3, 20),
        ends_on=date(2028, 3, 19),
        chosen_how=ChosenHow.ELECTED,
        chosen_by="2025年3月居民会议",
    )
    held = held_meeting(c)
    draft = minutes.original(held)
    minutes.send_for_comments(c.chair, draft)
    minutes.add_comment(member, draft, "第三项的表决数字请核对")
    make_matter(c.community, c.resident, title="议题4", status="on_agenda")
    upcoming = schedule(c, items=agenda_ids(c.community)[-1:])
    proxies.give(member, upcoming, holder_id=holder.id)

    data = _my_data(client, member)
    assert [(t["starts_on"], t["chosen_how"], t["chosen_by"]) for t in data["council_terms"]] == [
        ("2025-03-20", "elected", "2025年3月居民会议")
    ]
    assert [(p["meeting_id"], p["channel"]) for p in data["proxies_given"]] == [(upcoming.id, "online")]
    assert data["proxies_held"] == []
    assert [(m["meeting_id"], m["text"]) for m in data["minutes_comments"]] == [(held.id, "第三项的表决数字请核对")]
    assert [p["meeting_id"] for p in _my_data(client, holder)["proxies_held"]] == [upcoming.id]


def test_a_place_on_the_substitutes_list_is_in_my_data_and_goes_with_the_account(client, make, council):
    c = council
    resident = make.member(c.community, role=Role.RESIDENT, username="sub1", display_name="候补甲")
    substitute_list.add_substitute(c.committee, c.community, user_id=resident.id, chosen_by="2025年3月居民会议")
    data = _my_data(client, resident)
    assert [(s["rank"], s["chosen_by"]) for s in data["council_substitutes"]] == [(1, "2025年3月居民会议")]
    response = client.post("/privacy/delete-account", data={"password": "password123", "understood": "y"})
    assert response.status_code == 302
    assert db.session.scalars(select(Substitute).where(Substitute.user_id == resident.id)).all() == []
