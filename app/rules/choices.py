"""Plain choices a rule set makes, without Flask (describe.py reads them too)."""

from enum import StrEnum


class ConventionApproval(StrEnum):
    ASSEMBLY = "assembly"  # a residents' assembly (居民会议), its counts recorded and confirmed by a second person
    ROUND = "round"  # a yes/no resident round


class ProxyRule(StrEnum):
    NONE = "none"  # members who cannot attend give no written proxy
    QUORUM = "quorum"  # a proxy counts the absent member towards the quorum only
    VOTES = "votes"  # ... and its holder casts the absent member's vote as well


class SpeakingOverrun(StrEnum):
    END = "end"  # the chair's console ends a turn when its time is up
    RECORD = "record"  # the speaker may go on; the overrun and its length go into the minutes
