"""The council's adopted amendments as options of the residents' yes/no round: voting's extension
point (voting.option_kinds). The round itself (ballots, secrecy, receipts, paper sessions, the
count) is voting's, unchanged."""

from flask import url_for
from flask_babel import lazy_gettext as _l

from app.core.errors import DomainError
from app.core.service import get_row
from app.extensions import db
from app.voting.option_kinds import OptionKind

from . import services
from .models import Amendment, AmendmentStatus


class AmendmentOptions(OptionKind):
    def ballot_title(self, community, subject_id):
        amendment = get_row(Amendment, subject_id)
        if (
            amendment is None
            or amendment.convention.community_id != community.id
            or amendment.status != AmendmentStatus.ADOPTED
        ):
            raise DomainError(_l("Only amendments the council adopted and the residents have not voted on yet."))
        return services.ballot_title(amendment)

    def url(self, option):
        amendment = db.session.get(Amendment, option.subject_id)
        return url_for("conventions.amendment", slug=amendment.convention.community.slug, amendment_id=amendment.id)

    def opened(self, voting_round, actor):
        services.put_to_vote(voting_round, actor)

    def counted(self, voting_round, outcome, actor):
        services.round_counted(voting_round, outcome, actor)
