"""Written proxies through the pages: given online, recorded from paper, revoked, refused; counted
for the quorum and the votes as the rules say; cancelled by a check-in; printed in the minutes."""

import pytest
from sqlalchemy import select

from app.audit.models import AuditEntry
from app.core.errors import DomainError
from app.councils import attendance, live_views, meetings, minutes, votes
from app.councils.common import quorum_now
from app.councils.models import Ballot, SecretBallotMark
from app.extensions import db
from app.proxies import services
from app.proxies.models import Proxy
from tests.councils.helpers import debate, schedule, set_rules
from tests.helpers import login as sign_in


def login(client, user):
    """Logged in, pages in English (the choice sticks for the session)."""
    sign_in(client, user)
    client.get("/auth/login?lang=en")


def _url(c, meeting, tail=""):
    return f"/c/{c.community.slug}/meetings/{meeting.id}{tail}"


def _give(client, c, meeting, holder, view="public"):
    return client.post(_url(c, meeting, "/proxy"), data={"proxy-holder_id": holder.id, "view": view})


def _proxies(meeting):
    return db.session.scalars(select(Proxy).where(Proxy.meeting_id == meeting.id).order_by(Proxy.id)).all()


def test_a_member_gives_and_revokes_a_proxy_online(client, council):
    c = council
    set_rules(c.community, proxy_rule="votes")
    meeting = schedule(c)
    giver, holder = c.members[3], c.members[0]
    login(client, giver)
    page = client.get(_url(c, meeting)).get_data(as_text=True)
    assert "Written proxies" in page and 'name="proxy-holder_id"' in page
    response = _give(client, c, meeting, holder)
    assert response.status_code == 302
    (proxy,) = _proxies(meeting)
    assert (proxy.giver_id, proxy.holder_id, proxy.channel, proxy.recorded_by_id) == (
        giver.id,
        holder.id,
        "online",
        giver.id,
    )
    assert db.session.scalar(select(AuditEntry).where(AuditEntry.action == "proxy.given")) is not None
    page = client.get(_url(c, meeting)).get_data(as_text=True)
    assert "You gave your written proxy to 议事员1." in page
    assert client.post(_url(c, meeting, f"/proxies/{proxy.id}/revoke"), data={"view": "public"}).status_code == 302
    db.session.refresh(proxy)
    assert proxy.revoked_at is not None and proxy.revoked_by_id == giver.id
    assert db.session.scalar(select(AuditEntry).where(AuditEntry.action == "proxy.revoked")) is not None
    assert _give(client, c, meeting, holder).status_code == 302  # given again after revoking


def test_one_proxy_per_member_and_other_refusals(client, council):
    c = council
    meeting = schedule(c)
    login(client, c.members[3])
    response = _give(client, c, meeting, c.members[0])
    assert response.status_code == 400 and "allow them" in response.get_data(as_text=True)  # rule "none"
    set_rules(c.community, proxy_rule="quorum")
    assert _give(client, c, meeting, c.members[0]).status_code == 302
    response = _give(client, c, meeting, c.members[1])
    assert response.status_code == 400 and "already gives or holds" in response.get_data(as_text=True)
    login(client, c.members[2])
    response = _give(client, c, meeting, c.members[0])  # 议事员1 holds a proxy already
    assert response.status_code == 400 and "already gives or holds" in response.get_data(as_text=True)
    response = _give(client, c, meeting, c.members[3])  # 议事员4 gave one: absent, cannot hold
    assert response.status_code == 400
    response = _give(client, c, meeting, c.members[2])
    assert response.status_code == 400 and "own proxy" in response.get_data(as_text=True)
    response = _give(client, c, meeting, c.resident)
    assert response.status_code == 400 and "Not a valid choice" in response.get_data(as_text=True)
    attendance.check_in(c.committee, meeting, c.members[2].id)  # in the room: attends in person
    response = _give(client, c, meeting, c.chair)
    assert response.status_code == 400 and "attends in person" in response.get_data(as_text=True)
    login(client, c.resident)
    assert _give(client, c, meeting, c.members[1]).status_code == 400
    assert len(_proxies(meeting)) == 1
    # once the meeting opens, proxies are neither given nor revoked
    for user in c.council[:3]:
        attendance.check_in(c.committee, meeting, user.id)
    meetings.open_meeting(c.committee, meeting)
    login(client, c.members[2])
    assert _give(client, c, meeting, c.chair).status_code == 400
    login(client, c.members[3])
    proxy = _proxies(meeting)[0]
    assert client.post(_url(c, meeting, f"/proxies/{proxy.id}/revoke"), data={}).status_code == 400
    db.session.refresh(proxy)
    assert proxy.revoked_at is None


