"""Rows of the councils, voting and tracker features, made the way their services leave them:
a held meeting with a named vote and locked minutes, a counted voting round with receipts,
an implementation record with milestones, spending and ratings. Used by the API and the
notice tests (publishing only reads these features)."""

import secrets
from datetime import date, timedelta
from types import SimpleNamespace

from app.core.clock import utcnow
from app.core.secrecy import random_row_id
from app.councils.minutes_record import build_content
from app.councils.models import (
    AgendaItem,
    Attendance,
    Ballot,
    Meeting,
    MeetingItem,
    Minutes,
    Motion,
    MotionVote,
    Seconding,
    VoteResult,
)
from app.extensions import db
from app.rules.services import current_ruleset
from app.tracker.models import (
    Evaluation,
    EvaluationWindow,
    ImplementationRecord,
    Milestone,
    SpendingEntry,
)
from app.voting.models import RoundBallot, RoundOption, RoundParticipation, RoundResult, VotingRound


def held_meeting(community, matter, chair, secretary, members, committee, *, passed=True, lock=True, budget=8000):
    """A closed meeting that voted on an approval motion for `matter` (named votes)."""
    ruleset = current_ruleset(community)
    start = utcnow() - timedelta(days=10)
    meeting = Meeting(
        community_id=community.id,
        title="2026年第三次居民议事会",
        starts_at=start,
        place="社区活动中心",
        status="closed",
        ruleset_id=ruleset.id,
        chair_id=chair.id,
        secretary_id=secretary.id,
        checkin_token=secrets.token_hex(8),
        opened_at=start,
        opened_present=len(members),
        opened_members=len(members),
        opened_quorum_needed=len(members) // 2 + 1,
        closed_at=start + timedelta(hours=2),
        created_by_id=committee.id,
    )
    db.session.add(meeting)
    agenda = AgendaItem(community_id=community.id, matter_id=matter.id, position=1, added_by_id=committee.id)
    db.session.add(agenda)
    db.session.flush()
    item = MeetingItem(
        meeting_id=meeting.id,
        agenda_item_id=agenda.id,
        position=1,
        status="decided",
        outcome="approve" if passed else None,
        opened_at=start,
        closed_at=start + timedelta(hours=1),
    )
    db.session.add(item)
    for member in members:
        db.session.add(
            Attendance(
                meeting_id=meeting.id, user_id=member.id, method="self", recorded_by_id=member.id, checked_in_at=start
            )
        )
    db.session.flush()
    motion = Motion(
        meeting_item_id=item.id,
        mover_id=members[0].id,
        kind="approve",
        budget=budget,
        text="同意实施，预算8000元。",
        seconders_needed=1,
        status="passed" if passed else "failed",
        moved_at=start,
        decided_at=start + timedelta(minutes=30),
    )
    db.session.add(motion)
    db.session.flush()
    db.session.add(Seconding(motion_id=motion.id, user_id=members[1].id, at=start))
    vote = MotionVote(
        motion_id=motion.id,
        meeting_id=meeting.id,
        ruleset_id=ruleset.id,
        mode="named",
        is_open=False,
        entitled=[m.id for m in members],
        members_count=len(members),
        quorum_needed=len(members) // 2 + 1,
        opened_by_id=chair.id,
        opened_at=start,
        closed_by_id=chair.id,
        closed_at=start + timedelta(minutes=30),
    )
    db.session.add(vote)
    db.session.flush()
    yes = len(members) - 1 if passed else 1
    for i, member in enumerate(members):
        db.session.add(
            Ballot(
                vote_id=vote.id,
                user_id=member.id,
                choice="yes" if i < yes else "no",
                recorded_by_id=member.id,
                cast_at=start,
            )
        )
    db.session.add(
        VoteResult(
            vote_id=vote.id,
            motion_id=motion.id,
            meeting_id=meeting.id,
            mode="named",
            yes=yes,
            no=len(members) - yes,
            abstain=0,
            not_voted=0,
            present=len(members),
            members=len(members),
            entitled=[m.id for m in members],
            majority_rule="simple",
            base_kind="present",
            base=len(members),
            needed=len(members) // 2 + 1,
            tie_rule="fails",
            tie=False,
            casting_vote=None,
            passed=passed,
            quorum_numerator=1,
            quorum_denominator=2,
            quorum_strict=True,
            quorum_needed=len(members) // 2 + 1,
            quorum_met=True,
            ruleset_id=ruleset.id,
            ruleset_version=ruleset.version,
            decided_by_id=chair.id,
            decided_at=start + timedelta(minutes=30),
        )
    )
    db.session.flush()
    minutes = Minutes(
        meeting_id=meeting.id, notes="会议按时召开。", notes_html="<p>会议按时召开。</p>", created_by_id=secretary.id
    )
    db.session.add(minutes)
    db.session.flush()
    if lock:
        minutes.content = build_content(meeting)
        minutes.locked_at = start + timedelta(days=1)
        minutes.locked_by_id = chair.id
    db.session.commit()
    return SimpleNamespace(meeting=meeting, motion=motion, vote=vote, minutes=minutes, agenda=agenda)


