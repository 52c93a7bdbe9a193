"""The rules in plain language, the committee's editing form, and versions."""

from sqlalchemy import func, select

from app.audit.models import AuditEntry
from app.communities.models import Role
from app.extensions import db
from app.rules.describe import describe
from app.rules.models import RuleSet
from app.rules.phrases import rule_summary
from app.rules.services import adopt, current_ruleset
from tests.helpers import login

FORM = {
    "support_threshold_kind": "share",
    "support_threshold_count": "20",
    "support_threshold_percent": "4",
    "cap_service": "180000",
    "cap_goods": "120000",
    "cap_works": "450000",
    "excluded_categories": ["culture", "other"],
    "negative_list": "物业服务企业应履行的职责\n营利性项目\n",
    "notice_days": "5",
    "quorum_numerator": "2",
    "quorum_denominator": "3",
    "quorum_strict": "atleast",
    "seconders_needed": "2",
    "turns_per_item": "3",
    "minutes_per_turn": "4",
    "majority_rule": "two_thirds",
    "majority_base": "yes_no_abstain",
    "tie_rule": "chair_decides",
    "secret_ballot": "secret",
    "resident_majority_rule": "two_thirds",
    "resident_majority_base": "yes_no_abstain",
    "min_turnout_percent": "15",
    "satisfaction_threshold_percent": "70",
    "objection_days": "10",
    "early_close_min_ratings": "25",
    "on_behalf_daily_cap": "12",
    "convention_approval": "round",
    "proxy_rule": "votes",
    "speaking_overrun": "record",
    "minutes_comment_days": "5",
    "budget_majority_rule": "three_quarters",
    "budget_majority_base": "all_members",
    "rule_change_majority_rule": "",
    "rule_change_majority_base": "",
    "referral_majority_rule": "",
    "referral_majority_base": "",
    "entrenched_majority_rule": "unanimity",
    "entrenched_majority_base": "present",
    "rule_change_needs_residents": "council",
    "change_note": "议事会决定提高门槛",
}


def first_version(community):
    return db.session.scalar(select(RuleSet).where(RuleSet.community_id == community.id, RuleSet.version == 1))


def versions(community):
    return db.session.scalar(select(func.count(RuleSet.id)).where(RuleSet.community_id == community.id))


def test_describe_states_every_rule_in_english():
    rules = RuleSet(
        community_id=1,
        version=3,
        support_threshold_kind="count",
        support_threshold_count=15,
        support_threshold_percent=5,
        cap_service=200_000,
        cap_goods=150_000,
        cap_works=500_000,
        excluded_categories=["other"],
        negative_list=["营利性项目"],
        notice_days=3,
        quorum_numerator=1,
        quorum_denominator=2,
        quorum_strict=True,
        seconders_needed=1,
        turns_per_item=2,
        minutes_per_turn=2,
        majority_rule="simple",
        majority_base="present",
        tie_rule="fails",
        secret_ballot=False,
        min_turnout_percent=10,
        satisfaction_threshold_percent=60,
        resident_majority_rule="simple",
        resident_majority_base="yes_no",
        budget_majority_rule="two_thirds",
        budget_majority_base="all_members",
        entrenched_majority_rule="two_thirds",
        entrenched_majority_base="all_members",
    )
    text = " ".join(f"{s.topic}: {s.text}" for s in describe(rules))
    for expected in (
        "15 verified residents",
        "200000 yuan for a service",
        "not admitted: other",
        "营利性项目",
        "at least 3 days",
        "more than 1/2 of all council members",
        "1 seconders",
        "at most 2 times on an item, 2 minutes",
        "more than half of the members present",
        "the motion fails",
        "roll call",
        "at least 10%",
        "at least 60%",
        "the council's majority does not apply: A project passes when its yes votes are more than half "
        "of the yes and no votes on it. An even split fails.",
        "A resident vote of any kind is valid only with a turnout of at least 10%",
        "eligible when voting opened",
        "published as not valid and no project is approved",
        "Approving a micro-matter with its budget, or rejecting it, needs a two-thirds majority of all council "
        "members. Other motions need the general majority.",
        "is a draft, not in force, until the council adopts it",
        "changes the quorum or any majority rule needs a two-thirds majority of all council members",
    ):
        assert expected in text, expected
    assert (
        rule_summary(
            majority_rule="simple",
            majority_base="present",
            quorum_numerator=1,
            quorum_denominator=2,
            quorum_strict=True,
            version=3,
        )
        == "simple majority of members present, quorum more than 1/2, "
        "rule set v3"
    )


def test_public_page_shows_the_rules_in_chinese_and_english(client, make):
    community = make.community()
    html = client.get(f"/c/{community.slug}/rules/").get_data(as_text=True)
    assert "超过应到成员的1/2出席方可开会" in html
    assert "议事规则" in html
    html = client.get(f"/c/{community.slug}/rules/?lang=en").get_data(as_text=True)
    assert "more than 1/2 of all council members are present" in html


