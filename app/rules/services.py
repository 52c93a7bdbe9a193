"""Reading and versioning rule sets."""

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from app.audit.services import record
from app.core.errors import DomainError
from app.core.text import clean_plain
from app.core.vocabulary import Category
from app.extensions import db

from .majority import Base, MajorityRule, TieRule
from .models import MAX_OBJECTION_DAYS, RuleSet
from .permissions import can_edit_rules
from .quorum import Quorum


def current_ruleset(community):
    """The version in force (every community starts with version 1, the defaults)."""
    return db.session.scalar(
        select(RuleSet).where(RuleSet.community_id == community.id).order_by(RuleSet.version.desc()).limit(1)
    )


def initial_ruleset(community, actor=None):
    ruleset = RuleSet(community=community, version=1, created_by_id=getattr(actor, "id", None), change_note="defaults")
    db.session.add(ruleset)
    return ruleset


# Every field a committee sets on the rules form; a new version copies them all.
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
    "quorum_numerator",
    "quorum_denominator",
    "quorum_strict",
    "seconders_needed",
    "turns_per_item",
    "minutes_per_turn",
    "majority_rule",
    "majority_base",
    "tie_rule",
    "secret_ballot",
    "resident_majority_rule",
    "resident_majority_base",
    "min_turnout_percent",
    "satisfaction_threshold_percent",
    "objection_days",
)


def versions(community):
    """Every version, newest first."""
    return db.session.scalars(
        select(RuleSet).where(RuleSet.community_id == community.id).order_by(RuleSet.version.desc())
    ).all()


def ruleset_version(community, version):
    return db.session.scalar(select(RuleSet).where(RuleSet.community_id == community.id, RuleSet.version == version))


def field_values(ruleset):
    return {name: getattr(ruleset, name) for name in EDITABLE_FIELDS}


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


def save_version(actor, community, values, change_note=""):
    """Insert a new version with `values` (never updates an old one); audited. The caller's form
    already parsed the values; they are checked again here whatever the page sent."""
    if not can_edit_rules(actor, community):
        raise DomainError(_l("Only the committee can change the consultation rules."))
    values = {name: values[name] for name in EDITABLE_FIELDS}
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
    ruleset = RuleSet(
        community_id=community.id,
        version=(current.version + 1) if current else 1,
        created_by_id=actor.id,
        change_note=change_note,
        **values,
    )
    db.session.add(ruleset)
    try:
        db.session.flush()
    except IntegrityError as exc:
        db.session.rollback()
        raise DomainError(_l("Someone else saved a new version at the same time. Please check and try again.")) from exc
    record(
        "rules.version_created",
        ruleset,
        actor=actor,
        community=community,
        version=ruleset.version,
        note=change_note,
        changes=diff,
    )
    db.session.commit()
    return ruleset
