"""Draft minutes go to the council members for comments for the rule set's minutes_comment_days
before the chair may lock them; the chair answers each comment; comments and answers stay with
the minutes (page, print, audit)."""

from datetime import timedelta

import pytest
from freezegun import freeze_time
from sqlalchemy import select

from app.audit.models import AuditEntry
from app.core.clock import utcnow
from app.core.errors import DomainError
from app.councils import minutes
from app.councils.models import MinutesComment
from app.extensions import db
from app.notifications.models import Notification
from tests.helpers import login

from .helpers import held_meeting, set_rules

PERIOD = timedelta(days=3)


def _actions():
    return [e.action for e in db.session.scalars(select(AuditEntry).order_by(AuditEntry.id))]


def _notified(user):
    return db.session.scalars(select(Notification.message).where(Notification.user_id == user.id)).all()


def _refused(call, words):
    with pytest.raises(DomainError) as refusal:
        call()
    assert words in str(refusal.value.message)


def test_the_comment_period_answers_and_locking(council):
    c = council
    set_rules(c.community, minutes_comment_days=3)
    with freeze_time(utcnow()) as frozen:
        meeting = held_meeting(c)
        draft = minutes.original(meeting)
        _refused(lambda: minutes.lock(c.chair, draft), "请先将草稿发送给议事员征求意见")
        _refused(lambda: minutes.add_comment(c.members[0], draft, "意见"), "草稿尚未发送")
        _refused(lambda: minutes.send_for_comments(c.members[0], draft), "只有本次会议的记录员或主持人")
        minutes.send_for_comments(c.committee, draft)  # the secretary
        assert draft.comments_until == draft.sent_for_comments_at + PERIOD
        assert all(
            "The draft minutes of “%(title)s” are ready for your comments until %(until)s." in _notified(m)
            for m in c.council
        )
        _refused(lambda: minutes.send_for_comments(c.chair, draft), "草稿已经发送")
        _refused(lambda: minutes.add_comment(c.resident, draft, "意见"), "只有议事员可以")
        _refused(lambda: minutes.add_comment(c.committee, draft, "意见"), "只有议事员可以")
        _refused(lambda: minutes.add_comment(c.members[0], draft, "  "), "请填写您的意见")
        _refused(lambda: minutes.add_comment(c.members[0], draft, "长" * 2001), "内容太长")
        comment = minutes.add_comment(c.members[0], draft, "第1项的预算写错了，应为25000元。")
        assert any("commented on the draft minutes" in m for m in _notified(c.chair))
        frozen.tick(PERIOD - timedelta(minutes=1))
        _refused(lambda: minutes.lock(c.chair, draft), "之后才能锁定纪要")
        frozen.tick(timedelta(minutes=1))
        _refused(lambda: minutes.add_comment(c.members[1], draft, "迟到的意见"), "征求意见期已于")
        _refused(lambda: minutes.lock(c.chair, draft), "请先答复每一条")
        _refused(lambda: minutes.answer_comment(c.committee, comment, "好"), "只有会议主持人可以答复")
        _refused(lambda: minutes.answer_comment(c.chair, comment, ""), "请填写答复")
        minutes.answer_comment(c.chair, comment, "已核对，预算无误：25000元。")
        assert any("The chair answered your comment" in m for m in _notified(c.members[0]))
        _refused(lambda: minutes.answer_comment(c.chair, comment, "再答"), "已经答复")
        minutes.lock(c.chair, draft)
    assert [a for a in _actions() if a.startswith("minutes.")] == [
        "minutes.sent_for_comments",
        "minutes.commented",
        "minutes.comment_answered",
        "minutes.locked",
    ]
    comment.answer = "锁定后改写"
    with pytest.raises(PermissionError):
        db.session.commit()  # comments stay as they were when the minutes were locked
    db.session.rollback()
    assert db.session.scalar(select(MinutesComment.answer)) == "已核对，预算无误：25000元。"


