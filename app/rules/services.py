"""Reading and versioning rule sets."""
from sqlalchemy import select

from app.extensions import db

from .models import RuleSet


def current_ruleset(community):
    """The version in force (every community starts with version 1, the defaults)."""
    return db.session.scalar(
        select(RuleSet).where(RuleSet.community_id == community.id).order_by(RuleSet.version.desc()).limit(1)
    )


def initial_ruleset(community, actor=None):
    ruleset = RuleSet(community=community, version=1, created_by_id=getattr(actor, "id", None),
                      change_note="defaults")
    db.session.add(ruleset)
    return ruleset