def test_the_chair_records_a_paper_proxy_on_the_chair_page(client, council):
    c = council
    set_rules(c.community, proxy_rule="quorum")
    meeting = schedule(c)
    login(client, c.chair)
    page = client.get(_url(c, meeting, "/chair")).get_data(as_text=True)
    assert "Record a proxy signed on paper" in page
    response = client.post(
        _url(c, meeting, "/proxies/paper"),
        data={"paper-giver_id": c.members[3].id, "paper-holder_id": c.members[1].id, "view": "chair"},
    )
    assert response.status_code == 302 and response.headers["Location"].endswith("/chair")
    (proxy,) = _proxies(meeting)
    assert (proxy.channel, proxy.recorded_by_id, proxy.giver_id) == ("paper", c.chair.id, c.members[3].id)
    response = client.post(
        _url(c, meeting, "/proxies/paper"),
        data={"paper-giver_id": c.members[3].id, "paper-holder_id": c.members[2].id, "view": "chair"},
    )
    assert response.status_code == 400
    login(client, c.members[0])  # a member records no paper proxy of someone else
    response = client.post(
        _url(c, meeting, "/proxies/paper"),
        data={"paper-giver_id": c.members[2].id, "paper-holder_id": c.members[0].id},
    )
    assert response.status_code == 400 and len(_proxies(meeting)) == 1


def _meeting_with_proxy(c, rule, present):
    """A proxy of 议事员4 to 议事员1, then `present` council members checked in (chair first)."""
    set_rules(c.community, proxy_rule=rule)
    meeting = schedule(c)
    services.give(c.members[3], meeting, c.members[0].id)
    for user in c.council[:present]:
        attendance.check_in(c.committee, meeting, user.id)
    return meeting


def test_quorum_reached_with_a_proxy_under_the_quorum_rule(council):
    c = council
    meeting = _meeting_with_proxy(c, "quorum", present=2)  # chair and 议事员1: 2 of 5, 3 needed
    assert quorum_now(meeting).present == 3
    meetings.open_meeting(c.committee, meeting)
    assert meeting.opened_present == 3
    attendance.check_in(c.committee, meeting, c.members[1].id)  # a seconder
    _item, motion = debate(c, meeting)
    vote = votes.open_vote(c.chair, meeting, motion, "named")
    assert sorted(vote.entitled) == sorted(u.id for u in c.council[:3])  # the vote totals stay in person
    assert vote.quorum_proxies == 1
    with pytest.raises(DomainError):
        votes.cast_vote(c.members[0], meeting, vote, "yes", for_id=c.members[3].id)
    for user in c.council[:3]:
        votes.cast_vote(user, meeting, vote, "yes")
    result = votes.close_vote(c.chair, meeting, vote)
    assert result.quorum_met and result.present == 3 and result.yes == 3


def test_no_quorum_without_the_proxy_rule(council):
    c = council
    meeting = _meeting_with_proxy(c, "quorum", present=2)
    set_rules(c.community, proxy_rule="none")
    assert quorum_now(meeting).present == 2
    with pytest.raises(DomainError):
        meetings.open_meeting(c.committee, meeting)


