"""Reading and versioning rule sets: the committee proposes a draft, the council adopts it.

A draft goes on the council's agenda list (app.rule_adoption connects to `version_proposed`); a
passed motion puts it in force (`adopt`), a failed or rejecting one rejects it (`reject`). When the
rules in force say a rule change needs the residents, the adopted draft waits for their yes/no round
(app.rule_adoption) instead. Every other feature reads `current_ruleset`: the newest adopted
version; a draft never applies."""

from dataclasses import dataclass

from blinker import Namespace
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from app.audit.services import record
from app.communities.models import Membership, MembershipStatus
from app.core import clock
from app.core.errors import DomainError
from app.core.service import commit, insert_once, require
from app.core.text import clean_plain
from app.core.vocabulary import Category
from app.extensions import db

from .choices import ConventionApproval, ProxyRule, SpeakingOverrun
from .majority import OWN_MAJORITIES, Base, MajorityRule, TieRule
from .models import MAX_OBJECTION_DAYS, PENDING_STATUSES, RuleSet, RuleStatus
from .permissions import can_edit_rules
from .quorum import Quorum

# receiver(ruleset, actor=...), inside the transaction that makes the draft: it goes on the agenda list.
version_proposed = Namespace().signal("rules-version-proposed")


def current_ruleset(community):
    """The version in force: the newest adopted one (every community starts with version 1, the defaults)."""
    return db.session.scalar(
        select(RuleSet)
        .where(RuleSet.community_id == community.id, RuleSet.status == RuleStatus.ADOPTED)
        .order_by(RuleSet.version.desc())
        .limit(1)
    )


def pending_draft(community):
    """The version waiting for the council or the residents, if any (there is at most one at a time)."""
    return db.session.scalar(
        select(RuleSet).where(RuleSet.community_id == community.id, RuleSet.status.in_(PENDING_STATUSES)).limit(1)
    )


@dataclass(frozen=True)
class SupportBase:
    """What a support threshold "as a percentage" is a share of."""

    residents: int
    from_register: bool  # the register size the community stated; False: the verified residents


def support_base(community):
    """The community's register size when it stated one, otherwise the residents verified online."""
    if community.register_size:
        return SupportBase(community.register_size, True)
    verified = db.session.scalar(
        select(func.count(Membership.id)).where(
            Membership.community_id == community.id, Membership.status == MembershipStatus.VERIFIED
        )
    )
    return SupportBase(verified or 0, False)


def initial_ruleset(community, actor=None):
    ruleset = RuleSet(community=community, version=1, created_by_id=getattr(actor, "id", None), change_note="defaults")
    db.session.add(ruleset)
    return ruleset


# The quorum and the majority rules: a draft that changes any of them needs the entrenched majority.
_QUORUM = ("quorum_numerator", "quorum_denominator", "quorum_strict")
_GENERAL_MAJORITY = ("majority_rule", "majority_base", "tie_rule")
_MOTION_MAJORITIES = (
    "budget_majority_rule",
    "budget_majority_base",
    "rule_change_majority_rule",
    "rule_change_majority_base",
    "referral_majority_rule",
    "referral_majority_base",
    "entrenched_majority_rule",
    "entrenched_majority_base",
    "rule_change_needs_residents",
)
_RESIDENT_MAJORITY = ("resident_majority_rule", "resident_majority_base")
ENTRENCHED_FIELDS = frozenset((*_QUORUM, *_GENERAL_MAJORITY, *_MOTION_MAJORITIES, *_RESIDENT_MAJORITY))

# Every field a committee sets on the rules form, in the form's order; a new version copies them all.
EDITABLE_FIELDS = (
    "support_threshold_kind",
    "support_threshold_count",
    "support_threshold_percent",
    "cap_service",
    "cap_goods",
    "cap_works",
    "excluded_categories",
    "negative_list",
    "notice_days",
    *_QUORUM,
    "seconders_needed",
    "turns_per_item",
    "minutes_per_turn",
    *_GENERAL_MAJORITY,
    "secret_ballot",
    *_MOTION_MAJORITIES,
    *_RESIDENT_MAJORITY,
    "min_turnout_percent",
    "satisfaction_threshold_percent",
    "objection_days",
    "early_close_min_ratings",
    "on_behalf_daily_cap",
    "convention_approval",
    "proxy_rule",
    "speaking_overrun",
    "minutes_comment_days",
)
# The motion kinds of the councils (stored strings) a draft takes.
ADOPT_RULES = "adopt_rules"


def versions(community):
    """Every version, newest first."""
    return db.session.scalars(
        select(RuleSet).where(RuleSet.community_id == community.id).order_by(RuleSet.version.desc())
    ).all()


def ruleset_version(community, version):
    return db.session.scalar(select(RuleSet).where(RuleSet.community_id == community.id, RuleSet.version == version))


def field_values(ruleset):
    return {name: getattr(ruleset, name) for name in EDITABLE_FIELDS}


