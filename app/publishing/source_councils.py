"""Decision notices (决议公示): the result of a council motion vote, with the rules it applied."""

from sqlalchemy import select

from app.core import clock
from app.core.i18n import N_
from app.core.urls import path_for
from app.councils.models import AgendaItem, Meeting, MeetingItem, Motion, MotionKind, VoteMode, VoteResult
from app.rules.majority import Base
from app.rules.phrases import MAJORITY_NAMES

from .models import NoticeKind
from .sources import Publication, Source, msg, row, typed

# The notice's own wording (its catalog), so a printed notice never shows an untranslated label.
MOTIONS = {
    MotionKind.APPROVE: N_("Approve, with a budget"),
    MotionKind.REJECT: N_("Reject"),
    MotionKind.REFER_TO_VOTE: N_("Refer to a resident vote"),
}
MODES = {
    VoteMode.NAMED: N_("Roll call (named votes)"),
    VoteMode.SECRET: N_("Secret ballot"),
    VoteMode.ANALOG: N_("Counted in the room"),
}
BASES = {
    Base.YES_NO: N_("Yes and no votes"),
    Base.YES_NO_ABSTAIN: N_("All votes cast, abstentions included"),
    Base.PRESENT: N_("Members present"),
    Base.ALL_MEMBERS: N_("All council members"),
}
PASSED_SUMMARY = {
    MotionKind.APPROVE: N_(
        "The resident council approved “%(title)s” with a budget of %(budget)s: "
        "%(yes)s yes, %(no)s no, %(abstain)s abstentions."
    ),
    MotionKind.REJECT: N_(
        "The resident council rejected “%(title)s”: %(yes)s yes, %(no)s no, %(abstain)s abstentions."
    ),
    MotionKind.REFER_TO_VOTE: N_(
        "The resident council referred “%(title)s” to a resident vote: %(yes)s yes, %(no)s no, %(abstain)s abstentions."
    ),
}
FAILED_SUMMARY = N_(
    "The motion “%(motion)s” on “%(title)s” did not pass: %(yes)s yes, %(no)s no, %(abstain)s abstentions."
)


def _decided(community):
    return (
        select(Motion)
        .join(VoteResult, VoteResult.motion_id == Motion.id)
        .join(Meeting, Meeting.id == VoteResult.meeting_id)
        .join(MeetingItem, MeetingItem.id == Motion.meeting_item_id)
        .join(AgendaItem, AgendaItem.id == MeetingItem.agenda_item_id)
        # Decisions on micro-matters; a convention's amendment is published with its version.
        .where(Meeting.community_id == community.id, AgendaItem.matter_id.is_not(None))
    )


def _label(motion):
    return (
        f"{motion.item.matter.title} · {motion.item.meeting.title} ({clock.local_date(motion.vote.result.decided_at)})"
    )


def describe(motion):
    result = motion.vote.result
    meeting = motion.item.meeting
    matter = motion.item.matter
    counts = {"yes": result.yes, "no": result.no, "abstain": result.abstain}
    if result.passed:
        summary = msg(PASSED_SUMMARY[motion.kind], title=matter.title, budget=typed(motion.budget, "money"), **counts)
    else:
        summary = msg(FAILED_SUMMARY, motion=typed(MOTIONS[motion.kind], "msgid"), title=matter.title, **counts)
    rows = [
        row(N_("Micro-matter"), matter.title),
        row(N_("Meeting"), meeting.title),
        row(N_("Decided on"), clock.local_date(result.decided_at).isoformat(), "date"),
        row(N_("Motion"), MOTIONS.get(motion.kind, motion.kind), "msgid"),
    ]
    if motion.kind == MotionKind.APPROVE:
        rows.append(row(N_("Budget"), motion.budget, "money"))
    if motion.text:
        rows.append(row(N_("Wording of the motion"), motion.text))
    rows += [
        row(N_("Voting"), MODES.get(result.mode, result.mode), "msgid"),
        row(N_("Yes"), result.yes, "int"),
        row(N_("No"), result.no, "int"),
        row(N_("Abstain"), result.abstain, "int"),
        row(N_("Did not vote"), result.not_voted, "int"),
        row(
            N_("Quorum"),
            msg(
                N_("%(present)s of %(members)s council members present; %(needed)s needed"),
                present=result.present,
                members=result.members,
                needed=result.quorum_needed,
            ),
            "msgid",
        ),
        row(N_("Majority rule"), MAJORITY_NAMES.get(result.majority_rule, result.majority_rule), "msgid"),
        row(
            N_("Counted against"),
            msg(
                N_("%(base)s: %(n)s"), base=typed(BASES.get(result.base_kind, result.base_kind), "msgid"), n=result.base
            ),
            "msgid",
        ),
        row(N_("Yes votes needed"), result.needed, "int"),
    ]
    if result.tie:
        if result.casting_vote is None:
            rows.append(row(N_("Tie"), N_("An even split: the motion is not passed."), "msgid"))
        else:
            rows.append(
                row(
                    N_("Tie"),
                    N_("An even split, settled by the chair's casting vote: yes.")
                    if result.casting_vote
                    else N_("An even split, settled by the chair's casting vote: no."),
                    "msgid",
                )
            )
    rows += [
        row(N_("Result"), N_("Passed") if result.passed else N_("Not passed"), "msgid"),
        row(N_("Consultation rules version"), result.ruleset_version, "int"),
    ]
    title = msg(N_("Council decision: %(title)s"), title=matter.title)
    return Publication(
        title=title,
        facts={"summary": summary, "rows": rows},
        record_path=path_for("councils.minutes", slug=meeting.community.slug, meeting_id=meeting.id),
        matters=[matter],
    )


SOURCE = Source(NoticeKind.DECISION, Motion, _decided, VoteResult.decided_at, _label, describe)
