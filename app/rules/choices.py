"""Plain choices a rule set makes, without Flask (describe.py reads them too)."""

from enum import StrEnum


class ConventionApproval(StrEnum):
    ASSEMBLY = "assembly"  # a residents' assembly (居民会议), its counts recorded and confirmed by a second person
    ROUND = "round"  # a yes/no resident round
