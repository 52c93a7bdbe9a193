"""Demo step (after the tracker): two partners and a volunteer team, residents who volunteer,
and delivery tasks on the demo's matters: past tasks on delivered ones with confirmed hours,
upcoming ones on matters still in progress. Everything goes through the services."""

from datetime import datetime, time, timedelta

from app.core import clock
from app.tracker.models import RecordState

from . import delivery_tasks, services

PARTNERS = [
    (
        "social_organisation",
        "姑苏区阳光社工服务社",
        "为老服务、邻里互助和社区活动策划，派驻社工两名。",
        "张老师 139 0000 1111",
    ),
    (
        "volunteer_team",
        "杏林社区志愿者服务队",
        "由社区居民组成，承担搬运、陪伴和日常维护。",
        "队长 刘师傅 138 0000 2222",
    ),
    (
        "charity_fund",
        "杏林社区慈善基金",
        "社区基金，为微实事提供配套资金，接受居民和辖区单位捐赠。",
        "基金管理人 王会计 0512-6500 0000",
    ),
]
DELIVERED = (RecordState.COMPLETED, RecordState.EVALUATION, RecordState.RECTIFICATION, RecordState.CLOSED)
PAST_TASKS = [("搬运座椅", 4, "2"), ("陪同老人试用", 3, "1.5")]
UPCOMING_TASKS = [("日常维护", 3, "2"), ("施工期间引导居民绕行", 2, "3")]


def load(context):
    community, committee, residents = context["community"], context["committee"], context["residents"]
    partners = [
        services.save_partner(committee, community, kind=kind, name=name, description=text, contact=contact)
        for kind, name, text, contact in PARTNERS
    ]
    team = partners[1]
    volunteers = residents[:12]
    for index, person in enumerate(volunteers):
        services.save_volunteer(
            person,
            community,
            skills=["搬运", "陪伴老人", "简单维修", "摄影记录"][index % 4],
            availability=["周末", "工作日晚上", "随时"][index % 3],
            show_name=index % 3 == 0,
        )
    records = context.get("tracker_records") or []
    delivered = [r for r in records if r.state in DELIVERED][:3]
    for number, record in enumerate(delivered):
        _past_tasks(record, committee, volunteers[number * 4 : number * 4 + 4], team)
    for record in [r for r in records if r.state == RecordState.IN_PROGRESS][:2]:
        _upcoming_task(record, committee, volunteers[8:10], partners[0])


def _past_tasks(record, committee, volunteers, team):
    """Tasks a few days before the acceptance, signed up and confirmed then; hours logged now."""
    day = (record.accepted_on or clock.local_today()) - timedelta(days=3)
    with clock.shifted_to(clock.to_utc(datetime.combine(day - timedelta(days=5), time(9)))):
        tasks = [
            delivery_tasks.add_task(
                committee, record.matter, title=title, people_needed=people, task_date=day, hours=hours
            )
            for title, people, hours in PAST_TASKS
        ]
        delivery_tasks.sign_up_partner(committee, tasks[0], partner_id=team.id, people=1)
        signups = []
        for index, person in enumerate(volunteers):
            task = tasks[index % 2]
            signup = delivery_tasks.sign_up(person, task)
            delivery_tasks.decide_signup(committee, task, signup.id, confirm=True)
            signups.append((task, signup))
    for task, signup in signups:
        delivery_tasks.log_hours(committee, task, signup.id, hours=PAST_TASKS[tasks.index(task)][2])


def _upcoming_task(record, committee, volunteers, partner):
    title, people, hours = UPCOMING_TASKS[record.id % 2]
    task = delivery_tasks.add_task(
        committee,
        record.matter,
        title=title,
        people_needed=people,
        task_date=clock.local_today() + timedelta(days=7),
        hours=hours,
    )
    delivery_tasks.sign_up_partner(committee, task, partner_id=partner.id, people=1)
    delivery_tasks.sign_up(volunteers[0], task)  # waiting for the committee's confirmation
