"""Each resident chooses, per kind of event, the channels and at once or in a daily digest."""

import re
from datetime import timedelta

from freezegun import freeze_time
from sqlalchemy import select

from app.extensions import db
from app.notifications import preferences, reminders
from app.notifications.models import DigestItem, NotificationPreference
from app.notifications.preferences import Choice, Event, channels_for
from app.notifications.services import notify
from app.tracker import delivery
from tests.helpers import login
from tests.tracker.helpers import days

from .helpers import inbox, outbox_of

EVENING = "2030-05-06 12:00:00"  # 20:00 in Suzhou


def form(**overrides):
    """The preferences form as the page sends it: the defaults, changed by `overrides`."""
    data = {}
    for event in Event:
        data.update({f"{event}_in_app": "y", f"{event}_email": "y", f"{event}_timing": "now"})
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


def test_the_defaults_are_the_inbox_and_e_mail_at_once(app, make):
    user = make.user()
    assert all(channels_for(user, event) == {"in_app", "email"} for event in Event)
    assert channels_for(user, None) == {"in_app", "email"}
    assert db.session.scalars(select(NotificationPreference)).all() == []


def test_the_page_shows_and_saves_the_choices(client, make):
    user = make.user()
    login(client, user)
    html = client.get("/inbox/preferences").get_data(as_text=True)
    assert "<legend>" in html and 'name="rounds_sms"' in html
    response = client.post("/inbox/preferences", data=form(rounds_email=None, rounds_sms="y", meetings_timing="digest"))
    assert response.status_code == 302
    assert channels_for(user, "rounds") == {"in_app", "sms"}
    assert preferences.choice_of(user, Event.MEETINGS).digest
    assert channels_for(user, Event.MINE) == {"in_app", "email"}
    # Only what differs from the defaults is stored.
    assert {row.event for row in db.session.scalars(select(NotificationPreference))} == {"rounds", "meetings"}
    html = client.get("/inbox/preferences").get_data(as_text=True)
    assert re.search(r'<input checked[^>]*name="rounds_sms"', html)
    assert not re.search(r'<input checked[^>]*name="rounds_email"', html)
    client.post("/inbox/preferences", data=form())  # back to the defaults: no rows left
    assert db.session.scalars(select(NotificationPreference)).all() == []


def test_a_digest_with_no_channel_is_refused(client, make):
    user = make.user()
    login(client, user)
    html = client.post(
        "/inbox/preferences", data=form(ratings_in_app=None, ratings_email=None, ratings_timing="digest")
    ).get_data(as_text=True)
    assert "至少" in html or "at least one way" in html
    assert db.session.scalars(select(NotificationPreference)).all() == []


def test_preferences_are_honoured(started, committee, proposer, supporters, follower):
    proposer.email, supporters[0].email = "p@example.org", "s@example.org"
    db.session.commit()
    # The proposer wants their own matters only by e-mail; the supporter wants followed ones in the inbox only.
    preferences.save(proposer, {Event.MINE: Choice(in_app=False, email=True)})
    preferences.save(supporters[0], {Event.FOLLOWING: Choice(in_app=True, email=False)})
    before = {u.id: (len(inbox(u)), len(outbox_of(u))) for u in (proposer, supporters[0])}
    with freeze_time(EVENING):  # a new day: no entry of the day to merge into
        delivery.add_milestone(committee, started, title="安装扶手", planned_date=days(2))
    assert len(inbox(proposer)) == before[proposer.id][0]
    assert len(outbox_of(proposer)) == before[proposer.id][1] + 1
    assert len(inbox(supporters[0])) == before[supporters[0].id][0] + 1
    assert len(outbox_of(supporters[0])) == before[supporters[0].id][1]


def test_messages_without_a_kind_always_come(app, make):
    user = make.user()
    preferences.save(user, {event: Choice(in_app=False, email=False) for event in Event})
    notify([user], "Your comment on “%(title)s” was hidden by the committee: %(reason)s", title="t", reason="r")
    db.session.commit()
    assert len(inbox(user)) == 1


def test_the_daily_digest(make, app):
    user = make.user()
    user.email = "d@example.org"
    db.session.commit()
    preferences.save(user, {Event.MEETINGS: Choice(digest=True), Event.ROUNDS: Choice(email=False, digest=True)})
    with freeze_time(EVENING) as frozen:
        for title in ("一", "二"):
            notify(
                [user],
                "Council meeting “%(title)s” on %(when)s at %(place)s.",
                "/m",
                event="meetings",
                title=title,
                when="w",
                place="p",
            )
        notify(
            [user], "Residents' vote “%(title)s”: see the projects and the voting dates.", event="rounds", title="三"
        )
        db.session.commit()
        assert inbox(user) == [] and outbox_of(user) == []  # held for the digest
        assert len(db.session.scalars(select(DigestItem)).all()) == 3
        runner = app.test_cli_runner()
        assert "digests sent 0" in runner.invoke(args=["notifications", "remind"]).output  # today's wait
        frozen.tick(timedelta(hours=6))  # 02:00 the next day
        assert "digests sent 1" in runner.invoke(args=["notifications", "remind"]).output
        assert "digests sent 0" in runner.invoke(args=["notifications", "remind"]).output  # once a day
    (entry,) = inbox(user)
    assert entry.message == reminders.DIGEST_MESSAGE and entry.params["n"] == 3
    assert [line["params"]["title"] for line in entry.params["lines"]] == ["一", "二", "三"]
    (mail,) = outbox_of(user)  # one e-mail, since the meetings go by e-mail
    assert "一" in mail.body and "三" in mail.body
    assert all(item.sent_at for item in db.session.scalars(select(DigestItem)))
