"""The rules in force, in plain language. Pure Python, no Flask.

`describe(rules, gettext=..., money=..., label=...)` returns a list of Sentence
(topic, text) for any object with the RuleSet attributes. The caller passes the
translation and formatting functions of the page (flask_babel.gettext, the money
filter); by default the English message ids are filled in as they are. The names of
majorities, bases and ties, and the phrases made of them, are in phrases.py.
"""

from dataclasses import dataclass

from .choices import ConventionApproval, ProxyRule, SpeakingOverrun
from .majority import Base, MajorityRule, TieRule
from .phrases import (
    BASE_NOUNS,
    KIND_MAJORITY_SENTENCES,
    MAJORITY_SENTENCES,
    N_,
    RESIDENT_BASE_NOUNS,
    RESIDENT_MAJORITY_SENTENCES,
    fill,
    majority_phrase,
    share_text,
)


def _plain_money(amount):
    return f"{amount} yuan"


@dataclass(frozen=True)
class Sentence:
    topic: str
    text: str


TOPICS = {
    "threshold": N_("Reaching review"),
    "caps": N_("Cost caps"),
    "excluded": N_("Excluded categories"),
    "negative_list": N_("Negative list"),
    "notice": N_("Meeting notice"),
    "quorum": N_("Quorum"),
    "motions": N_("Motions"),
    "speaking": N_("Speaking"),
    "majority": N_("Majority"),
    "ties": N_("Ties"),
    "method": N_("How the council votes"),
    "resident_majority": N_("Residents' yes/no votes"),
    "turnout": N_("Resident votes"),
    "satisfaction": N_("Satisfaction"),
    "notices": N_("Notices"),
    "early_close": N_("Ending a rating window early"),
    "on_behalf": N_("Entries on behalf of residents"),
    "convention": N_("Residents' convention"),
    "proxy": N_("Written proxies"),
    "minutes_comments": N_("Draft minutes"),
    "kind_majorities": N_("Majorities by kind of motion"),
    "procedure": N_("Amendments, deferral and adjournment"),
    "rule_changes": N_("Changing these rules"),
    "rule_change_residents": N_("Residents' approval of rule changes"),
}


