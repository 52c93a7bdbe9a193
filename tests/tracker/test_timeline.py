"""The public timeline: from the audit log and the tracker's tables, in order, readable by anyone."""

from app.extensions import db
from app.matters import lifecycle
from app.matters.models import MicroMatter
from app.tracker import delivery, rating, timeline
from app.tracker import records as record_services
from tests.helpers import upload

from .helpers import today


def test_timeline_from_proposal_to_verdict(client, app, community, committee, proposer, supporters, residents):
    from app.matters import services as matter_services

    matter = matter_services.create_matter(
        proposer,
        community,
        submit=True,
        title="5栋门口加装无障碍坡道",
        description="台阶太高",
        category="accessibility",
        location="5栋",
        estimated_cost="12000",
        project_type="works",
    )
    threshold = matter_services.support_threshold(community)
    voters = (supporters + residents)[:threshold]
    for user in voters:
        matter_services.support(user, matter)
    assert matter.status == "under_review"
    lifecycle.apply(matter, "admit", committee)
    lifecycle.apply(matter, "approve", committee, system=True, meeting_id=3, motion_id=9, budget=11_000)
    db.session.commit()
    record = record_services.record_for_matter(matter)
    delivery.update_details(
        committee, record, responsible_unit="施工队", contact="", planned_start=None, planned_end=None
    )
    delivery.start(committee, record)
    milestone = delivery.add_milestone(committee, record, title="坡道完工", planned_date=today())
    delivery.complete_milestone(committee, record, milestone.id, done_on=today(), note="完工", photos=[upload()])
    delivery.record_spending(committee, record, amount=9_000, spent_on=today(), purpose="施工费")
    delivery.accept(committee, record, accepted_on=today(), note="验收合格")
    rating.open_evaluation(committee, record, closes_on=today())
    rating.rate(residents[-1], record, stars=5)

    events, supports = timeline.build(db.session.get(MicroMatter, matter.id))
    kinds = [e.kind for e in events]
    for kind in (
        "proposal",
        "supports",
        "agenda",
        "decision",
        "implementation",
        "milestone",
        "spending",
        "acceptance",
        "evaluation",
        "rating",
    ):
        assert kind in kinds, kind
    assert kinds.index("proposal") < kinds.index("agenda") < kinds.index("decision") < kinds.index("milestone")
    decision = next(e for e in events if e.kind == "decision")
    assert decision.link == "/c/xinglin/meetings/3/minutes"
    assert (decision.facts[-1][1]) == ("money", 11_000)
    threshold_event = next(e for e in events if e.kind == "supports" and e.facts)
    assert threshold_event.facts[0][1] == threshold
    assert supports[-1][1] == threshold  # supports over time, from the audit entries
    milestone_event = next(e for e in events if e.kind == "milestone")
    assert len(milestone_event.photos) == 1

    html = client.get(f"/c/xinglin/matters/{matter.id}/timeline").get_data(as_text=True)
    assert "会议纪要" in html and "坡道完工" in html and "施工费" in html and "验收合格" in html
    assert "/c/xinglin/tracker/photos/" in html
    english = client.get(f"/c/xinglin/matters/{matter.id}/timeline?lang=en").get_data(as_text=True)
    assert "Reached the support threshold" in english and "Completed and accepted" in english


def test_round_approval_links_the_results(client, approve):
    record = approve(round_id=12, budget=5_000)
    events, _supports = timeline.build(record.matter)
    decision = next(e for e in events if e.kind == "decision")
    assert decision.link == "/c/xinglin/rounds/12/results"


def test_counts_from_the_council_vote(app, community, approve, committee):
    from app.audit.services import record as audit

    audit(
        "vote.closed",
        object_type="VoteResult",
        object_id=11,
        actor=committee,
        community=community,
        meeting_id=2,
        motion_id=5,
        yes=6,
        no=2,
        abstain=1,
        present=9,
        members=9,
        passed=True,
    )
    db.session.commit()
    record = approve(meeting_id=2, motion_id=5, vote_result_id=11, budget=1_000)
    events, _supports = timeline.build(record.matter)
    decision = next(e for e in events if e.kind == "decision")
    assert [value for _label, value in decision.facts] == [6, 2, 1, 9, 9, ("money", 1_000)]
    assert decision.link == "/c/xinglin/meetings/2/minutes"


def test_counts_from_the_resident_round(app, community, approve, committee):
    from app.audit.services import record as audit

    audit(
        "round.counted",
        object_type="VotingRound",
        object_id=4,
        actor=committee,
        community=community,
        ballots=180,
        electorate=310,
        turnout=58.1,
        winners=[1, 2],
    )
    db.session.commit()
    record = approve(round_id=4, budget=2_000, votes=120, ballots=180)
    events, _supports = timeline.build(record.matter)
    decision = next(e for e in events if e.kind == "decision")
    assert [value for _label, value in decision.facts] == [120, 180, 310, ("percent", 58.1), ("money", 2_000)]


def test_draft_has_no_timeline(client, community, proposer):
    from app.matters import services as matter_services

    draft = matter_services.create_matter(
        proposer,
        community,
        submit=False,
        title="草稿",
        description="x",
        category="other",
        location="x",
        estimated_cost="100",
        project_type="goods",
    )
    assert client.get(f"/c/xinglin/matters/{draft.id}/timeline").status_code == 404
    assert client.get("/c/xinglin/matters/424242/timeline").status_code == 404
