"""The demo: the rules v2 count written proxies for the quorum and the votes, and the upcoming
meeting shows one proxy on its page."""

import pytest

from app.councils.models import MeetingStatus
from app.proxies import services


@pytest.mark.slow
def test_demo_shows_a_proxy_at_the_upcoming_meeting(app, client, load_demo):
    context = load_demo()  # every step of app.demo.STEPS
    upcoming = context["meetings"][-1]
    assert upcoming.status == MeetingStatus.SCHEDULED and upcoming.ruleset.proxy_rule == "votes"
    (proxy,) = services.in_force(upcoming)
    assert (proxy.giver_id, proxy.holder_id) == (context["council"][-1].id, context["council"][1].id)
    page = client.get(f"/c/{upcoming.community.slug}/meetings/{upcoming.id}?lang=en").get_data(as_text=True)
    assert "Written proxies" in page and proxy.giver.display_name in page
