"""Demo step (right after the accounts): the year's fund of the demo community.

The committee records the yearly allocation and a charity co-funding (社区基金, matching 30% of a
project's cost), and corrects a mistyped entry by reversing it. The commitments, payments and
releases then come by themselves: from the approvals, spending and acceptances the later demo
steps make through the normal services, each checked against this balance.
"""

from datetime import date

from app.core import clock

from . import services
from .ledger import SourceKind


def _day(year, month, day):
    """A date of the year, not after today (the demo may be loaded early in a year)."""
    return min(date(year, month, day), clock.local_today())


def load(context):
    community, committee = context["community"], context["committee"]
    year = services.current_year()
    services.record_source(
        committee,
        community,
        year,
        source_kind=SourceKind.ALLOCATION,
        amount=300_000,
        entry_date=_day(year, 1, 6),
    )
    services.record_source(
        committee,
        community,
        year,
        source_kind=SourceKind.CHARITY,
        amount=60_000,
        entry_date=_day(year, 3, 12),
        donor="杏林社区基金（社区慈善基金）",
        matching_percent=30,
    )
    typo = services.record_source(
        committee,
        community,
        year,
        source_kind=SourceKind.OTHER,
        amount=8_000,
        entry_date=_day(year, 4, 2),
        note="街道文明创建专项补助",
    )
    services.reverse(committee, community, typo, "重复录入：该补助已包含在年度拨款中。", confirmed=True)
    services.record_source(
        committee,
        community,
        year,
        source_kind=SourceKind.OTHER,
        amount=12_000,
        entry_date=_day(year, 5, 20),
        note="辖区企业共建捐赠（苏州绿园园林有限公司）",
    )
