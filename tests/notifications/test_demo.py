"""The demo's residents have different notification preferences (resident1 keeps the defaults)."""

from app.notifications import demo
from app.notifications.preferences import Event, channels_for, choice_of


def test_demo_residents_with_varied_preferences(app, make):
    residents = [make.user(username=f"resident{i}") for i in range(1, 6)]
    demo.load({"residents": residents})
    first, second, third, fourth, fifth = residents
    assert all(channels_for(first, event) == {"in_app", "email"} for event in Event)
    assert choice_of(second, Event.FOLLOWING).digest and not choice_of(second, Event.MINE).digest
    assert channels_for(third, Event.MEETINGS) == {"in_app", "sms"}
    assert channels_for(fourth, Event.FOLLOWING) == set()
    assert all(choice_of(fifth, event).digest for event in Event)
