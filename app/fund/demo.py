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


# (kind, amount, (month, day), the kind's own words): the year's sources as the committee enters them.
SOURCES = [
    (SourceKind.ALLOCATION, 300_000, (1, 6), {}),
    (SourceKind.CHARITY, 60_000, (3, 12), {"donor": "杏林社区基金（社区慈善基金）", "matching_percent": 30}),
    (SourceKind.OTHER, 8_000, (4, 2), {"note": "街道文明创建专项补助"}),
    (SourceKind.OTHER, 12_000, (5, 20), {"note": "辖区企业共建捐赠（苏州绿园园林有限公司）"}),
]
TYPO = 2  # the third source was entered twice by mistake and is reversed


def load(context):
    community, committee = context["community"], context["committee"]
    year = services.current_year()
    for number, (kind, amount, (month, day), words) in enumerate(SOURCES):
        entry = services.record_source(
            committee, community, year, source_kind=kind, amount=amount, entry_date=_day(year, month, day), **words
        )
        if number == TYPO:
            services.reverse(committee, community, entry, "重复录入：该补助已包含在年度拨款中。", confirmed=True)
