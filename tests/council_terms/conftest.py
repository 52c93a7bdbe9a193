from datetime import date

import pytest
from freezegun import freeze_time

from app.communities.models import Role
from app.council_terms import services, substitute_list
from app.council_terms.models import ChosenHow

TODAY = date(2026, 6, 15)


@pytest.fixture
def frozen():
    with freeze_time("2026-06-15 04:00:00"):  # noon in Shanghai
        yield


class Council:
    """A community whose council member holds a term 2025-03-20 – 2028-03-19, with two substitutes."""

    def __init__(self, make):
        self.community = make.community()
        self.committee = make.member(self.community, role=Role.COMMITTEE)
        self.member = make.member(self.community, role=Role.COUNCIL_MEMBER, display_name="议事员甲")
        self.first = make.member(self.community, display_name="候补一")
        self.second = make.member(self.community, display_name="候补二")
        self.term = services.add_term(
            self.committee,
            self.community,
            user_id=self.member.id,
            starts_on=date(2025, 3, 20),
            ends_on=date(2028, 3, 19),
            chosen_how=ChosenHow.ELECTED,
            chosen_by="2025年3月居民会议",
        )
        for user in (self.first, self.second):
            substitute_list.add_substitute(
                self.committee, self.community, user_id=user.id, chosen_by="2025年3月居民会议"
            )


@pytest.fixture
def council(app, make, frozen):
    return Council(make)
