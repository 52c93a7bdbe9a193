"""A community's yearly figures and the street's exceptions, against records built here: what
falls in the year counts, what falls outside it does not; each exception rule fires and stops."""

import secrets
from datetime import date, datetime, timedelta

import pytest
from sqlalchemy import select

from app.core import clock
from app.councils.models import AgendaItem, Meeting, MeetingItem, Motion
from app.extensions import db
from app.fund.models import FundEntry
from app.matters.models import MicroMatter, Support
from app.partners.models import DeliveryTask, Partner, TaskSignup, Volunteer
from app.publishing.models import Notice, Objection
from app.rules.models import RuleSet
from app.streets import exceptions, figures
from app.tracker.models import Evaluation, EvaluationWindow, ImplementationRecord, Milestone, Rectification
from app.voting.models import RoundResult, VotingRound

YEAR = 2025


def at(month, day, year=YEAR):
    return clock.to_utc(datetime(year, month, day, 10))


def add(*rows):
    db.session.add_all(rows)
    db.session.flush()
    return rows[0] if len(rows) == 1 else rows


@pytest.fixture
def build(community, committee, resident):
    ruleset = db.session.scalar(select(RuleSet).where(RuleSet.community_id == community.id))

    class Build:
        def matter(self, submitted, status="on_agenda", cost=10_000):
            return add(
                MicroMatter(
                    community_id=community.id,
                    proposer_id=resident.id,
                    title=f"事项{secrets.token_hex(2)}",
                    description="d",
                    description_html="<p>d</p>",
                    category="facilities",
                    location="1栋",
                    estimated_cost=cost,
                    project_type="works",
                    status=status,
                    submitted_at=submitted,
                )
            )

        def meeting(self, starts, status="closed", decided=None, motion_status="passed"):
            meeting = add(
                Meeting(
                    community_id=community.id,
                    title="议事会",
                    starts_at=starts,
                    place="活动室",
                    status=status,
                    ruleset_id=ruleset.id,
                    chair_id=committee.id,
                    secretary_id=committee.id,
                    checkin_token=secrets.token_hex(8),
                    created_by_id=committee.id,
                )
            )
            if decided:
                matter = self.matter(starts - timedelta(days=30))
                item = add(AgendaItem(community_id=community.id, matter_id=matter.id, position=1))
                meeting_item = add(MeetingItem(meeting_id=meeting.id, agenda_item_id=item.id, position=1))
                add(
                    Motion(
                        meeting_item_id=meeting_item.id,
                        mover_id=committee.id,
                        kind="approve",
                        seconders_needed=1,
                        status=motion_status,
                        moved_at=decided,
                        decided_at=decided,
                    )
                )
            return meeting

        def round(self, closes, ballots, electorate, valid=True):
            voting_round = add(
                VotingRound(
                    community_id=community.id,
                    title="居民表决",
                    method="yes_no",
                    budget=10_000,
                    opens_at=closes - timedelta(days=7),
                    closes_at=closes,
                    ruleset_id=ruleset.id,
                )
            )
            add(
                RoundResult(
                    round_id=voting_round.id,
                    ruleset_id=ruleset.id,
                    ruleset_version=1,
                    electorate=electorate,
                    ballots_counted=ballots,
                    online_ballots=ballots,
                    paper_ballots=0,
                    marked_online=ballots,
                    marked_in_person=0,
                    votes={},
                    winners=[],
                    total_cost=0,
                    published_sha256="0" * 64,
                    valid=valid,
                )
            )
            return voting_round

        def record(self, state="in_progress", planned_end=None, accepted_on=None, budget=10_000):
            matter = self.matter(at(1, 5), status="implementing")
            return add(
                ImplementationRecord(
                    community_id=community.id,
                    matter_id=matter.id,
                    state=state,
                    approved_budget=budget,
                    planned_end=planned_end,
                    accepted_on=accepted_on,
                )
            )

        def window(self, record, stars, closes, threshold=60):
            window = add(
                EvaluationWindow(
                    record_id=record.id,
                    number=1,
                    opens_at=closes - timedelta(days=14),
                    closes_at=closes,
                    threshold_percent=threshold,
                )
            )
            for n, value in enumerate(stars):
                user = make_user(n)
                add(
                    Evaluation(
                        window_id=window.id,
                        record_id=record.id,
                        user_id=user.id,
                        stars=value,
                        created_at=closes - timedelta(days=1),
                    )
                )
            return window

    users = []

    def make_user(n):
        from app.auth.models import User

        while len(users) <= n:
            users.append(add(User(username=f"rater{len(users)}", display_name="r", password_hash="x")))
        return users[n]

    return Build()


