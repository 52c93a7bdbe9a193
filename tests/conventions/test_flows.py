"""Amendments through the pages: propose, support, admit, the council's motion, the residents'
assembly and the version it makes; refusals keep the form and write nothing."""

from datetime import timedelta

from sqlalchemy import func, select

from app.audit.models import AuditEntry
from app.conventions.models import Amendment, ConventionVersion, ResidentsAssembly
from app.core import clock
from app.councils import attendance, meetings
from app.extensions import db
from tests.councils.helpers import decide_in_meeting
from tests.helpers import login

BASE = "/c/{slug}/convention"


def url(w, tail=""):
    return BASE.format(slug=w.community.slug) + tail


def propose(client, w, user, **data):
    login(client, user)
    form = {"article_number": 2, "kind": "change", "text": "第二条（修订）", "reasons": "更清楚"} | data
    return client.post(url(w, "/amendments/new"), data=form)


def audit_actions():
    return list(db.session.scalars(select(AuditEntry.action).order_by(AuditEntry.id)))


def council_adopts(w, amendment, kind="adopt", votes_for=3):
    meeting, _motion, result = decide_in_meeting(w, amendment.agenda_item_id, kind, votes_for, title="公约修订议事会")
    return meeting, result


def supported(client, w):
    """Proposed by resident 1, supported by residents 2 and 3: the threshold (2) is reached."""
    assert propose(client, w, w.residents[0]).status_code == 302
    amendment = db.session.scalar(select(Amendment))
    for resident in w.residents[1:3]:
        login(client, resident)
        assert client.post(url(w, f"/amendments/{amendment.id}/support")).status_code == 302
    db.session.refresh(amendment)
    assert amendment.status == "review" and amendment.support_count == 2
    return amendment


def supported_and_admitted(client, w):
    amendment = supported(client, w)
    login(client, w.committee)
    assert client.post(url(w, f"/amendments/{amendment.id}/admit")).status_code == 302
    db.session.refresh(amendment)
    return amendment


def enter_counts(client, w, present=100, yes=70, no=20, abstain=10, by=None):
    """A committee member enters the assembly's counts through the page; the new entry."""
    login(client, by or w.committee)
    data = {"held_on": clock.local_today().isoformat(), "place": "广场", "present": present, "yes": yes, "no": no}
    response = client.post(url(w, "/assembly"), data={**data, "abstain": abstain})
    assert response.status_code == 302, response.get_data(as_text=True)
    return db.session.scalars(select(ResidentsAssembly).order_by(ResidentsAssembly.id.desc())).first()


def confirm_counts(client, w, entry, by=None):
    login(client, by or w.chair)
    return client.post(url(w, f"/assembly/{entry.id}/confirm"), data={"understood": "y"})


def assembly_decides(client, w, **counts):
    """Entered by the committee, confirmed by the chair."""
    entry = enter_counts(client, w, **counts)
    assert confirm_counts(client, w, entry).status_code == 302
    return entry


def test_the_whole_revision(client, world):
    w = world
    page = client.get(url(w)).get_data(as_text=True)
    assert "居民公约" in page and "第四条" in page  # public, in Chinese by default
    amendment = supported_and_admitted(client, w)
    assert amendment.status == "on_agenda" and amendment.agenda_item_id
    agenda = client.get(f"/c/{w.community.slug}/agenda/").get_data(as_text=True)
    assert f"/convention/amendments/{amendment.id}" in agenda
    meeting, result = council_adopts(w, amendment)
    assert result.passed
    db.session.refresh(amendment)
    assert amendment.status == "adopted" and amendment.motion_id == result.motion_id
    meeting_page = client.get(f"/c/{w.community.slug}/meetings/{meeting.id}")
    assert meeting_page.status_code == 200 and "居民公约第2条修订（第1号）" in meeting_page.get_data(as_text=True)
    assembly_decides(client, w)
    db.session.refresh(amendment)
    assert amendment.status == "incorporated"
    versions = db.session.scalars(select(ConventionVersion).order_by(ConventionVersion.number)).all()
    assert [v.number for v in versions] == [1, 2]
    assert [a.text for a in versions[1].articles] == ["第一条", "第二条（修订）", "第三条", "第四条"]
    assert [a.text for a in versions[0].articles][1] == "第二条"  # the old version stays as it was
    diff = client.get(url(w, "/versions/2")).get_data(as_text=True)
    assert "<del>第二条</del>" in diff and "<ins>第二条（修订）</ins>" in diff and "公约修订议事会" in diff
    assert client.get(url(w, "/versions/1")).status_code == 200
    actions = audit_actions()
    for action in (
        "amendment.proposed",
        "amendment.supported",
        "amendment.threshold_reached",
        "amendment.admitted",
        "amendment.adopted",
        "convention.assembly_entered",
        "convention.assembly_confirmed",
        "convention.revised",
    ):
        assert action in actions


def test_council_rejects_and_residents_reject(client, world):
    w = world
    amendment = supported_and_admitted(client, w)
    _meeting, result = council_adopts(w, amendment, kind="reject")
    db.session.refresh(amendment)
    assert result.passed and amendment.status == "rejected"
    # a second one: the council adopts, the residents say no, no version is made
    assert propose(client, w, w.residents[1], article_number=3, kind="delete", text="").status_code == 302
    second = db.session.scalars(select(Amendment).order_by(Amendment.id.desc())).first()
    for resident in (w.residents[0], w.residents[2]):
        login(client, resident)
        client.post(url(w, f"/amendments/{second.id}/support"))
    login(client, w.committee)
    client.post(url(w, f"/amendments/{second.id}/admit"))
    db.session.refresh(second)
    council_adopts(w, second)
    assembly_decides(client, w, yes=30, no=60)
    db.session.refresh(second)
    assert second.status == "not_approved"
    assert db.session.scalar(select(func.count(ConventionVersion.id))) == 1


