"""A version of the rules adopted by the council as the option of the residents' yes/no round:
voting's extension point (voting.option_kinds), as conventions.ballot does for amendments."""

from flask import url_for

from app.core.errors import DomainError
from app.core.service import get_row
from app.extensions import db
from app.rules.models import RuleSet, RuleStatus
from app.voting.option_kinds import OptionKind

from . import services


class RuleChangeOptions(OptionKind):
    def ballot_title(self, community, subject_id):
        ruleset = get_row(RuleSet, subject_id)
        if ruleset is None or ruleset.community_id != community.id or ruleset.status != RuleStatus.AWAITING_RESIDENTS:
            raise DomainError(services.NOT_AWAITING)
        return services.ballot_title(ruleset)

    def url(self, option):
        ruleset = db.session.get(RuleSet, option.subject_id)
        return url_for("rules.version", slug=ruleset.community.slug, version=ruleset.version)

    def opened(self, voting_round, actor):
        services.put_to_vote(voting_round, actor)

    def counted(self, voting_round, outcome, actor):
        services.round_counted(voting_round, outcome, actor)
