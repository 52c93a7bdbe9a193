"""Speaking time: each turn lasts the rule set's minutes_per_turn; under "end" every view shows the
turn over at its limit (a GET writes nothing) and the worker or the chair's next action stores its
end, under "record" the overrun and its length go into the minutes. The server's clock decides
(frozen here with freezegun)."""

from datetime import datetime, timedelta

from freezegun import freeze_time
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import select

from app.audit.models import AuditEntry
from app.core.clock import utcnow
from app.councils import meetings, minutes, minutes_record, speakers, speaking
from app.councils.models import TurnStatus
from app.extensions import db
from tests.helpers import login

from .helpers import debate, open_meeting, set_rules

LIMIT = timedelta(minutes=2)  # the council fixture's minutes_per_turn
T0 = datetime(2026, 5, 1, 10, 0)


# ---------------------------------------------------------------- the rule (pure)


@given(st.integers(min_value=-600, max_value=3600), st.sampled_from(["end", "record"]))
def test_a_turn_never_ends_after_its_limit_under_end_and_records_whole_seconds_under_record(seconds, rule):
    now = T0 + timedelta(seconds=seconds, microseconds=300)
    ended_at, overrun = speaking.turn_end(T0, now, rule)
    if now <= T0:
        assert (ended_at, overrun) == (now, None)
    elif rule == "end":
        assert (ended_at, overrun) == (T0, None)
    else:
        assert ended_at == now and overrun == (seconds or None)
    assert speaking.time_up(T0, now) == (now >= T0)


def test_a_turn_without_a_limit_is_never_up():
    assert not speaking.time_up(None, T0)
    assert speaking.turn_end(None, T0, "record") == (T0, None)


# ---------------------------------------------------------------- through the meeting


def _speaking(c, rule):
    set_rules(c.community, speaking_overrun=rule)
    meeting = open_meeting(c, present=4)
    item, _motion = debate(c, meeting)
    speakers.ask_to_speak(c.members[2], meeting, item, "pro")
    speakers.ask_to_speak(c.members[1], meeting, item, "contra")
    turn = speakers.next_speaker(c.chair, meeting, item)
    assert turn.ends_at == turn.started_at + LIMIT
    return meeting, item, turn


def _audits(action):
    return db.session.scalars(select(AuditEntry).where(AuditEntry.action == action)).all()


def test_under_end_the_chairs_console_shows_the_turn_over_at_its_limit_and_the_worker_stores_it(client, council):
    c = council
    with freeze_time(utcnow()) as frozen:
        meeting, _item, turn = _speaking(c, "end")
        base = f"/c/{c.community.slug}/meetings/{meeting.id}"
        login(client, c.chair)
        frozen.tick(timedelta(seconds=30))
        html = client.get(f"{base}/chair?lang=en").get_data(as_text=True)
        assert 'data-remaining="90"' in html and "1:30" in html and "A turn ends when its time is up." in html
        key = html.split("since=")[1].split('"')[0]
        assert client.get(f"{base}/live/chair?since={key}").status_code == 204  # nothing changed yet
        frozen.tick(LIMIT)  # 30 s past the limit: the next poll shows the turn over
        response = client.get(f"{base}/live/chair?since={key}")
        assert response.status_code == 200  # not 204: the console changes although nothing was written
        assert "议事员3" not in response.get_data(as_text=True).split("h-speakers")[1].split("</section>")[0]
        db.session.refresh(turn)
        db.session.refresh(meeting)
        # A poll writes nothing: the turn's end is stored by the worker (or the chair's next action).
        assert turn.status == TurnStatus.SPEAKING and not _audits("meeting.speaker_time_up")
        revision = meeting.revision
        runner = client.application.test_cli_runner()
        assert runner.invoke(args=["outbox", "work", "--rounds", "1"]).exit_code == 0
        db.session.refresh(turn)
        db.session.refresh(meeting)
        assert turn.status == TurnStatus.DONE and turn.ended_at == turn.ends_at and turn.overrun_seconds is None
        assert meeting.revision == revision + 1
        [entry] = _audits("meeting.speaker_time_up")
        assert entry.data["user_id"] == c.members[2].id and entry.actor_id is None
        assert speakers.end_turns_at_limit() == 0  # ended once
        assert len(_audits("meeting.speaker_time_up")) == 1