def test_the_holder_votes_twice_under_the_votes_rule(client, council):
    c = council
    meeting = _meeting_with_proxy(c, "votes", present=3)
    meetings.open_meeting(c.committee, meeting)
    _item, motion = debate(c, meeting)
    vote = votes.open_vote(c.chair, meeting, motion, "named")
    holder, giver = c.members[0], c.members[3]
    assert giver.id in vote.entitled and len(vote.entitled) == 4
    login(client, holder)
    page = client.get(_url(c, meeting, "/member")).get_data(as_text=True)
    assert "Vote for 议事员4, whose written proxy you hold" in page
    ballot = _url(c, meeting, f"/votes/{vote.id}/proxy-ballot/{giver.id}")
    assert client.post(ballot, data={"choice": "no", "view": "member"}).status_code == 400  # not ticked
    response = client.post(ballot, data={"proxy-understood": "y", "choice": "no", "view": "member"})
    assert response.status_code == 302
    assert client.post(ballot, data={"proxy-understood": "y", "choice": "no", "view": "member"}).status_code == 400
    response = client.post(
        _url(c, meeting, f"/votes/{vote.id}/ballot"), data={"ballot-understood": "y", "choice": "yes", "view": "member"}
    )
    assert response.status_code == 302
    proxy_ballot = db.session.scalar(select(Ballot).where(Ballot.vote_id == vote.id, Ballot.user_id == giver.id))
    assert (proxy_ballot.choice, proxy_ballot.recorded_by_id) == ("no", holder.id)
    # the absent giver does not vote themselves; another member holds no proxy of theirs
    with pytest.raises(DomainError):
        votes.cast_vote(giver, meeting, vote, "yes")
    with pytest.raises(DomainError):
        votes.cast_vote(c.members[1], meeting, vote, "yes", for_id=giver.id)
    votes.cast_vote(c.members[1], meeting, vote, "yes")
    result = votes.close_vote(c.chair, meeting, vote)
    assert (result.yes, result.no, result.present) == (2, 1, 4)
    meetings.close_meeting(c.chair, meeting)
    login(client, c.chair)
    assert "议事员1 for 议事员4 by proxy" in client.get(_url(c, meeting, "/minutes")).get_data(as_text=True)
    set_rules(c.community, minutes_comment_days=0)  # locked at once, then printed
    minutes.lock(c.chair, minutes.original(meeting))
    for path in ("/minutes", "/minutes/print"):
        page = client.get(_url(c, meeting, path)).get_data(as_text=True)
        assert "议事员1 for 议事员4 by proxy" in page
        assert "Written proxies:" in page and "counted for the quorum and the votes" in page


def test_the_holder_gets_a_second_secret_ballot(council):
    c = council
    meeting = _meeting_with_proxy(c, "votes", present=3)
    meetings.open_meeting(c.committee, meeting)
    _item, motion = debate(c, meeting)
    vote = votes.open_vote(c.chair, meeting, motion, "secret")
    votes.cast_vote(c.members[0], meeting, vote, "yes")
    votes.cast_vote(c.members[0], meeting, vote, "yes", for_id=c.members[3].id)
    votes.cast_vote(c.members[1], meeting, vote, "no")
    marks = db.session.scalars(select(SecretBallotMark.user_id).where(SecretBallotMark.vote_id == vote.id)).all()
    assert sorted(marks) == sorted([c.members[0].id, c.members[3].id, c.members[1].id])
    result = votes.close_vote(c.chair, meeting, vote)
    assert (result.yes, result.no) == (2, 1)


def test_checking_in_in_person_cancels_the_proxy(client, council):
    c = council
    meeting = _meeting_with_proxy(c, "votes", present=3)
    assert quorum_now(meeting).present == 4
    attendance.check_in(c.committee, meeting, c.members[3].id)
    attendance.check_out(c.committee, meeting, c.members[3].id)  # came and left: the proxy stays cancelled
    assert quorum_now(meeting).present == 3
    meetings.open_meeting(c.committee, meeting)
    _item, motion = debate(c, meeting)
    vote = votes.open_vote(c.chair, meeting, motion, "named")
    assert c.members[3].id not in vote.entitled
    with pytest.raises(DomainError):
        votes.cast_vote(c.members[0], meeting, vote, "yes", for_id=c.members[3].id)
    votes.close_vote(c.chair, meeting, vote)
    meetings.close_meeting(c.chair, meeting)
    login(client, c.chair)
    page = client.get(_url(c, meeting, "/minutes")).get_data(as_text=True)
    assert "cancelled: the member attended in person" in page


def test_a_proxy_does_not_count_while_its_holder_is_away(council):
    c = council
    set_rules(c.community, proxy_rule="quorum")
    meeting = schedule(c)
    services.give(c.members[3], meeting, c.members[2].id)  # 议事员3 does not come
    for user in c.council[:2]:
        attendance.check_in(c.committee, meeting, user.id)
    assert quorum_now(meeting).present == 2
    attendance.check_in(c.committee, meeting, c.members[2].id)
    assert quorum_now(meeting).present == 4


# ---------------------------------------------------------------- the chair who keeps the deciding vote