def test_without_days_for_comments_the_chair_locks_at_once(council):
    c = council
    set_rules(c.community, minutes_comment_days=0)
    draft = minutes.original(held_meeting(c))
    _refused(lambda: minutes.send_for_comments(c.committee, draft), "议事规则未规定征求意见期")
    minutes.lock(c.chair, draft)
    assert draft.locked


def test_comments_and_answers_through_the_minutes_page_and_in_print(client, council):
    c = council
    set_rules(c.community, minutes_comment_days=2)
    with freeze_time(utcnow()) as frozen:
        meeting = held_meeting(c)
        draft = minutes.original(meeting)
        base = f"/c/{c.community.slug}/meetings/{meeting.id}/minutes"
        login(client, c.members[0])
        html = client.get(f"{base}?lang=en").get_data(as_text=True)
        assert "The rules give the council members 2 days to comment" in html
        assert f"{base}/{draft.id}/send" not in html and f"{base}/{draft.id}/comments" not in html
        assert client.post(f"{base}/{draft.id}/send").status_code == 400  # a member does not send it
        client.post("/auth/logout")
        login(client, c.committee)
        assert client.post(f"{base}/{draft.id}/send").status_code == 302
        client.post("/auth/logout")
        login(client, c.members[0])
        html = client.get(f"{base}?lang=en").get_data(as_text=True)
        assert "for comments until" in html and f'action="{base}/{draft.id}/comments"' in html
        too_long = "长" * 2001
        response = client.post(f"{base}/{draft.id}/comments?lang=en", data={"text": too_long})
        assert response.status_code == 400 and too_long in response.get_data(as_text=True)  # the text is kept
        response = client.post(f"{base}/{draft.id}/comments", data={"text": "请补充第1项的施工时间。"})
        assert response.status_code == 302
        comment = db.session.scalar(select(MinutesComment))
        assert comment.author_id == c.members[0].id
        answer_url = f"{base}/{draft.id}/comments/{comment.id}/answer"
        assert client.post(answer_url, data={f"answer{comment.id}-text": "好"}).status_code == 400  # not the chair
        client.post("/auth/logout")
        login(client, c.chair)
        html = client.get(f"{base}?lang=en").get_data(as_text=True)
        assert "请补充第1项的施工时间。" in html and f'action="{answer_url}"' in html
        response = client.post(f"{base}/{draft.id}/lock", data={f"lock{draft.id}-understood": "y"})
        assert response.status_code == 400 and not draft.locked  # the period is not over
        assert client.post(answer_url, data={f"answer{comment.id}-text": "施工时间已补入纪要说明。"}).status_code == 302
        frozen.tick(timedelta(days=2, minutes=1))
        login(client, c.chair)
        assert client.post(f"{base}/{draft.id}/lock", data={f"lock{draft.id}-understood": "y"}).status_code == 302
        assert client.post(answer_url, data={f"answer{comment.id}-text": "再答"}).status_code == 400
        client.post("/auth/logout")
        html = client.get(f"{base}?lang=en").get_data(as_text=True)  # public now
        assert "请补充第1项的施工时间。" in html and "施工时间已补入纪要说明。" in html
        assert "Answer of the chair" in html and "<textarea" not in html
        printed = client.get(f"{base}/print?lang=en").get_data(as_text=True)
        assert "Council members&#39; comments on the draft" in printed or "Council members' comments" in printed
        assert "请补充第1项的施工时间。" in printed and "施工时间已补入纪要说明。" in printed


def test_a_comment_of_other_minutes_is_not_found(client, council):
    c = council
    set_rules(c.community, minutes_comment_days=2)
    meeting = held_meeting(c)
    draft = minutes.original(meeting)
    minutes.send_for_comments(c.committee, draft)
    comment = minutes.add_comment(c.members[0], draft, "意见")
    login(client, c.chair)
    url = f"/c/{c.community.slug}/meetings/{meeting.id}/minutes/{draft.id + 1}/comments/{comment.id}/answer"
    assert client.post(url, data={f"answer{comment.id}-text": "答"}).status_code == 404
