"""Demo notices: the held meeting's decision, the counted round's results (with one objection,
answered) and an acceptance, for whatever the earlier demo steps created (read from the database)."""

from datetime import timedelta

from flask_babel import force_locale

from app.core import clock
from app.councils.models import Motion

from . import objections, services
from .models import NoticeKind

PREFACES = {
    NoticeKind.DECISION: "根据《杏林社区居民议事规则》，现将居民议事会表决结果予以公示。公示期内如有异议，"
    "请在线提出或到社区居委会反映。",
    NoticeKind.ROUND: "本年度民生微实事项目由居民投票选出，现将计票结果公示。全部匿名选票及回执码已公开，"
    "任何人均可下载核对。",
    NoticeKind.ACCEPTANCE: "项目已完成并经居委会、居民代表和施工方共同验收，现予公示，欢迎居民监督。",
}
OBJECTION = "我投票时选了两个项目，回执码能查到，但第二个项目的票数看起来比我预想的少，请核实纸质票是否都录入了。"
ANSWER = (
    "已复核：纸质选票共录入系统的张数与现场登记的线下投票人数一致，逐张核对无误。全部选票（含回执码）"
    "已在结果页公开，可下载后自行复算。感谢监督。"
)


def _decision_ref(community):
    """Prefer a passed motion (the held meeting's decision)."""
    choices = [ref for ref, _label in services.candidates(community).get(NoticeKind.DECISION, [])]
    from app.extensions import db

    passed = [ref for ref in choices if db.session.get(Motion, ref).vote.result.passed]
    return (passed or choices or [None])[0]


def _first(community, kind):
    choices = services.candidates(community).get(kind, [])
    return choices[0][0] if choices else None


def load(context):
    community, committee = context["community"], context["committee"]
    residents = context.get("residents", [])
    today = clock.local_today()
    notices = {}
    with force_locale("zh_Hans"):
        refs = {
            NoticeKind.DECISION: _decision_ref(community),
            NoticeKind.ROUND: _first(community, NoticeKind.ROUND),
            NoticeKind.ACCEPTANCE: _first(community, NoticeKind.ACCEPTANCE),
        }
        for kind, ref in refs.items():
            if ref is None:
                continue
            notices[kind] = services.publish_notice(
                committee,
                community,
                kind,
                ref,
                preface=PREFACES[kind],
                period_start=today,
                period_end=today + timedelta(days=7 if kind != NoticeKind.ACCEPTANCE else 5),
            )
        if NoticeKind.ROUND in notices and len(residents) > 12:
            notice = notices[NoticeKind.ROUND]
            objection = objections.lodge_objection(residents[12], notice, OBJECTION)
            objections.answer_objection(committee, notice, objection.id, ANSWER)
    context["notices"] = notices