def test_community_year_figures_count_what_happened_in_the_year(community, committee, resident, build):
    this = build.matter(at(3, 1))
    build.matter(at(12, 31, YEAR - 1))  # the year before
    add(Support(matter_id=this.id, user_id=committee.id, created_at=at(3, 2)))
    build.meeting(at(4, 1), decided=at(4, 1))
    build.meeting(at(6, 1), decided=at(6, 1), motion_status="failed")
    build.meeting(at(7, 1), status="scheduled")  # not held
    build.meeting(at(5, 1, YEAR - 1), decided=at(5, 1, YEAR - 1))
    build.round(at(5, 10), ballots=20, electorate=100)
    build.round(at(8, 10), ballots=5, electorate=100, valid=False)
    on_time = build.record(state="closed", planned_end=date(YEAR, 6, 30), accepted_on=date(YEAR, 6, 1))
    late = build.record(state="completed", planned_end=date(YEAR, 6, 30), accepted_on=date(YEAR, 7, 15))
    build.record(state="completed", planned_end=date(YEAR - 1, 6, 30), accepted_on=date(YEAR - 1, 7, 15))
    build.window(on_time, [5, 5, 4, 2], at(7, 1))
    add(Rectification(record_id=late.id, reason="返工", opened_at=at(9, 1)))
    add(
        FundEntry(
            community_id=community.id,
            year=YEAR,
            kind="source",
            source_kind="allocation",
            amount=50_000,
            entry_date=date(YEAR, 1, 5),
        )
    )
    add(
        FundEntry(
            community_id=community.id,
            year=YEAR,
            kind="commitment",
            amount=10_000,
            matter_id=on_time.matter_id,
            entry_date=date(YEAR, 4, 1),
        )
    )
    add(
        FundEntry(
            community_id=community.id,
            year=YEAR,
            kind="payment",
            amount=8_000,
            matter_id=on_time.matter_id,
            entry_date=date(YEAR, 6, 1),
        )
    )
    add(
        FundEntry(
            community_id=community.id,
            year=YEAR,
            kind="source",
            source_kind="charity",
            donor="杏林社区基金",
            amount=6_000,
            entry_date=date(YEAR, 2, 1),
        )
    )
    partner = add(Partner(community_id=community.id, kind="social_organisation", name="阳光社工服务社"))
    volunteer = add(Volunteer(community_id=community.id, user_id=resident.id))
    task = add(
        DeliveryTask(
            community_id=community.id,
            record_id=on_time.id,
            title="协助",
            people_needed=2,
            task_date=date(YEAR, 5, 5),
            length_minutes=240,
        )
    )
    add(TaskSignup(task_id=task.id, volunteer_id=volunteer.id, status="confirmed", minutes=150))
    add(TaskSignup(task_id=task.id, partner_id=partner.id, people=3, status="confirmed"))
    db.session.commit()

    row = figures.community_year_figures(community, YEAR)
    # this one, the two decided at the year's meetings and the three with records (proposed in January)
    assert row["matters"] == 6
    assert row["supports"] == 1
    assert (row["meetings"], row["decisions"]) == (2, 2)
    assert (row["rounds"], row["turnout"], row["invalid_rounds"]) == (2, 12.5, 1)
    assert (row["accepted"], row["on_time"]) == (2, 50.0)
    assert (row["ratings"], row["satisfaction"], row["average_stars"]) == (4, 75.0, 4.0)
    assert row["rectifications"] == 1
    assert (row["allocated"], row["committed"], row["spent"]) == (50_000, 10_000, 8_000)
    assert (row["volunteer_minutes"], row["volunteer_hours"]) == (150, 2.5)
    # 五社联动: partners taking part, tasks and the charity money raised, as on the committee's dashboard
    assert (row["partners"], row["tasks"], row["charity"]) == (1, 1, 6_000)
    empty = figures.community_year_figures(community, YEAR + 1)
    assert empty["matters"] == empty["meetings"] == empty["ratings"] == 0 and empty["on_time"] is None