def counted_round(community, matters, voters, committee, *, counted=True, title="2026年度微实事居民投票"):
    """An approval round over `matters`: one ballot per voter, counted (greedy) unless told otherwise."""
    ruleset = current_ruleset(community)
    now = utcnow()
    voting_round = VotingRound(
        community_id=community.id,
        title=title,
        description="",
        method="approval",
        allocation="greedy",
        max_choices=2,
        budget=20000,
        opens_at=now - timedelta(days=10 if counted else 1),
        closes_at=now - timedelta(days=1) if counted else now + timedelta(days=5),
        ruleset_id=ruleset.id,
        created_by_id=committee.id,
    )
    db.session.add(voting_round)
    db.session.flush()
    for number, matter in enumerate(matters, start=1):
        db.session.add(
            RoundOption(
                round_id=voting_round.id,
                number=number,
                matter_id=matter.id,
                title=matter.title,
                cost=matter.estimated_cost,
            )
        )
    ballots = []
    for i, voter in enumerate(voters):
        choices = [1] if i % 2 else [1, 2]
        ballot = RoundBallot(id=random_row_id(), round_id=voting_round.id, channel="online", choices=choices)
        db.session.add(ballot)
        db.session.flush()
        # The register row; its link to the box is cut once the round is counted (sealed).
        db.session.add(
            RoundParticipation(
                round_id=voting_round.id,
                voter_key=f"u:{voter.id}",
                user_id=voter.id,
                channel="online",
                receipt_code=secrets.token_hex(6).upper(),
                ballot_id=None if counted else ballot.id,
            )
        )
        ballots.append(ballot)
    db.session.flush()
    if counted:
        votes = {"1": len(voters), "2": sum(1 for i in range(len(voters)) if not i % 2)}
        db.session.add(
            RoundResult(
                round_id=voting_round.id,
                ruleset_id=ruleset.id,
                ruleset_version=ruleset.version,
                counted_by_id=committee.id,
                electorate=10,
                ballots_counted=len(voters),
                online_ballots=len(voters),
                paper_ballots=0,
                marked_online=len(voters),
                marked_in_person=0,
                votes=votes,
                no_votes={},
                abstentions={},
                winners=[1],
                total_cost=matters[0].estimated_cost,
                explanation={},
                published_sha256="ab" * 32,
            )
        )
    db.session.commit()
    return SimpleNamespace(round=voting_round, ballots=ballots)


def implementation(community, matter, committee, raters, *, accepted=True):
    record = ImplementationRecord(
        community_id=community.id,
        matter_id=matter.id,
        state="evaluation" if accepted else "in_progress",
        approved_budget=8000,
        responsible_unit="杏林物业工程部",
        contact="13700001111",
        progress_percent=100,
        decided_by="meeting",
        planned_start=date.today() - timedelta(days=30),
        planned_end=date.today() - timedelta(days=2),
        accepted_on=date.today() - timedelta(days=1) if accepted else None,
        acceptance_note="居委会验收" if accepted else "",
    )
    db.session.add(record)
    db.session.flush()
    db.session.add(
        Milestone(
            record_id=record.id,
            title="安装扶手",
            planned_date=date.today() - timedelta(days=5),
            done_on=date.today() - timedelta(days=4),
            note="完成",
            created_by_id=committee.id,
        )
    )
    db.session.add(
        SpendingEntry(
            record_id=record.id,
            amount=7600,
            spent_on=date.today() - timedelta(days=4),
            purpose="扶手材料与安装",
            recorded_by_id=committee.id,
        )
    )
    if accepted:
        window = EvaluationWindow(
            record_id=record.id,
            number=1,
            opens_at=utcnow() - timedelta(days=1),
            closes_at=utcnow() + timedelta(days=6),
            threshold_percent=60,
            opened_by_id=committee.id,
        )
        db.session.add(window)
        db.session.flush()
        for i, rater in enumerate(raters):
            db.session.add(
                Evaluation(
                    window_id=window.id,
                    record_id=record.id,
                    user_id=rater.id,
                    stars=5 - i % 3,
                    comment="扶手很结实。" if i == 0 else "",
                    relation="proposer" if i == 0 else "resident",
                )
            )
    db.session.commit()
    return record