def base_version(ruleset):
    """The version a draft was made from: the newest adopted one before it (None for version 1)."""
    return db.session.scalar(
        select(RuleSet)
        .where(
            RuleSet.community_id == ruleset.community_id,
            RuleSet.status == RuleStatus.ADOPTED,
            RuleSet.version < ruleset.version,
        )
        .order_by(RuleSet.version.desc())
        .limit(1)
    )


def is_entrenched(ruleset):
    """The draft changes the quorum or a majority rule (compared with the version it was made from)."""
    return bool(ENTRENCHED_FIELDS & set(changes(base_version(ruleset), ruleset)))


def changes(old, new):
    """{field: [old, new]} for the fields that differ between two versions (or value dicts)."""
    old_values = old if isinstance(old, dict) else field_values(old) if old is not None else {}
    new_values = new if isinstance(new, dict) else field_values(new)
    return {name: [old_values.get(name), value] for name, value in new_values.items() if old_values.get(name) != value}


def _validate(values):
    def between(name, low, high, message):
        value = values[name]
        if not isinstance(value, int) or isinstance(value, bool) or not low <= value <= high:
            raise DomainError(message)

    if values["support_threshold_kind"] not in ("count", "share"):
        raise DomainError(_l("Choose a count or a share for the support threshold."))
    between("support_threshold_count", 1, 100_000, _l("The support threshold must be between 1 and 100000."))
    between("support_threshold_percent", 1, 100, _l("The support share must be between 1 and 100 percent."))
    for name in ("cap_service", "cap_goods", "cap_works"):
        between(name, 1, 100_000_000, _l("Each cost cap must be between 1 and 100000000 yuan."))
    if any(c not in set(Category) for c in values["excluded_categories"]):
        raise DomainError(_l("Unknown category on the excluded list."))
    if len(values["negative_list"]) > 30 or any(len(item) > 200 for item in values["negative_list"]):
        raise DomainError(_l("The negative list may have at most 30 items of at most 200 characters."))
    between("notice_days", 0, 60, _l("The notice period must be between 0 and 60 days."))
    between("quorum_denominator", 1, 100, _l("The quorum must be a share such as 1/2 or 2/3."))
    between(
        "quorum_numerator",
        1,
        values["quorum_denominator"] if isinstance(values["quorum_denominator"], int) else 100,
        _l("The quorum must be a share such as 1/2 or 2/3."),
    )
    try:
        Quorum(values["quorum_numerator"], values["quorum_denominator"], bool(values["quorum_strict"]))
    except ValueError as exc:
        raise DomainError(_l("“More than” all members can never be present; choose “at least”.")) from exc
    between("seconders_needed", 0, 20, _l("Seconders must be between 0 and 20."))
    between("turns_per_item", 1, 10, _l("Turns per item must be between 1 and 10."))
    between("minutes_per_turn", 1, 30, _l("Minutes per turn must be between 1 and 30."))
    if (
        values["majority_rule"] not in set(MajorityRule)
        or values["majority_base"] not in set(Base)
        or values["tie_rule"] not in set(TieRule)
    ):
        raise DomainError(_l("Unknown majority rule, base or tie rule."))
    if values["resident_majority_rule"] not in set(MajorityRule) or values["resident_majority_base"] not in set(Base):
        raise DomainError(_l("Unknown majority rule or base for resident votes."))
    for prefix in OWN_MAJORITIES:
        rule, base = values[f"{prefix}_majority_rule"], values[f"{prefix}_majority_base"]
        if rule is None and base is None:
            continue
        if rule not in set(MajorityRule) or base not in set(Base):
            raise DomainError(_l("A kind of motion with a majority of its own needs both a majority and a base."))
    if values["entrenched_majority_rule"] not in set(MajorityRule) or values["entrenched_majority_base"] not in set(
        Base
    ):
        raise DomainError(_l("Unknown majority rule or base for changing the quorum or majorities."))
    between("min_turnout_percent", 0, 100, _l("The minimum turnout must be between 0 and 100 percent."))
    between(
        "objection_days",
        0,
        MAX_OBJECTION_DAYS,
        _l("The objection period of a notice must be between 0 and %(days)s days.", days=MAX_OBJECTION_DAYS),
    )
    between(
        "satisfaction_threshold_percent", 1, 100, _l("The satisfaction threshold must be between 1 and 100 percent.")
    )
    between("early_close_min_ratings", 1, 100_000, _l("The ratings needed to end early must be 1 or more."))
    between("on_behalf_daily_cap", 1, 1000, _l("The daily cap of entries on behalf must be between 1 and 1000."))
    if values["convention_approval"] not in set(ConventionApproval):
        raise DomainError(_l("Choose how residents approve convention amendments."))
    if values["proxy_rule"] not in set(ProxyRule):
        raise DomainError(_l("Choose whether written proxies are allowed and what they count for."))
    if values["speaking_overrun"] not in set(SpeakingOverrun):
        raise DomainError(_l("Choose what happens when a speaking turn's time is up."))
    between(
        "minutes_comment_days", 0, 30, _l("The days for members' comments on draft minutes must be between 0 and 30.")
    )