def test_no_proxy_to_the_chair_who_keeps_the_deciding_vote(client, council):
    """Under "votes" and "chair_decides" the chair casts no vote in the round, so neither a proxy given
    online nor one recorded from paper goes to the chair; the form does not offer the chair."""
    c = council
    set_rules(c.community, proxy_rule="votes", tie_rule="chair_decides")
    meeting = schedule(c)
    login(client, c.members[3])
    page = client.get(_url(c, meeting)).get_data(as_text=True)
    assert f'<option value="{c.chair.id}"' not in page and "the chair holds no proxy" in page
    response = _give(client, c, meeting, c.chair)
    assert response.status_code == 400 and "The chair of this meeting holds no written proxy" in response.get_data(
        as_text=True
    )
    login(client, c.committee)
    response = client.post(
        _url(c, meeting, "/proxies/paper"),
        data={"paper-giver_id": c.members[3].id, "paper-holder_id": c.chair.id, "view": "public"},
    )
    assert response.status_code == 400 and "holds no written proxy" in response.get_data(as_text=True)
    assert _proxies(meeting) == []
    client.get("/auth/login?lang=zh_Hans")
    response = client.post(
        _url(c, meeting, "/proxies/paper"),
        data={"paper-giver_id": c.members[3].id, "paper-holder_id": c.chair.id, "view": "public"},
    )
    assert response.status_code == 400 and "主持人不接受书面委托" in response.get_data(as_text=True)


@pytest.mark.parametrize("rules", [{"proxy_rule": "quorum", "tie_rule": "chair_decides"}, {"proxy_rule": "votes"}])
def test_the_chair_may_hold_a_proxy_when_it_loses_nothing(council, rules):
    """For the quorum only, or when the chair votes in the round like everyone, nothing is lost."""
    c = council
    set_rules(c.community, **rules)
    meeting = schedule(c)
    services.give(c.members[3], meeting, c.chair.id)
    assert [(p.giver_id, p.holder_id) for p in _proxies(meeting)] == [(c.members[3].id, c.chair.id)]


def test_the_chair_is_not_handed_to_a_member_who_holds_a_proxy(council):
    """Handing over the chair would make the holder a chair who casts no vote in the round: refused,
    before and during the meeting, while the proxy counts; once its giver came in person, allowed."""
    c = council
    set_rules(c.community, proxy_rule="votes", tie_rule="chair_decides")
    meeting = schedule(c)
    holder, giver = c.members[0], c.members[3]
    services.give(giver, meeting, holder.id)
    with pytest.raises(DomainError, match="持有本次会议的书面委托"):
        attendance.hand_over_chair(c.committee, meeting, holder.id)
    for user in c.council[:3]:
        attendance.check_in(c.committee, meeting, user.id)
    meetings.open_meeting(c.committee, meeting)
    with pytest.raises(DomainError, match="持有本次会议的书面委托"):
        attendance.hand_over_chair(c.chair, meeting, holder.id)
    assert meeting.chair_id == c.chair.id
    offered = [value for value, _label in live_views.handover_form(meeting).to_user_id.choices]
    assert holder.id not in offered and c.members[1].id in offered  # the console does not offer the holder
    attendance.hand_over_chair(c.chair, meeting, c.members[1].id)  # another member: as before
    attendance.hand_over_chair(c.members[1], meeting, c.chair.id)
    attendance.check_in(c.committee, meeting, giver.id)  # the giver came: the proxy is cancelled
    attendance.hand_over_chair(c.chair, meeting, holder.id)
    assert meeting.chair_id == holder.id


def test_a_proxy_the_chair_holds_when_the_rules_change_counts_for_the_quorum_only(council):
    """Given while the chair voted like everyone; the rules in force at the opening give the chair
    the deciding vote: the giver is counted for the quorum, and no vote is lost in the totals."""
    c = council
    set_rules(c.community, proxy_rule="votes")
    meeting = schedule(c)
    services.give(c.members[3], meeting, c.chair.id)
    for user in c.council[:3]:
        attendance.check_in(c.committee, meeting, user.id)
    set_rules(c.community, tie_rule="chair_decides")
    meetings.open_meeting(c.committee, meeting)
    assert meeting.opened_present == 4
    _item, motion = debate(c, meeting)
    vote = votes.open_vote(c.chair, meeting, motion, "named")
    assert sorted(vote.entitled) == sorted([c.members[0].id, c.members[1].id])
    assert vote.quorum_proxies == 1
    with pytest.raises(DomainError):
        votes.cast_vote(c.chair, meeting, vote, "yes", for_id=c.members[3].id)
    [entry] = services.minutes_entries(meeting)
    assert entry["counted"] == "quorum"  # what it counted for, as the minutes say