def describe(rules, gettext=fill, money=_plain_money, label=None, support_base=None):
    """Every rule of `rules` as a sentence. `label(category)` names an excluded category;
    `support_base` (rules.services.SupportBase) gives a share threshold its number of residents."""
    label = label or (lambda value: value)
    out = []

    def add(topic, message, **params):
        out.append(Sentence(gettext(TOPICS[topic]), gettext(message, **params)))

    if rules.support_threshold_kind == "share" and support_base is None:
        add(
            "threshold",
            N_("A micro-matter goes to review when %(percent)s%% of the residents on the register support it."),
            percent=rules.support_threshold_percent,
        )
    elif rules.support_threshold_kind == "share":
        add(
            "threshold",
            N_(
                "A micro-matter goes to review when %(percent)s%% of the residents on the register support it: "
                "%(count)s supports, of the %(base)s people the community states are on its register."
            )
            if support_base.from_register
            else N_(
                "A micro-matter goes to review when %(percent)s%% of the residents support it. The community has "
                "not stated how many people are on its register, so the share is taken of the %(base)s residents "
                "verified online: %(count)s supports."
            ),
            percent=rules.support_threshold_percent,
            base=support_base.residents,
            count=rules.support_threshold(support_base.residents),
        )
    else:
        add(
            "threshold",
            N_("A micro-matter goes to review when %(count)s verified residents support it."),
            count=rules.support_threshold_count,
        )
    add(
        "caps",
        N_("A micro-matter may cost at most %(service)s for a service, %(goods)s for goods and %(works)s for works."),
        service=money(rules.cap_service),
        goods=money(rules.cap_goods),
        works=money(rules.cap_works),
    )

    def add_list(topic, values, separator, some, none, name):
        """The sentence naming the values, or the one saying there are none."""
        if values:
            add(topic, some, **{name: gettext(separator).join(values)})
        else:
            add(topic, none)

    add_list(
        "excluded",
        [label(c) for c in (rules.excluded_categories or [])],
        N_(", "),
        N_("Micro-matters in these categories are not admitted: %(categories)s."),
        N_("No category is excluded as such."),
        "categories",
    )
    add_list(
        "negative_list",
        [item for item in (rules.negative_list or []) if item],
        N_("; "),
        N_("The committee checks every proposal against this negative list: %(items)s."),
        N_("There is no negative list."),
        "items",
    )
    add(
        "notice",
        N_(
            "A meeting is announced at least %(days)s days before it takes place; a shorter notice "
            "is only possible for an urgent meeting, with the reason recorded."
        ),
        days=rules.notice_days,
    )
    share = share_text(rules.quorum_numerator, rules.quorum_denominator)
    if rules.quorum_strict:
        add(
            "quorum",
            N_("A meeting may open only when more than %(share)s of all council members are present."),
            share=share,
        )
    elif rules.quorum_numerator == rules.quorum_denominator:
        add("quorum", N_("A meeting may open only when all council members are present."))
    else:
        add(
            "quorum",
            N_("A meeting may open only when at least %(share)s of all council members are present."),
            share=share,
        )
    if rules.seconders_needed:
        add(
            "motions",
            N_("A motion needs %(count)s seconders among the other members before it is debated and voted on."),
            count=rules.seconders_needed,
        )
    else:
        add("motions", N_("A motion is debated and voted on without seconders."))
    add(
        "speaking",
        N_(
            "Each member may speak at most %(turns)s times on an item, %(minutes)s minutes each "
            "time. Pro and contra alternate, members who have not spoken on the item go first, and "
            "the chair does not speak while chairing."
        ),
        turns=rules.turns_per_item,
        minutes=rules.minutes_per_turn,
    )
    add(
        "majority",
        MAJORITY_SENTENCES[MajorityRule(rules.majority_rule)],
        base=gettext(BASE_NOUNS[Base(rules.majority_base)]),
    )
    # councils.votes._decide: procedural motions take the general majority, whatever the motion they are moved on needs.
    add(
        "procedure",
        N_(
            "An amendment of a motion, a motion to defer an item to a later meeting and a motion to adjourn are "
            "moved and seconded like any motion and need the general majority. An amendment is voted on before the "
            "motion it amends; a point of order is ruled on by the chair, with a reason, before the next vote."
        ),
    )
    own = [
        (prefix, getattr(rules, f"{prefix}_majority_rule"), getattr(rules, f"{prefix}_majority_base"))
        for prefix in KIND_MAJORITY_SENTENCES
    ]
    own = [(prefix, rule, base) for prefix, rule, base in own if rule and base]
    if own:
        add(
            "kind_majorities",
            N_("%(sentences)s Other motions need the general majority."),
            sentences=" ".join(
                gettext(KIND_MAJORITY_SENTENCES[prefix], majority=majority_phrase(rule, base, gettext))
                for prefix, rule, base in own
            ),
        )
    add(
        "rule_changes",
        N_(
            "A new version of these rules proposed by the committee is a draft, not in force, until the council "
            "adopts it by a motion under the rules in force. A version that changes the quorum or any majority "
            "rule needs a %(majority)s to be adopted."
        ),
        majority=majority_phrase(rules.entrenched_majority_rule, rules.entrenched_majority_base, gettext),
    )
    if rules.rule_change_needs_residents:
        add(
            "rule_change_residents",
            N_(
                "A new version the council adopts then goes to the residents in a yes/no vote. It comes into "
                "force only if they approve it by the residents' majority, with the minimum turnout of resident "
                "votes; otherwise it is not approved and these rules stay in force."
            ),
        )
    if TieRule(rules.tie_rule) == TieRule.CHAIR_DECIDES:
        add(
            "ties",
            N_(
                "The presiding chair does not vote in the round; when an even split of yes and no is "
                "all that decides a vote, the chair's one deciding vote settles it."
            ),
        )
    else:
        add("ties", N_("An even split of yes and no is not a majority: the motion fails."))
    if rules.secret_ballot:
        add("method", N_("Council votes are secret: only the numbers of yes, no and abstain are kept."))
    else:
        add(
            "method",
            N_(
                "Council votes are by roll call: each member's vote is recorded by name, unless the "
                "chair calls a secret ballot for a vote (the minutes say so)."
            ),
        )
    add(
        "resident_majority",
        N_(
            "In a residents' vote of yes or no on each project, the council's majority does "
            "not apply: %(sentence)s An even split fails."
        ),
        sentence=gettext(
            RESIDENT_MAJORITY_SENTENCES[MajorityRule(rules.resident_majority_rule)],
            base=gettext(RESIDENT_BASE_NOUNS[Base(rules.resident_majority_base)]),
        ),
    )
    add(
        "turnout",
        N_(
            "A resident vote of any kind is valid only with a turnout of at least %(percent)s%% of the "
            "residents (or households) eligible when voting opened; residents verified later vote in the "
            "next round. Below it, the round is published as not valid and no project is approved."
        ),
        percent=rules.min_turnout_percent,
    )
    add(
        "satisfaction",
        N_(
            "A finished micro-matter needs at least %(percent)s%% satisfied residents to be "
            "closed; otherwise it goes to rectification."
        ),
        percent=rules.satisfaction_threshold_percent,
    )
    add(
        "early_close",
        N_("A rating window may be ended before its date only once at least %(count)s residents have rated."),
        count=rules.early_close_min_ratings,
    )
    add(
        "on_behalf",
        N_(
            "A grid worker or committee member may record at most %(count)s proposals, supports, comments or "
            "ratings per day on behalf of residents without a phone (代录), each with the resident's agreement."
        ),
        count=rules.on_behalf_daily_cap,
    )
    if rules.proxy_rule == ProxyRule.QUORUM:
        add(
            "proxy",
            N_(
                "A member who cannot attend may give one written proxy to another member; it counts the member "
                "as present for the quorum, but the holder does not vote for them."
            ),
        )
    elif rules.proxy_rule == ProxyRule.VOTES:
        add(
            "proxy",
            N_(
                "A member who cannot attend may give one written proxy to another member; it counts the member "
                "as present for the quorum and the holder casts the member's vote. A member holds at most one proxy."
            ),
        )
    else:
        add("proxy", N_("Members vote in person only: written proxies are not allowed."))
    if rules.speaking_overrun == SpeakingOverrun.RECORD:
        add(
            "speaking",
            N_("A speaker may finish after the time is up; the overrun and its length are recorded in the minutes."),
        )
    else:
        add("speaking", N_("When a speaker's time is up, the chair's console ends the turn."))
    if rules.minutes_comment_days:
        add(
            "minutes_comments",
            N_(
                "Draft minutes go to the members for comments for %(days)s days before the chair locks them; "
                "comments and the chair's answers stay with the minutes."
            ),
            days=rules.minutes_comment_days,
        )
    if rules.convention_approval == ConventionApproval.ROUND:
        add(
            "convention",
            N_("Amendments of the residents' convention adopted by the council go to a yes/no resident vote."),
        )
    else:
        add(
            "convention",
            N_(
                "Amendments of the residents' convention adopted by the council go to a residents' assembly; its "
                "counts take effect once a second committee member or the council chair confirms them."
            ),
        )
    if rules.objection_days:
        add(
            "notices",
            N_(
                "A notice (公示) stays open for objections for at least %(days)s days; work on the "
                "micro-matters it covers starts only after that period ends."
            ),
            days=rules.objection_days,
        )
    else:
        add("notices", N_("The rules set no objection period: work may start as soon as a notice is published."))
    return out