def propose_version(actor, community, values, change_note=""):
    """A new draft version with `values` (never updates an old one), put on the council's agenda list;
    audited. It is not in force until the council adopts it. The caller's form already parsed the
    values; they are checked again here whatever the page sent."""
    if not can_edit_rules(actor, community):
        raise DomainError(_l("Only the committee can change the consultation rules."))
    waiting = pending_draft(community)
    if waiting is not None and not waiting.in_draft:
        raise DomainError(
            _l(
                "Version %(version)s, adopted by the council, is waiting for the residents' vote: it is decided "
                "before another change is proposed.",
                version=waiting.version,
            )
        )
    if waiting is not None:
        raise DomainError(
            _l(
                "Version %(version)s is still waiting for the council's decision: withdraw it before proposing "
                "another change.",
                version=waiting.version,
            )
        )
    values = {name: values[name] for name in EDITABLE_FIELDS}
    for prefix in OWN_MAJORITIES:  # "as the general majority" is stored as NULL
        for part in ("rule", "base"):
            values[f"{prefix}_majority_{part}"] = values[f"{prefix}_majority_{part}"] or None
    values["rule_change_needs_residents"] = bool(values["rule_change_needs_residents"])
    values["excluded_categories"] = sorted(set(values["excluded_categories"] or []))
    values["negative_list"] = [clean_plain(item)[:200] for item in values["negative_list"] or [] if clean_plain(item)]
    values["quorum_strict"] = bool(values["quorum_strict"])
    values["secret_ballot"] = bool(values["secret_ballot"])
    _validate(values)
    change_note = clean_plain(change_note)[:300]
    if not change_note:
        raise DomainError(_l("Please say what changed and why; it is published with the rules."))
    current = current_ruleset(community)
    diff = changes(current, values)
    if not diff:
        raise DomainError(_l("Nothing was changed, so no new version was made."))
    last = db.session.scalar(select(func.max(RuleSet.version)).where(RuleSet.community_id == community.id))
    ruleset = RuleSet(
        community_id=community.id,
        version=(last or 0) + 1,
        created_by_id=actor.id,
        change_note=change_note,
        status=RuleStatus.DRAFT,
        **values,
    )
    insert_once(ruleset, _l("Someone else saved a new version at the same time. Please check and try again."))
    version_proposed.send(ruleset, actor=actor)
    record(
        "rules.version_proposed",
        ruleset,
        actor=actor,
        community=community,
        version=ruleset.version,
        note=change_note,
        changes=diff,
        entrenched=bool(ENTRENCHED_FIELDS & set(diff)),
    )
    db.session.commit()
    return ruleset


def _decided(ruleset, status, actor, action, meeting_id, motion_id, **data):
    require(ruleset.in_draft, _l("This version is no longer a draft."))
    ruleset.status = status
    ruleset.decided_at = clock.now()
    ruleset.decided_meeting_id, ruleset.decided_motion_id = meeting_id, motion_id
    record(
        action,
        ruleset,
        actor=actor,
        community=ruleset.community,
        version=ruleset.version,
        meeting_id=meeting_id,
        motion_id=motion_id,
        **data,
    )


def adopt(ruleset, actor, *, meeting_id=None, motion_id=None, **data):
    """The council adopted the draft: it is in force from now on (inside the caller's transaction,
    e.g. the vote's closing; a demo's history may give no meeting). When the rules in force say a
    rule change needs the residents, it waits for their yes/no round instead (app.rule_adoption)."""
    if current_ruleset(ruleset.community).rule_change_needs_residents:
        _decided(
            ruleset,
            RuleStatus.AWAITING_RESIDENTS,
            actor,
            "rules.version_awaits_residents",
            meeting_id,
            motion_id,
            **data,
        )
    else:
        _decided(ruleset, RuleStatus.ADOPTED, actor, "rules.version_adopted", meeting_id, motion_id, **data)


def reject(ruleset, actor, *, meeting_id=None, motion_id=None, **data):
    """The council did not adopt the draft (inside the caller's transaction)."""
    _decided(ruleset, RuleStatus.REJECTED, actor, "rules.version_rejected", meeting_id, motion_id, **data)


def withdraw(actor, ruleset):
    """The committee takes back its draft before the council decides it, or before it is put to the
    residents' vote; audited."""
    require(can_edit_rules(actor, ruleset.community), _l("Only the committee can change the consultation rules."))
    require(ruleset.withdrawable, _l("This version is no longer a draft."))
    if ruleset.in_draft:  # an adopted one keeps the date of the council's decision
        ruleset.decided_at = clock.now()
    ruleset.status = RuleStatus.WITHDRAWN
    record("rules.version_withdrawn", ruleset, actor=actor, community=ruleset.community, version=ruleset.version)
    commit()