def test_street_rows_withhold_small_satisfaction_and_sort(street, community, other, build):
    record = build.record(state="closed", accepted_on=date(YEAR, 6, 1))
    build.window(record, [5, 4], at(7, 1))
    db.session.commit()
    rows = figures.street_year_figures(street, YEAR, "-ratings")
    assert [r["slug"] for r in rows] == ["xinglin", "lianhua"]
    assert rows[0]["withheld"] and rows[0]["satisfaction"] is None  # 2 ratings: too few to show side by side
    assert figures.totals(rows)["ratings"] == 2
    assert [r["slug"] for r in figures.street_year_figures(street, YEAR, "nonsense")] == sorted(
        [r["slug"] for r in rows], key=lambda s: {"xinglin": community.name, "lianhua": other.name}[s]
    )


def test_exception_rules_fire_and_stop(street, community, other, committee, resident, build):
    now = clock.now()
    today = clock.local_today()
    late = build.record()
    add(Milestone(record_id=late.id, title="施工", planned_date=today - timedelta(days=3)))
    fine = build.record()
    add(Milestone(record_id=fine.id, title="施工", planned_date=today + timedelta(days=3)))
    unhappy = build.record(state="evaluation", accepted_on=today - timedelta(days=40))
    build.window(unhappy, [1, 2, 5], now - timedelta(days=1))
    happy = build.record(state="evaluation", accepted_on=today - timedelta(days=40))
    build.window(happy, [5, 4, 5], now - timedelta(days=1))
    old = build.record(state="rectification")
    add(Rectification(record_id=old.id, reason="返工", opened_at=now - timedelta(days=31)))
    recent = build.record(state="rectification")
    add(Rectification(record_id=recent.id, reason="返工", opened_at=now - timedelta(days=10)))
    notice = add(
        Notice(
            community_id=community.id,
            kind="decision",
            ref_id=1,
            title="公示",
            record_path="/",
            period_start=today,
            period_end=today,
            published_by_id=committee.id,
        )
    )
    waiting = add(Objection(notice_id=notice.id, author_id=resident.id, body="异议"))
    add(Objection(notice_id=notice.id, author_id=committee.id, body="已答复", answer="答复", answered_at=now))
    build.meeting(now - timedelta(days=10))  # community held one lately; `other` never did
    invalid = build.round(now - timedelta(days=5), ballots=1, electorate=100, valid=False)
    db.session.commit()

    found = exceptions.exceptions_of(street.communities, today.year)
    keys = {kind: [e.key for e in items] for kind, items in found.items()}
    assert keys["overdue"] == [f"overdue:record:{late.id}"]
    assert keys["satisfaction"] == [f"satisfaction:window:{unhappy.current_window.id}"]
    assert keys["rectification"] == [f"rectification:{old.rectifications[0].id}"]
    assert keys["objection"] == [f"objection:{waiting.id}"]
    assert keys["meetings"] == [f"meetings:community:{other.id}"]
    assert keys["invalid"] == [f"invalid:round:{invalid.id}"]
    assert keys["paper"] == []
    assert found["overdue"][0].path == f"/c/xinglin/tracker/{late.id}/manage#plan"
    assert found["objection"][0].path.endswith(f"/notices/{notice.id}#objection-{waiting.id}")
    # answered, the objection leaves the list; a response to the verdict likewise
    waiting.answered_at = now
    unhappy.current_window.response_kind = "reason"
    db.session.commit()
    found = exceptions.exceptions_of(street.communities, today.year)
    assert not found["objection"] and not found["satisfaction"]
