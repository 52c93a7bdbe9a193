"""Rules adopted by the council, not just edited: the committee's draft is not in force, goes on the
agenda list, and a motion in a meeting adopts it (by the stricter majority when it changes the
quorum or a majority) or rejects it; per-kind majorities in a real vote; the share threshold of
the register size."""

from types import SimpleNamespace

import pytest
from sqlalchemy import select

from app.audit.models import AuditEntry
from app.communities.models import Role
from app.councils import attendance, meetings, votes
from app.councils.models import AgendaItem, VoteResult
from app.extensions import db
from app.matters import services as matter_services
from app.rules import services
from app.rules.models import RuleSet
from tests.councils.helpers import make_matter, schedule
from tests.helpers import login


@pytest.fixture
def w(app, make):
    """5 council members incl. the chair; quorum more than 1/2; general majority: simple of those present."""
    community = make.community(seconders_needed=1, notice_days=3)
    committee = make.member(community, role=Role.COMMITTEE, username="committee", display_name="周主任")
    chair = make.member(community, role=Role.CHAIR, username="chair", display_name="陈会长")
    members = [make.member(community, role=Role.COUNCIL_MEMBER, username=f"council{i}") for i in range(1, 5)]
    return SimpleNamespace(community=community, committee=committee, chair=chair, members=members, make=make)


def rules_url(w, tail=""):
    return f"/c/{w.community.slug}/rules/{tail}"


def propose(client, w, tail="edit", **changes):
    """The committee proposes the rules in force with `changes`, through the rules form."""
    form = {
        name: ("" if value is None else value)
        for name, value in services.field_values(services.current_ruleset(w.community)).items()
    }
    form.update(
        negative_list="\n".join(form["negative_list"]),
        quorum_strict="more" if form["quorum_strict"] else "atleast",
        secret_ballot="secret" if form["secret_ballot"] else "named",
        rule_change_needs_residents="council",
        change_note="议事会讨论的修改",
    )
    form.update(changes)
    login(client, w.committee)
    return client.post(rules_url(w, tail), data=form)


def draft_of(w):
    return services.pending_draft(w.community)


def council_votes(w, draft, kind="adopt_rules", yes=3, no=0, present=5):
    """A meeting with `present` members (chair first) decides the draft: one motion, a named vote."""
    meeting = schedule(w, items=[draft.agenda_item_id])
    council = [w.chair, *w.members][:present]
    for user in council:
        attendance.check_in(w.committee, meeting, user.id)
    meetings.open_meeting(w.committee, meeting)
    item = meeting.items[0]
    meetings.open_item(w.committee, meeting, item)
    motion = votes.move_motion(w.members[0], meeting, item, kind, None, "")
    votes.second_motion(w.members[1], meeting, motion)
    vote = votes.open_vote(w.committee, meeting, motion, "named")
    choices = ["yes"] * yes + ["no"] * no
    for user, choice in zip(council, choices, strict=False):
        votes.cast_vote(user, meeting, vote, choice)
    return meeting, motion, votes.close_vote(w.committee, meeting, vote)


def test_a_proposed_version_is_a_draft_on_the_agenda_list_and_not_in_force(client, w):
    assert propose(client, w, notice_days="7").status_code == 302
    draft = draft_of(w)
    assert draft.version == 2 and draft.status == "draft"
    assert services.current_ruleset(w.community).version == 1  # every feature still reads version 1
    item = db.session.get(AgendaItem, draft.agenda_item_id)
    assert item.subject_kind == "rules" and item.subject.on_agenda
    agenda = client.get(f"/c/{w.community.slug}/agenda/?lang=en").get_data(as_text=True)
    assert "Consultation rules, version 2" in agenda
    page = client.get(rules_url(w, "?lang=en")).get_data(as_text=True)
    assert "Version 1, in force since" in page and "A new version is proposed and waits for the council" in page
    # One draft at a time: the next change waits for the council's decision (or a withdrawal).
    refused = propose(client, w, notice_days="9")
    assert refused.status_code == 400 and "议事会" in refused.get_data(as_text=True)
    assert db.session.scalar(select(RuleSet).where(RuleSet.version == 3)) is None


