"""The names of the majority rules, bases and tie rules, and the phrases built from them, for the
rules page, forms, notices and every vote result. Pure Python, no Flask: `gettext` is the
caller's (by default the English message ids are filled in as they are).

`rule_summary(...)` is the one-line form printed with every vote result, e.g.
"simple majority of members present, quorum more than 1/2, rule set v3".
"""

from fractions import Fraction

from .majority import Base, MajorityRule


def N_(message):  # marks a message id for extraction (tools/i18n.py knows this keyword)
    return message


def fill(message, **params):
    return message % params if params else message


# The name of each majority rule wherever one is chosen or listed: the rules form, the history of
# versions, decision notices. A published notice keeps these message ids, so they stay as written.
MAJORITY_NAMES = {
    MajorityRule.SIMPLE: N_("Simple majority: more than half"),
    MajorityRule.TWO_THIRDS: N_("Two thirds"),
    MajorityRule.THREE_QUARTERS: N_("Three quarters"),
    MajorityRule.UNANIMITY: N_("Unanimity"),
}

# The same rules inside a sentence: "simple majority of members present".
MAJORITY_LABELS = {
    MajorityRule.SIMPLE: N_("simple majority"),
    MajorityRule.TWO_THIRDS: N_("two-thirds majority"),
    MajorityRule.THREE_QUARTERS: N_("three-quarters majority"),
    MajorityRule.UNANIMITY: N_("unanimity"),
}

# "of ..." phrases: "simple majority of members present".
BASE_LABELS = {
    Base.YES_NO: N_("of the yes and no votes"),
    Base.YES_NO_ABSTAIN: N_("of all votes cast, abstentions included"),
    Base.PRESENT: N_("of members present"),
    Base.ALL_MEMBERS: N_("of all council members"),
}

# Nouns used inside the majority sentences.
BASE_NOUNS = {
    Base.YES_NO: N_("the yes and no votes cast"),
    Base.YES_NO_ABSTAIN: N_("all votes cast, abstentions included"),
    Base.PRESENT: N_("the members present"),
    Base.ALL_MEMBERS: N_("all council members"),
}

MAJORITY_SENTENCES = {
    MajorityRule.SIMPLE: N_("A motion passes when its yes votes are more than half of %(base)s."),
    MajorityRule.TWO_THIRDS: N_("A motion passes when its yes votes are at least two thirds of %(base)s."),
    MajorityRule.THREE_QUARTERS: N_("A motion passes when its yes votes are at least three quarters of %(base)s."),
    MajorityRule.UNANIMITY: N_("A motion passes only when all of %(base)s are yes votes (unanimity)."),
}

# A residents' yes/no round (results pages and the rules page): its own majority and base.
RESIDENT_MAJORITY_SENTENCES = {
    MajorityRule.SIMPLE: N_("A project passes when its yes votes are more than half of %(base)s."),
    MajorityRule.TWO_THIRDS: N_("A project passes when its yes votes are at least two thirds of %(base)s."),
    MajorityRule.THREE_QUARTERS: N_("A project passes when its yes votes are at least three quarters of %(base)s."),
    MajorityRule.UNANIMITY: N_("A project passes only when all of %(base)s are yes votes."),
}
RESIDENT_BASE_NOUNS = {
    Base.YES_NO: N_("the yes and no votes on it"),
    Base.YES_NO_ABSTAIN: N_("the yes, no and abstain votes on it"),
    Base.PRESENT: N_("all ballots cast in the round"),
    Base.ALL_MEMBERS: N_("everyone eligible to vote"),
}


def share_text(numerator, denominator):
    """2/4 is shown as 1/2."""
    share = Fraction(numerator, denominator)
    return f"{share.numerator}/{share.denominator}"


def quorum_phrase(numerator, denominator, strict, gettext=fill):
    if strict:
        return gettext(N_("more than %(share)s"), share=share_text(numerator, denominator))
    return gettext(N_("at least %(share)s"), share=share_text(numerator, denominator))


def rule_summary(
    *, majority_rule, majority_base, quorum_numerator, quorum_denominator, quorum_strict, version, gettext=fill
):
    """One line: which majority, base, quorum and rule set version produced a result."""
    return gettext(
        N_("%(majority)s %(base)s, quorum %(quorum)s, rule set v%(version)s"),
        majority=gettext(MAJORITY_LABELS[MajorityRule(majority_rule)]),
        base=gettext(BASE_LABELS[Base(majority_base)]),
        quorum=quorum_phrase(quorum_numerator, quorum_denominator, quorum_strict, gettext),
        version=version,
    )


def majority_phrase(rule, base, gettext=fill):
    """ "two-thirds majority of all council members"."""
    return gettext(
        N_("%(majority)s %(base)s"),
        majority=gettext(MAJORITY_LABELS[MajorityRule(rule)]),
        base=gettext(BASE_LABELS[Base(base)]),
    )


# The kinds of motion that may have a majority of their own (majority.KIND_PREFIXES).
KIND_MAJORITY_SENTENCES = {
    "budget": N_("Approving a micro-matter with its budget, or rejecting it, needs a %(majority)s."),
    "rule_change": N_("Adopting a new version of these rules needs a %(majority)s."),
    "referral": N_("Referring a micro-matter to a resident vote needs a %(majority)s."),
}
