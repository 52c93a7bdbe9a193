"""A micro-matter's page says why there is no support button, with the next step; people who asked
to join are told they wait for the committee, not asked to join again."""

import pytest

from app.matters import permissions, services
from tests.helpers import login

BASE = "/c/xinglin/matters"

JOIN = "Ask to join the community"
WAITING = "is waiting for the committee"


def page(client, path):
    return client.get(path + ("&" if "?" in path else "?") + "lang=en").get_data(as_text=True)


def test_visitor_is_asked_to_log_in(client, matter):
    body = page(client, f"{BASE}/{matter.id}")
    assert "/auth/login?next=" in body and "to support it." in body


def test_someone_from_elsewhere_is_asked_to_join(client, matter, outsider):
    login(client, outsider)
    body = page(client, f"{BASE}/{matter.id}")
    assert JOIN in body and 'href="/c/xinglin/"' in body
    assert f"{BASE}/{matter.id}/support" not in body


def test_a_pending_member_is_told_the_request_waits(client, matter, pending):
    login(client, pending)
    body = page(client, f"{BASE}/{matter.id}")
    assert WAITING in body and JOIN not in body
    listing = page(client, BASE + "/")
    assert WAITING in listing and "ask to join the community" not in listing
    refused = client.get(BASE + "/new?lang=en")
    assert refused.status_code == 403
    text = refused.get_data(as_text=True)
    assert WAITING in text and "Ask to join" not in text


def test_the_proposer_is_told_it_is_their_own(client, matter, proposer):
    login(client, proposer)
    body = page(client, f"{BASE}/{matter.id}")
    assert "You proposed it, so you cannot support it yourself." in body


def test_after_the_threshold_supports_are_no_longer_collected(client, matter, residents):
    for user in residents[:3]:
        services.support(user, matter)
    login(client, residents[3])
    body = page(client, f"{BASE}/{matter.id}")
    assert "Supports are no longer collected" in body and "Follow it to be told what happens next." in body


def test_a_supporter_sees_no_reason(client, matter, residents):
    services.support(residents[0], matter)
    login(client, residents[0])
    body = page(client, f"{BASE}/{matter.id}")
    for reason in ("Supports are no longer collected", "You proposed it", WAITING, JOIN, "to support it."):
        assert reason not in body


@pytest.mark.parametrize(
    "who, expected",
    [("anonymous", "login"), ("outsider", "join"), ("pending", "pending"), ("proposer", "own"), ("resident", None)],
)
def test_support_missing_names_the_reason(matter, proposer, residents, outsider, pending, who, expected):
    from flask_login import AnonymousUserMixin

    user = {
        "anonymous": AnonymousUserMixin(),
        "outsider": outsider,
        "pending": pending,
        "proposer": proposer,
        "resident": residents[0],
    }[who]
    assert permissions.support_missing(user, matter) == expected


def test_a_draft_gives_no_reason(new_matter, proposer):
    assert permissions.support_missing(proposer, new_matter(submit=False)) is None