def test_the_council_adopts_a_draft_by_a_motion_in_a_meeting(client, w):
    propose(client, w, notice_days="7")
    draft = draft_of(w)
    meeting, motion, result = council_votes(w, draft, yes=3, no=2)
    # Not a quorum or majority change: the general rule (simple majority of those present) applies.
    assert result.passed and (result.majority_rule, result.base_kind) == ("simple", "present")
    assert draft.status == "adopted" and services.current_ruleset(w.community).id == draft.id
    assert (draft.decided_meeting_id, draft.decided_motion_id) == (meeting.id, motion.id)
    assert services.current_ruleset(w.community).notice_days == 7
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "rules.version_adopted"))
    assert entry.data["meeting_id"] == meeting.id and entry.data["vote_result_id"] == result.id
    page = client.get(rules_url(w, "?lang=en")).get_data(as_text=True)
    assert "Version 2, in force since" in page and "Adopted by the council" in page
    assert f"/meetings/{meeting.id}" in page
    history = client.get(rules_url(w, "v1?lang=en")).get_data(as_text=True)
    assert "no longer in force" in history and f"motion {motion.id}" in history
    # The meeting's pages name the subject and what was decided.
    login(client, w.chair)
    for tail in ("", "/member", "/chair", "/projector", "/minutes"):
        if tail == "/minutes":
            meetings.close_meeting(w.chair, meeting)
        response = client.get(f"/c/{w.community.slug}/meetings/{meeting.id}{tail}?lang=en")
        assert response.status_code == 200, tail
    assert "Consultation rules, version 2" in response.get_data(as_text=True)


def test_changing_the_quorum_needs_two_thirds_of_all_members(client, w):
    propose(client, w, quorum_numerator="2", quorum_denominator="3", quorum_strict="atleast")
    draft = draft_of(w)
    assert services.is_entrenched(draft)
    # 3 of 5 is a simple majority of those present, not two thirds of all members (4 needed).
    _meeting, _motion, result = council_votes(w, draft, yes=3, no=2)
    assert not result.passed and (result.majority_rule, result.base_kind, result.needed) == (
        "two_thirds",
        "all_members",
        4,
    )
    assert draft.status == "rejected" and services.current_ruleset(w.community).version == 1
    page = client.get(rules_url(w, "?lang=en")).get_data(as_text=True)
    assert "rejected" in page
    # Proposed again, four of the five members adopt it.
    propose(client, w, quorum_numerator="2", quorum_denominator="3", quorum_strict="atleast")
    again = draft_of(w)
    assert again.version == 3
    _meeting, _motion, result = council_votes(w, again, yes=4, no=1)
    assert result.passed and services.current_ruleset(w.community).version == 3
    assert services.current_ruleset(w.community).quorum_numerator == 2


def test_the_rules_in_force_may_set_another_majority_for_quorum_changes(client, w):
    version = services.current_ruleset(w.community)
    version.entrenched_majority_rule, version.entrenched_majority_base = "simple", "present"
    db.session.commit()
    propose(client, w, majority_rule="two_thirds")
    _meeting, _motion, result = council_votes(w, draft_of(w), yes=3, no=2)
    assert result.passed and services.current_ruleset(w.community).majority_rule == "two_thirds"


def test_a_rejecting_motion_rejects_the_draft_and_the_committee_can_withdraw_one(client, w):
    propose(client, w, notice_days="7")
    draft = draft_of(w)
    council_votes(w, draft, kind="reject", yes=3)
    assert draft.status == "rejected" and not db.session.get(AgendaItem, draft.agenda_item_id).subject.on_agenda
    propose(client, w, notice_days="8")
    second = draft_of(w)
    # Withdrawing needs the tick; without it nothing changes.
    assert client.post(rules_url(w, f"v{second.version}/withdraw")).status_code == 400
    assert second.status == "draft"
    response = client.post(rules_url(w, f"v{second.version}/withdraw"), data={"understood": "y"})
    assert response.status_code == 302 and second.status == "withdrawn"
    assert db.session.scalar(select(AuditEntry).where(AuditEntry.action == "rules.version_withdrawn"))
    page = client.get(rules_url(w, "?lang=en")).get_data(as_text=True)
    assert "withdrawn" in page and services.current_ruleset(w.community).version == 1
    client.post("/auth/logout")
    login(client, w.members[0])
    assert client.post(rules_url(w, "v2/withdraw"), data={"understood": "y"}).status_code == 403


