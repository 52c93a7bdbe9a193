"""What each kind of notice says: a council decision, a round's results, an acceptance."""

from datetime import timedelta

import pytest
from sqlalchemy import select

from app.communities.models import Role
from app.core import clock
from app.core.errors import DomainError
from app.extensions import db
from app.publishing import objections, services, sources
from app.publishing.models import Notice, NoticeMatter
from tests.helpers import login

from . import records
from .helpers import new_matter


@pytest.fixture
def council(world, make):
    chair = make.member(world.community, role=Role.CHAIR, username="chair", display_name="陈会长")
    members = [chair] + [
        make.member(world.community, role=Role.COUNCIL_MEMBER, display_name=f"议事员{i}") for i in range(4)
    ]
    return members


def english(client, path):
    return client.get(path + "?lang=en").get_data(as_text=True)


def test_decision_notice_states_the_counts_the_rule_and_the_budget(client, world, council):
    matter = new_matter(world.community, world.proposer, "小区路灯更换")
    held = records.held_meeting(world.community, matter, council[0], council[1], council, world.committee)
    assert [ref for ref, _label in services.candidates(world.community)["decision"]] == [held.motion.id]
    notice = services.publish_notice(
        world.committee,
        world.community,
        "decision",
        held.motion.id,
        period_start=clock.local_today(),
        period_end=clock.local_today() + timedelta(days=7),
    )
    assert notice.record_path == f"/c/xinglin/meetings/{held.meeting.id}/minutes"
    assert notice.matter_ids == [matter.id]
    html = english(client, f"/c/xinglin/notices/{notice.id}")
    assert "The resident council approved “小区路灯更换” with a budget of CN¥8,000: 4 yes, 1 no, 0 abstentions." in html
    for text in (
        "Simple majority: more than half",
        "Members present: 5",
        "Yes votes needed",
        "Roll call",
        "5 of 5 council members present; 3 needed",
        "Consultation rules version",
    ):
        assert text in html, text
    # Named votes are public in the minutes, not repeated on the notice.
    assert "陈会长" not in html and "议事员1" not in html
    assert "决议" in client.get(f"/c/xinglin/notices/{notice.id}?lang=zh_Hans").get_data(as_text=True)


def test_a_failed_motion_can_be_published_too(client, world, council):
    matter = new_matter(world.community, world.proposer, "增设健身器材")
    held = records.held_meeting(world.community, matter, council[0], council[1], council, world.committee, passed=False)
    notice = services.publish_notice(
        world.committee,
        world.community,
        "decision",
        held.motion.id,
        period_start=clock.local_today(),
        period_end=clock.local_today() + timedelta(days=7),
    )
    html = english(client, f"/c/xinglin/notices/{notice.id}")
    assert "did not pass: 1 yes, 4 no, 0 abstentions." in html and "Not passed" in html


def test_round_notice_lists_every_option_and_holds_all_its_matters(client, world):
    lamps = new_matter(world.community, world.proposer, "路灯", cost=8000)
    benches = new_matter(world.community, world.proposer, "长椅", cost=6000)
    voters = [world.resident, world.proposer, world.council]
    counted = records.counted_round(world.community, [lamps, benches], voters, world.committee)
    open_round = records.counted_round(
        world.community, [benches], voters, world.committee, counted=False, title="未结束"
    )
    refs = [ref for ref, _label in services.candidates(world.community)["round"]]
    assert refs == [counted.round.id] and open_round.round.id not in refs
    with pytest.raises(DomainError):
        services.publish_notice(
            world.committee,
            world.community,
            "round",
            open_round.round.id,
            period_start=clock.local_today(),
            period_end=clock.local_today() + timedelta(days=7),
        )
    notice = services.publish_notice(
        world.committee,
        world.community,
        "round",
        counted.round.id,
        period_start=clock.local_today(),
        period_end=clock.local_today() + timedelta(days=7),
    )
    assert sorted(notice.matter_ids) == sorted([lamps.id, benches.id])
    assert notice.record_path == f"/c/xinglin/rounds/{counted.round.id}/results"
    html = english(client, f"/c/xinglin/notices/{notice.id}")
    assert (
        "3 residents voted in “2026年度微实事居民投票”: 1 of 2 projects were chosen, costing CN¥8,000 of the "
        "CN¥20,000 budget."
    ) in html
    for text in ("Approval voting", "Most votes first", "Turnout", "30.0%", "Funded", "Not funded", "路灯", "长椅"):
        assert text in html, text
    # An objection holds both options' micro-matters.
    objection = objections.lodge_objection(world.resident, notice, "计票有疑问")
    assert objections.unanswered_objections(lamps.id) and objections.unanswered_objections(benches.id)
    objections.answer_objection(world.committee, notice, objection.id, "已复核")
    assert not objections.unanswered_objections(lamps.id)


def test_committee_publishes_each_kind_through_the_form(client, world, council):
    matter = new_matter(world.community, world.proposer, "小区路灯更换")
    held = records.held_meeting(world.community, matter, council[0], council[1], council, world.committee)
    counted = records.counted_round(world.community, [matter], [world.resident], world.committee)
    login(client, world.committee)
    chooser = client.get("/c/xinglin/notices/new").get_data(as_text=True)
    for kind, ref in (("decision", held.motion.id), ("round", counted.round.id), ("acceptance", world.record.id)):
        assert f"kind={kind}&amp;ref={ref}" in chooser
        response = client.post(
            "/c/xinglin/notices/new",
            data={
                "kind": kind,
                "ref": str(ref),
                "period_start": clock.local_today().isoformat(),
                "period_end": (clock.local_today() + timedelta(days=7)).isoformat(),
            },
        )
        assert response.status_code == 302, response.get_data(as_text=True)
    assert db.session.scalar(select(db.func.count(Notice.id))) == 3
    assert db.session.scalar(select(db.func.count(NoticeMatter.id))) == 3
    # Published records leave the chooser.
    assert "kind=round&amp;ref" not in client.get("/c/xinglin/notices/new").get_data(as_text=True)


def test_facts_render_without_a_request_language_and_as_text(app, world):
    notice = services.publish_notice(
        world.committee,
        world.community,
        "acceptance",
        world.record.id,
        period_start=clock.local_today(),
        period_end=clock.local_today() + timedelta(days=7),
    )
    from flask_babel import force_locale

    with app.test_request_context("/"), force_locale("en"):
        text = sources.as_text(notice.facts)
    assert "Approved budget: CN¥11,000" in text and "Milestone | Planned for | Done on" in text