def test_a_failed_adoption_leaves_it_on_the_agenda(client, world):
    w = world
    amendment = supported_and_admitted(client, w)
    _meeting, result = council_adopts(w, amendment, votes_for=1)
    db.session.refresh(amendment)
    assert not result.passed and amendment.status == "on_agenda"


def test_bad_input_keeps_the_form_and_writes_nothing(client, world):
    w = world
    before = audit_actions()
    response = propose(client, w, w.residents[0], text="", reasons="我的理由保留")
    body = response.get_data(as_text=True)
    assert response.status_code == 400 and "我的理由保留" in body
    response = propose(client, w, w.residents[0], article_number=0, kind="change", reasons="理由")
    assert response.status_code == 400
    assert db.session.scalar(select(func.count(Amendment.id))) == 0 and audit_actions() == before


def test_supports_refused_to_the_proposer_and_twice(client, world):
    w = world
    propose(client, w, w.residents[0])
    amendment = db.session.scalar(select(Amendment))
    assert client.post(url(w, f"/amendments/{amendment.id}/support")).status_code == 400  # the proposer
    login(client, w.residents[1])
    client.post(url(w, f"/amendments/{amendment.id}/support"))
    assert client.post(url(w, f"/amendments/{amendment.id}/support")).status_code == 400
    db.session.refresh(amendment)
    assert amendment.support_count == 1


def test_decline_needs_a_reason(client, world):
    w = world
    amendment = supported(client, w)
    login(client, w.committee)
    response = client.post(url(w, f"/amendments/{amendment.id}/decline"), data={"reason": ""})
    assert response.status_code == 400
    response = client.post(url(w, f"/amendments/{amendment.id}/decline"), data={"reason": "属于法律规定事项"})
    db.session.refresh(amendment)
    assert response.status_code == 302 and amendment.status == "not_admitted"
    assert "属于法律规定事项" in client.get(url(w, f"/amendments/{amendment.id}")).get_data(as_text=True)


def test_assembly_counts_are_checked(client, world):
    w = world
    amendment = supported_and_admitted(client, w)
    council_adopts(w, amendment)
    login(client, w.committee)
    response = client.post(
        url(w, "/assembly"),
        data={
            "held_on": clock.local_today().isoformat(),
            "place": "广场",
            "present": 10,
            "yes": 9,
            "no": 2,
            "abstain": 0,
        },
    )
    assert response.status_code == 400 and "广场" in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count(ResidentsAssembly.id))) == 0
    db.session.refresh(amendment)
    assert amendment.status == "adopted"


def test_open_amendments_follow_the_new_numbering(client, world):
    w = world
    amendment = supported_and_admitted(client, w)  # changes article 2
    propose(client, w, w.residents[1], article_number=3, kind="change", text="第三条改", reasons="理由")
    later = db.session.scalars(select(Amendment).order_by(Amendment.id.desc())).first()
    council_adopts(w, amendment)
    assembly_decides(client, w, present=9, yes=9, no=0, abstain=0)
    db.session.refresh(later)
    assert later.version.number == 2 and later.article_number == 3 and later.status == "collecting"


def test_an_amendment_takes_only_adopt_or_reject_motions(client, world):
    w = world
    amendment = supported_and_admitted(client, w)
    meeting = meetings.schedule_meeting(
        w.committee,
        w.community,
        title="公约修订议事会",
        starts_at=clock.now() + timedelta(minutes=30),
        place="活动室",
        chair_id=w.chair.id,
        secretary_id=w.committee.id,
        agenda_item_ids=[amendment.agenda_item_id],
        urgent=True,
        urgent_reason="修订",
    )
    for user in w.council:
        attendance.check_in(w.committee, meeting, user.id)
    meetings.open_meeting(w.committee, meeting)
    meetings.open_item(w.committee, meeting, meeting.items[0])
    login(client, w.members[0])
    page = client.get(f"/c/{w.community.slug}/meetings/{meeting.id}/member").get_data(as_text=True)
    assert 'value="adopt"' in page and 'value="reject"' in page and 'value="approve"' not in page
    response = client.post(
        f"/c/{w.community.slug}/meetings/{meeting.id}/items/{meeting.items[0].id}/motions",
        data={"kind": "approve", "budget": 1000},
    )
    assert response.status_code in (302, 400)
    db.session.refresh(meeting)
    assert meeting.items[0].motions == []


def test_confirming_needs_the_tick(client, world):
    """Confirming decides for good and may make the version at once: a tick first, on the server."""
    w = world
    amendment = supported_and_admitted(client, w)
    council_adopts(w, amendment)
    entry = enter_counts(client, w)
    login(client, w.chair)
    response = client.post(url(w, f"/assembly/{entry.id}/confirm"), data={})
    assert response.status_code == 400
    db.session.refresh(amendment)
    db.session.refresh(entry)
    assert amendment.status == "adopted" and entry.status == "pending"