def test_under_end_the_public_page_shows_the_turn_over_at_its_limit_without_writing(client, council):
    c = council
    with freeze_time(utcnow()) as frozen:
        meeting, _item, turn = _speaking(c, "end")
        url = f"/c/{c.community.slug}/meetings/{meeting.id}?lang=en"
        frozen.tick(LIMIT - timedelta(seconds=1))
        assert 'Speaking: <span class="person">议事员3' in client.get(url).get_data(as_text=True)  # one second left
        frozen.tick(timedelta(minutes=5))
        revision = meeting.revision
        assert "Speaking:" not in client.get(url).get_data(as_text=True)
        db.session.refresh(turn)
        db.session.refresh(meeting)
        assert turn.status == TurnStatus.SPEAKING and meeting.revision == revision  # a GET wrote nothing


def test_under_end_a_speaker_whose_time_is_up_may_ask_again(council):
    c = council
    with freeze_time(utcnow()) as frozen:
        meeting, item, turn = _speaking(c, "end")
        frozen.tick(LIMIT + timedelta(seconds=10))
        again = speakers.ask_to_speak(c.members[2], meeting, item, "pro")
        assert turn.status == TurnStatus.DONE and turn.ended_at == turn.ends_at
        assert again.status == TurnStatus.WAITING
        [entry] = _audits("meeting.speaker_time_up")
        assert entry.actor_id == c.members[2].id


def test_under_end_the_chairs_next_action_ends_the_turn_at_its_limit(council):
    c = council
    with freeze_time(utcnow()) as frozen:
        meeting, item, turn = _speaking(c, "end")
        frozen.tick(LIMIT + timedelta(seconds=50))
        following = speakers.next_speaker(c.chair, meeting, item)
        assert turn.ended_at == turn.ends_at and turn.overrun_seconds is None
        frozen.tick(LIMIT + timedelta(seconds=5))
        speakers.end_turn(c.chair, meeting, item)
        assert following.ended_at == following.ends_at
    assert minutes_record.build_content(meeting)["overruns"] == []


def test_under_record_the_speaker_goes_on_and_the_overrun_goes_into_the_minutes(client, council):
    c = council
    with freeze_time(utcnow()) as frozen:
        meeting, item, turn = _speaking(c, "record")
        base = f"/c/{c.community.slug}/meetings/{meeting.id}"
        login(client, c.chair)
        frozen.tick(LIMIT + timedelta(seconds=45))
        html = client.get(f"{base}/chair?lang=en").get_data(as_text=True)
        assert "Time is up. Under the rules the speaker may finish" in html
        assert turn.status == TurnStatus.SPEAKING  # the speaker goes on
        speakers.end_turn(c.chair, meeting, item)
        assert turn.ended_at == turn.ends_at + timedelta(seconds=45) and turn.overrun_seconds == 45
        assert _audits("meeting.speaker_finished")[-1].data["overrun_seconds"] == 45
        second = speakers.next_speaker(c.chair, meeting, item)
        frozen.tick(timedelta(minutes=1))  # within the time: no overrun
        speakers.end_turn(c.chair, meeting, item)
        assert second.overrun_seconds is None
        speakers.ask_to_speak(c.members[0], meeting, item, "pro")
        third = speakers.next_speaker(c.chair, meeting, item)
        frozen.tick(LIMIT + timedelta(minutes=1, seconds=5))
        meetings.close_meeting(c.chair, meeting)  # closing ends the turn too, with its overrun
        assert third.overrun_seconds == 65
    content = minutes_record.build_content(meeting)
    login(client, c.chair)
    assert content["overruns"] == [
        {"name": "议事员3", "item_position": 1, "item_title": "议题1", "seconds": 45},
        {"name": "议事员1", "item_position": 1, "item_title": "议题1", "seconds": 65},
    ]
    html = client.get(f"/c/{c.community.slug}/meetings/{meeting.id}/minutes?lang=en").get_data(as_text=True)
    assert "Speaking time overruns" in html
    assert "议事员3, item 1 “议题1”: 45 s over the time" in html
    assert "议事员1, item 1 “议题1”: 1 min 5 s over the time" in html
    set_rules(c.community, minutes_comment_days=0)
    minutes.lock(c.chair, minutes.original(meeting))
    client.post("/auth/logout")
    printed = client.get(f"/c/{c.community.slug}/meetings/{meeting.id}/minutes/print?lang=en").get_data(as_text=True)
    assert "议事员1, item 1 “议题1”: 1 min 5 s over the time" in printed
