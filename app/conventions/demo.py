"""Demo step (after the councils): the 居民公约 of the demo community in 8 articles; one amendment
proposed, supported, admitted, adopted by the council in a meeting ten days ago and approved by
the residents' assembly (its counts entered by the committee, confirmed by the chair), which made
version 2; and one amendment still collecting supports.

Everything goes through the services with the clock shifted into the past, as in councils.demo.
Uses context["community"], ["committee"], ["chair"], ["council"] (chair first), ["residents"]."""

from datetime import date, timedelta

from app.core import clock
from app.councils import meetings as meeting_services
from app.councils import minutes, votes
from app.councils import speakers as speaker_services
from app.councils.demo import local_evening, opened_meeting
from app.matters.services.supports import support_threshold

from . import amendments, residents_assembly, services

ARTICLES = [
    "热爱祖国，遵守法律法规，维护社区安定团结，积极参与社区公共事务。",
    "邻里之间互相尊重、互谅互让，发生矛盾先协商，协商不成可请社区调解委员会调解。",
    "爱护公共设施和绿化，不在楼道、消防通道堆放杂物，不私搭乱建。",
    "自觉做好垃圾分类，按时定点投放，不乱扔垃圾、不高空抛物。",
    "文明养犬，出门牵绳并及时清理犬只粪便，按规定办理养犬登记。",
    "电动自行车在集中充电点停放充电，不进楼入户、不飞线充电。",
    "尊老爱幼，关心独居老人、残疾人和困难家庭，积极参加志愿服务。",
    "晚十点至早六点不在室内外制造噪声，装修施工遵守规定时间。",
]
AMENDED = "每日晚十点至次日早七点、午间十二点至一点半不在室内外制造噪声，装修施工遵守规定时间并提前告知邻居。"
PENDING = "公共区域新增的设施，由居民议事会听取居民意见后提出维护方案，维护情况每半年在公示栏公布一次。"


def _supported(amendment, residents, count):
    for supporter in residents[:count]:
        if supporter.id != amendment.proposer_id:
            amendments.support(supporter, amendment)


def _council_adopts(context, amendment):
    """A special meeting ten days ago adopts the amendment by a named vote."""
    committee, chair = context["committee"], context["chair"]
    start = local_evening(clock.now() - timedelta(days=10))
    meeting, members, at = opened_meeting(context, "居民公约修订专题议事会", start, [amendment.agenda_item_id], 10)
    item = meeting.items[0]
    m1, m2, m3, m4, m5, m6 = members[:6]
    with at(2):
        meeting_services.open_item(chair, meeting, item)
        motion = votes.move_motion(m1, meeting, item, "adopt", None, "采纳修订：明确午休时段并要求装修提前告知")
        for seconder in (m2, m4)[: meeting.ruleset.seconders_needed]:
            votes.second_motion(seconder, meeting, motion)
    with at(4):
        speaker_services.ask_to_speak(m3, meeting, item, "pro")
        speaker_services.ask_to_speak(m5, meeting, item, "contra")
        speaker_services.next_speaker(chair, meeting, item)
    with at(6):
        speaker_services.next_speaker(chair, meeting, item)
    with at(8):
        speaker_services.end_turn(chair, meeting, item)
        vote = votes.open_vote(chair, meeting, motion, "named")
        for user, choice in {m1: "yes", m2: "yes", m3: "yes", m4: "yes", m5: "no", m6: "yes"}.items():
            votes.cast_vote(user, meeting, vote, choice)
    with at(9):
        votes.close_vote(chair, meeting, vote)
    with at(12):
        meeting_services.close_meeting(chair, meeting)
    draft = minutes.original(meeting)
    lock_at = start + timedelta(days=1)
    if meeting.ruleset.minutes_comment_days:  # the members have the draft for the days the rules give
        with at(30):
            minutes.send_for_comments(committee, draft)
        lock_at = draft.comments_until + timedelta(hours=1)
    with clock.shifted_to(lock_at):
        minutes.lock(chair, draft)
    return meeting


def load(context):
    community, committee = context["community"], context["committee"]
    residents = context["residents"]
    with clock.shifted(-timedelta(days=60)):
        convention = services.establish(
            committee,
            community,
            articles="\n".join(ARTICLES),
            adopted_on=date(2024, 1, 15),
            note="2024年1月15日杏林社区居民会议通过",
        )
    with clock.shifted(-timedelta(days=25)):
        amendment = amendments.propose(
            residents[3],
            convention,
            article_number=8,
            kind="change",
            text=AMENDED,
            reasons="不少老人和上夜班的居民午间需要休息；装修提前告知能减少邻里矛盾。",
        )
    with clock.shifted(-timedelta(days=22)):
        _supported(amendment, residents[10:], support_threshold(community))
    with clock.shifted(-timedelta(days=18)):
        amendments.admit(committee, amendment)
    _council_adopts(context, amendment)
    with clock.shifted(-timedelta(days=3)):
        entry = residents_assembly.enter_assembly(
            committee,
            convention,
            held_on=clock.local_today(),
            place="杏林社区文化广场",
            present=186,
            yes=161,
            no=14,
            abstain=11,
        )
    with clock.shifted(-timedelta(days=3, hours=-2)):
        residents_assembly.confirm_assembly(context["chair"], entry)  # the second person: the council's chair
    with clock.shifted(-timedelta(days=2)):
        pending = amendments.propose(
            residents[7],
            convention,
            article_number=3,
            kind="insert",
            text=PENDING,
            reasons="新装的扶手、座椅坏了没人管，建议写进公约，明确由议事会牵头商量维护办法。",
        )
        _supported(pending, residents[40:], 3)
    context["convention"] = convention