def test_a_version_may_say_rule_changes_need_the_residents(client, w):
    """Proposing it is a change of the majority rules (entrenched); adopted, the next change needs the residents."""
    response = propose(client, w, tail="edit?lang=en", rule_change_needs_residents="residents")
    assert response.status_code == 302
    draft = draft_of(w)
    assert draft.rule_change_needs_residents and services.is_entrenched(draft)
    # The rules in force (version 1) do not need the residents: four of five members put it in force.
    council_votes(w, draft, yes=4, no=1)
    assert draft.status == "adopted" and draft.decided_round_id is None
    assert services.current_ruleset(w.community).rule_change_needs_residents
    page = client.get(rules_url(w, "?lang=en")).get_data(as_text=True)
    assert "approval of rule changes" in page and "goes to the residents in a yes/no vote" in page


def test_per_kind_majorities_apply_in_a_real_council_vote(w):
    """General: simple majority of the yes and no votes; budget approval: two thirds of those present."""
    version = services.current_ruleset(w.community)
    version.majority_base = "yes_no"
    version.budget_majority_rule, version.budget_majority_base = "two_thirds", "present"
    db.session.commit()
    resident = w.make.member(w.community)
    first, second = (make_matter(w.community, resident, title=f"议题{i}") for i in (1, 2))
    meeting = schedule(w)  # both matters on the agenda list
    council = [w.chair, *w.members[:3]]  # 4 present
    for user in council:
        attendance.check_in(w.committee, meeting, user.id)
    meetings.open_meeting(w.committee, meeting)

    def vote_on(item, kind, budget):
        meetings.open_item(w.committee, meeting, item)
        motion = votes.move_motion(w.members[0], meeting, item, kind, budget, "")
        votes.second_motion(w.members[1], meeting, motion)
        vote = votes.open_vote(w.committee, meeting, motion, "named")
        for user, choice in zip(council, ["yes", "yes", "no", "abstain"], strict=True):
            votes.cast_vote(user, meeting, vote, choice)
        return votes.close_vote(w.committee, meeting, vote)

    # 2 yes, 1 no, 1 abstain: a simple majority of yes and no, but not two thirds of the 4 present.
    approval = vote_on(meeting.items[0], "approve", 20_000)
    assert not approval.passed and (approval.majority_rule, approval.base_kind, approval.needed) == (
        "two_thirds",
        "present",
        3,
    )
    assert first.status == "on_agenda"
    meetings.close_item(w.committee, meeting, meeting.items[0])
    referral = vote_on(meeting.items[1], "refer_to_vote", None)  # no rule of its own: the general one
    assert referral.passed and (referral.majority_rule, referral.base_kind) == ("simple", "yes_no")
    stored = db.session.scalar(select(VoteResult).where(VoteResult.id == approval.id))
    assert stored.majority_rule == "two_thirds"


def test_the_share_threshold_counts_of_the_register_size(client, w):
    version = services.current_ruleset(w.community)
    version.support_threshold_kind, version.support_threshold_percent = "share", 5
    db.session.commit()
    assert w.community.register_size == 1000
    assert matter_services.support_threshold(w.community) == 50  # 5% of 1000, not of the 6 verified online
    page = client.get(rules_url(w, "?lang=en")).get_data(as_text=True)
    assert "50 supports, of the 1000 people the community states are on its register" in page
    # The committee states the register size on the community's settings.
    login(client, w.committee)
    settings = f"/c/{w.community.slug}/settings/register-size"
    bad = client.post(settings, data={"register_size": "很多"})
    assert bad.status_code == 400 and w.community.register_size == 1000
    assert client.post(settings, data={"register_size": "0"}).status_code == 302
    assert db.session.scalar(select(AuditEntry).where(AuditEntry.action == "community.register_size_set"))
    # Not stated: the residents verified online (6: the committee, the chair, 4 members), and the page says so.
    assert matter_services.support_threshold(w.community) == 1
    page = client.get(rules_url(w, "?lang=en")).get_data(as_text=True)
    assert "has not stated how many people are on its register" in page and "the 6 residents verified" in page
    client.post(settings, data={"register_size": "200"})
    assert matter_services.support_threshold(w.community) == 10
    client.post("/auth/logout")
    login(client, w.members[0])
    assert client.post(settings, data={"register_size": "5"}).status_code == 403
    assert w.community.register_size == 200