def test_committee_proposes_a_new_version_with_every_field(client, make):
    community = make.community()
    committee = make.member(community, role=Role.COMMITTEE)
    login(client, committee)
    form_page = client.get(f"/c/{community.slug}/rules/edit")
    assert form_page.status_code == 200
    response = client.post(f"/c/{community.slug}/rules/edit", data=FORM)
    assert response.status_code == 302, response.get_data(as_text=True)
    assert current_ruleset(community).version == 1  # a draft is not in force
    rules = db.session.scalar(select(RuleSet).where(RuleSet.community_id == community.id, RuleSet.version == 2))
    assert rules.status == "draft" and versions(community) == 2
    draft_page = client.get(f"/c/{community.slug}/rules/v2").get_data(as_text=True)
    assert "草案" in draft_page and "尚未生效" in draft_page
    adopt(rules, committee)  # tests/rules/test_adoption.py: by the council's motion in a meeting
    db.session.commit()
    assert current_ruleset(community).id == rules.id
    assert (rules.budget_majority_rule, rules.budget_majority_base) == ("three_quarters", "all_members")
    assert (rules.rule_change_majority_rule, rules.referral_majority_base) == (None, None)
    assert (rules.entrenched_majority_rule, rules.entrenched_majority_base) == ("unanimity", "present")
    assert (rules.support_threshold_kind, rules.support_threshold_percent) == ("share", 4)
    assert (rules.cap_service, rules.cap_goods, rules.cap_works) == (180_000, 120_000, 450_000)
    assert rules.excluded_categories == ["culture", "other"]
    assert (rules.early_close_min_ratings, rules.on_behalf_daily_cap, rules.convention_approval) == (25, 12, "round")
    assert (rules.proxy_rule, rules.speaking_overrun, rules.minutes_comment_days) == ("votes", "record", 5)
    assert rules.negative_list == ["物业服务企业应履行的职责", "营利性项目"]
    assert (rules.notice_days, rules.quorum_numerator, rules.quorum_denominator, rules.quorum_strict) == (
        5,
        2,
        3,
        False,
    )
    assert (rules.seconders_needed, rules.turns_per_item, rules.minutes_per_turn) == (2, 3, 4)
    assert (rules.majority_rule, rules.majority_base, rules.tie_rule, rules.secret_ballot) == (
        "two_thirds",
        "yes_no_abstain",
        "chair_decides",
        True,
    )
    assert (rules.min_turnout_percent, rules.satisfaction_threshold_percent) == (15, 70)
    assert (rules.objection_days, first_version(community).objection_days) == (10, 5)
    # The residents' majority is its own field, apart from the council's.
    assert (rules.resident_majority_rule, rules.resident_majority_base) == ("two_thirds", "yes_no_abstain")
    assert (first_version(community).resident_majority_rule, first_version(community).resident_majority_base) == (
        "simple",
        "yes_no",
    )
    first = db.session.scalar(select(RuleSet).where(RuleSet.community_id == community.id, RuleSet.version == 1))
    assert first.quorum_strict is True and first.majority_rule == "simple"  # the old version is untouched
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "rules.version_proposed"))
    assert entry.actor_id == committee.id and entry.data["version"] == 2
    assert entry.data["changes"]["majority_rule"] == ["simple", "two_thirds"] and entry.data["entrenched"]
    html = client.get(f"/c/{community.slug}/rules/").get_data(as_text=True)
    assert "至少有应到成员的2/3出席方可开会" in html
    assert "议事会决定提高门槛" in html
    assert "公示期至少10天" in html
    old = client.get(f"/c/{community.slug}/rules/v1").get_data(as_text=True)
    assert "超过应到成员的1/2出席方可开会" in old and "不再有效" in old


def test_bad_rules_are_refused_and_nothing_is_saved(client, make):
    community = make.community()
    login(client, make.member(community, role=Role.COMMITTEE))
    cases = [
        dict(quorum_numerator="3", quorum_denominator="2"),
        dict(quorum_numerator="1", quorum_denominator="1", quorum_strict="more"),
        dict(change_note=""),
        dict(turns_per_item="0"),
        dict(cap_works="-5"),
        dict(majority_rule="most"),
        dict(resident_majority_base="everyone"),
        dict(notice_days="abc"),
    ]
    for case in cases:
        response = client.post(f"/c/{community.slug}/rules/edit", data={**FORM, **case})
        assert response.status_code == 400, case
        assert "议事会决定提高门槛" in response.get_data(as_text=True) or not case.get("change_note", "x")
    assert versions(community) == 1


def test_saving_unchanged_rules_makes_no_version(client, make):
    community = make.community()
    committee = make.member(community, role=Role.COMMITTEE)
    login(client, committee)
    client.post(f"/c/{community.slug}/rules/edit", data=FORM)
    adopt(db.session.scalar(select(RuleSet).where(RuleSet.version == 2)), committee)
    db.session.commit()
    response = client.post(f"/c/{community.slug}/rules/edit", data=FORM)
    assert response.status_code == 400 and "没有任何修改" in response.get_data(as_text=True)
    assert versions(community) == 2


def test_only_the_committee_edits_the_rules(client, make):
    community = make.community()
    for role in (Role.RESIDENT, Role.COUNCIL_MEMBER, Role.CHAIR):
        client.post("/auth/logout")
        login(client, make.member(community, role=role))
        assert client.get(f"/c/{community.slug}/rules/edit").status_code == 403
        assert client.post(f"/c/{community.slug}/rules/edit", data=FORM).status_code == 403
    other = make.community()
    client.post("/auth/logout")
    login(client, make.member(other, role=Role.COMMITTEE))  # committee of another community
    assert client.post(f"/c/{community.slug}/rules/edit", data=FORM).status_code == 403
    assert versions(community) == 1


def test_anonymous_visitors_are_sent_to_log_in(client, make):
    community = make.community()
    response = client.get(f"/c/{community.slug}/rules/edit")
    assert response.status_code == 302 and "/auth/login" in response.headers["Location"]


def test_unknown_version_is_404(client, make):
    community = make.community()
    assert client.get(f"/c/{community.slug}/rules/v9").status_code == 404
