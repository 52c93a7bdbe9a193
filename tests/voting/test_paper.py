"""Paper ballots, supervised: declared in-person sessions, marks only while one runs (with a notice
to the resident and "that was not me"), tally sheets entered by one person and confirmed by a
second, CSV imports of a sheet, and the count refused while paper and marks disagree."""

import io
import re
from datetime import timedelta

import pytest
from flask_babel import force_locale
from freezegun import freeze_time
from sqlalchemy import func, select
from sqlalchemy import update as sa_update

from app.audit.models import AuditEntry
from app.core.clock import utcnow
from app.core.errors import DomainError
from app.extensions import db
from app.notifications.models import Notification, Outbox
from app.voting import casting, counting, in_person, paper, tally_sheets
from app.voting.models import PaperObjection, PollingSession, RoundBallot, RoundParticipation, TallySheet
from tests.helpers import login

from .helpers import close, open_round, supervised_paper

PAPER = "/c/xinglin/rounds/{}/paper"


@pytest.fixture(autouse=True)
def english(app):
    """Refusals raised by the services directly read in English, as on the pages with ?lang=en."""
    with force_locale("en"):
        yield


@pytest.fixture
def committee_client(client, committee):
    login(client, committee)
    client.get("/?lang=en")
    return client


def running_session(voting_round, committee, place="党群服务中心"):
    """A session running now (declared a minute before it started)."""
    now = utcnow()
    with freeze_time(now - timedelta(minutes=2)):
        return in_person.declare_session(
            committee, voting_round, place=place, starts_at=now - timedelta(minutes=1), ends_at=now + timedelta(hours=2)
        )


def counts():
    return (
        db.session.scalar(select(func.count(RoundBallot.id))),
        db.session.scalar(select(func.count(RoundParticipation.id))),
        db.session.scalar(select(func.count(TallySheet.id))),
    )


def post(client, voting_round, data):
    return client.post(PAPER.format(voting_round.id), data=data)


def upload(client, voting_round, polling_session, text, encoding="utf-8", spoilt=0):
    data = text.encode(encoding) if isinstance(text, str) else text
    return client.post(
        PAPER.format(voting_round.id),
        content_type="multipart/form-data",
        data={
            "action": "import",
            "csv-session": polling_session.id,
            "csv-spoilt": spoilt,
            "csv-file": (io.BytesIO(data), "sheet.csv"),
        },
    )


def audit(action):
    return db.session.scalars(select(AuditEntry).where(AuditEntry.action == action).order_by(AuditEntry.id)).all()


# --- sessions --------------------------------------------------------------------------------


def test_committee_declares_a_session_inside_the_window(committee_client, client, knapsack_round):
    start = (utcnow() + timedelta(days=1)).replace(second=0, microsecond=0)
    response = post(
        client,
        knapsack_round,
        {
            "action": "session",
            "session-place": "党群服务中心一楼",
            "session-starts_at": _local(start),
            "session-ends_at": _local(start + timedelta(hours=8)),
        },
    )
    assert response.status_code == 303
    declared = db.session.scalar(select(PollingSession))
    assert declared.place == "党群服务中心一楼" and declared.starts_at == start
    assert audit("round.polling_session_declared")[0].data["place"] == "党群服务中心一楼"
    page = client.get(PAPER.format(knapsack_round.id)).get_data(as_text=True)
    assert "党群服务中心一楼" in page and "No in-person session is running now" in page


def _local(dt):
    """The form's local time (Asia/Shanghai, UTC+8) of a naive UTC time."""
    return (dt + timedelta(hours=8)).strftime("%Y-%m-%dT%H:%M")


@pytest.mark.parametrize(
    "start, end, message",
    [
        (timedelta(hours=2), timedelta(hours=1), "The session must end after it starts."),
        (timedelta(days=1), timedelta(days=9), "A session must lie inside the voting window"),
        (timedelta(hours=-3), timedelta(hours=2), "A session is declared before it starts"),
    ],
)
def test_session_refusals(committee_client, client, knapsack_round, start, end, message):
    now = utcnow()
    knapsack_round.opens_at = now - timedelta(days=1)
    db.session.commit()
    response = post(
        client,
        knapsack_round,
        {
            "action": "session",
            "session-place": "广场",
            "session-starts_at": _local(now + start),
            "session-ends_at": _local(now + end),
        },
    )
    assert response.status_code == 400 and message in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count(PollingSession.id))) == 0


def test_only_the_committee_declares_sessions(scrutineer, knapsack_round):
    with pytest.raises(DomainError, match="Only the committee"):
        running_session(knapsack_round, scrutineer)


# --- marks in person -------------------------------------------------------------------------


def test_no_mark_without_a_running_session(committee_client, client, committee, residents, knapsack_round):
    response = post(client, knapsack_round, {"action": "mark", "mark-username": residents[1].username})
    assert response.status_code == 400
    assert "only during a declared in-person session" in response.get_data(as_text=True)
    later = utcnow() + timedelta(days=1)
    upcoming = in_person.declare_session(
        committee, knapsack_round, place="广场", starts_at=later, ends_at=later + timedelta(hours=2)
    )
    with pytest.raises(DomainError, match="residents can be marked there only then"):
        in_person.mark_in_person(committee, knapsack_round, residents[1].username, upcoming)
    assert counts() == (0, 0, 0)


def test_no_mark_after_the_close(committee_client, client, committee, residents, knapsack_round):
    """The abuse the issue describes: after the close, marking residents who never came."""
    polling_session = running_session(knapsack_round, committee)
    close(knapsack_round)
    response = post(
        client,
        knapsack_round,
        {"action": "mark", "mark-session": polling_session.id, "mark-username": residents[1].username},
    )
    assert response.status_code == 400
    assert "Voting has closed: nobody can be marked" in response.get_data(as_text=True)
    assert counts() == (0, 0, 0)


def test_mark_during_a_session_tells_the_resident(committee_client, client, committee, residents, knapsack_round):
    residents[1].email = "wang@example.org"
    db.session.commit()
    polling_session = running_session(knapsack_round, committee)
    response = post(
        client,
        knapsack_round,
        {"action": "mark", "mark-session": polling_session.id, "mark-username": residents[1].username},
    )
    assert response.status_code == 303
    mark = db.session.scalar(select(RoundParticipation))
    assert (mark.channel, mark.user_id, mark.polling_session_id) == ("paper", residents[1].id, polling_session.id)
    entry = audit("round.voter_marked_in_person")[0]
    assert entry.actor_id == committee.id and entry.data["session_id"] == polling_session.id
    notice = db.session.scalar(
        select(Notification).where(Notification.user_id == residents[1].id, Notification.link.endswith("/objection"))
    )
    assert notice.link == f"/c/xinglin/rounds/{knapsack_round.id}/paper/objection"
    assert notice.params["place"] == "党群服务中心"
    mail = db.session.scalar(select(Outbox).where(Outbox.user_id == residents[1].id))
    assert "党群服务中心" in mail.body and f"/rounds/{knapsack_round.id}/paper/objection" in mail.body
    # They can no longer vote online; marking them twice, an online voter or nobody is refused.
    with pytest.raises(DomainError):
        casting.cast_ballot(residents[1], knapsack_round, (1,))
    again = post(client, knapsack_round, {"action": "mark", "mark-username": residents[1].username})
    assert again.status_code == 400 and "already marked as having voted in person" in again.get_data(as_text=True)
    casting.cast_ballot(residents[2], knapsack_round, (1,))
    online = post(client, knapsack_round, {"action": "mark", "mark-username": residents[2].username})
    assert online.status_code == 400 and "has already voted online" in online.get_data(as_text=True)
    nobody = post(client, knapsack_round, {"action": "mark", "mark-username": "ghost"})
    assert nobody.status_code == 400 and "No account with the user name" in nobody.get_data(as_text=True)


def test_several_running_sessions_need_a_choice(committee, residents, knapsack_round):
    running_session(knapsack_round, committee, "东门")
    west = running_session(knapsack_round, committee, "西门")
    with pytest.raises(DomainError, match="Several sessions are running"):
        in_person.mark_in_person(committee, knapsack_round, residents[1].username)
    assert (
        in_person.mark_in_person(committee, knapsack_round, residents[1].username, west).polling_session_id == west.id
    )


def test_only_the_committee_marks_and_enters(client, committee, scrutineer, residents, knapsack_round):
    polling_session = running_session(knapsack_round, committee)
    with pytest.raises(DomainError, match="Only the committee"):
        in_person.mark_in_person(scrutineer, knapsack_round, residents[2].username, polling_session)
    with pytest.raises(DomainError, match="Only the committee"):
        tally_sheets.enter_sheet(scrutineer, knapsack_round, polling_session, {(1,): 1}, 0)
    login(client, residents[1])
    assert client.get(PAPER.format(knapsack_round.id)).status_code == 403
    response = post(client, knapsack_round, {"action": "mark", "mark-username": residents[2].username})
    assert response.status_code == 403
    assert counts() == (0, 0, 0)


# --- tally sheets ----------------------------------------------------------------------------


def test_parse_sheet_lines(knapsack_round):
    text = "1 3 × 12\n\n1,3 x 2\n- × 2\n4\n2、4 * 3\n"
    assert tally_sheets.parse_sheet(knapsack_round, text) == {(1, 3): 14, (): 2, (4,): 1, (2, 4): 3}
    with pytest.raises(tally_sheets.SheetProblems) as problems:
        tally_sheets.parse_sheet(knapsack_round, "1 × many\n7 × 2\n1 2 3 × 1\n1 1 × 2\n2 × 0")
    assert [line for line, _message in problems.value.errors] == [1, 2, 3, 4, 5]
    messages = " ".join(str(m) for _l, m in problems.value.errors)
    for part in ("is not a number of ballots", "There is no option 7", "more than the budget", "named twice"):
        assert part in messages


def test_parse_yes_no_sheet(committee, community, matters):
    voting_round = open_round(committee, community, matters[:3], method="yes_no")
    assert tally_sheets.parse_sheet(voting_round, "1:yes 2:否 × 7\n1:abstain") == {
        ((1, "yes"), (2, "no")): 7,
        ((1, "abstain"),): 1,
    }
    assert tally_sheets.format_choices("yes_no", ((1, "yes"), (2, "no"))) == "1:yes 2:no"
    with pytest.raises(tally_sheets.SheetProblems, match="1 problems"):
        tally_sheets.parse_sheet(voting_round, "1:maybe × 2")


def test_sheet_entered_then_confirmed_by_a_second_person(
    committee_client, client, committee, scrutineer, residents, knapsack_round
):
    polling_session = running_session(knapsack_round, committee)
    for user in residents[1:4]:
        in_person.mark_in_person(committee, knapsack_round, user.username, polling_session)
    response = post(
        client,
        knapsack_round,
        {"action": "sheet", "sheet-session": polling_session.id, "sheet-lines": "1 4 × 1\n2 × 1", "sheet-spoilt": 1},
    )
    assert response.status_code == 303
    sheet = db.session.scalar(select(TallySheet))
    assert (sheet.status, sheet.ballots, sheet.spoilt, sheet.entered_by_id) == ("entered", 2, 1, committee.id)
    assert db.session.scalar(select(func.count(RoundBallot.id))) == 0  # not in the box before confirmation
    page = client.get(PAPER.format(knapsack_round.id)).get_data(as_text=True)
    assert "<code>1 4</code>" in page and "You entered this sheet: a second person must confirm it." in page
    # The one who entered it cannot confirm it.
    response = post(
        client, knapsack_round, {"action": "confirm", "sheet": sheet.id, f"confirm-{sheet.id}-checked": "y"}
    )
    assert response.status_code == 400 and "a second person must confirm it" in response.get_data(as_text=True)
    # The scrutineer (a council member) sees the page and confirms, after ticking the check box.
    login(client, scrutineer)
    client.get("/?lang=en")
    assert client.get(PAPER.format(knapsack_round.id)).status_code == 200
    unchecked = post(client, knapsack_round, {"action": "confirm", "sheet": sheet.id})
    assert unchecked.status_code == 400 and "Tick the box" in unchecked.get_data(as_text=True)
    assert db.session.get(TallySheet, sheet.id).status == "entered"
    response = post(
        client, knapsack_round, {"action": "confirm", "sheet": sheet.id, f"confirm-{sheet.id}-checked": "y"}
    )
    assert response.status_code == 303
    db.session.expire_all()
    sheet = db.session.get(TallySheet, sheet.id)
    assert (sheet.status, sheet.confirmed_by_id) == ("confirmed", scrutineer.id)
    assert sheet.lines is None  # the per-content lines leave the database once the ballots are in the box
    box = db.session.scalars(select(RoundBallot).where(RoundBallot.channel == "paper")).all()
    assert sorted(b.choices for b in box) == [[1, 4], [2]]
    entry = audit("round.tally_sheet_confirmed")[0]
    assert entry.actor_id == scrutineer.id and entry.data["ballots"] == 2 and entry.data["spoilt"] == 1
    assert "choices" not in str(audit("round.tally_sheet_entered")[0].data)
    rec = paper.reconciliation(knapsack_round)
    assert (rec.paper_ballots, rec.spoilt, rec.marked_in_person, rec.balanced) == (2, 1, 3, True)
    # Once confirmed, it cannot be confirmed again or rejected.
    with pytest.raises(DomainError, match="already confirmed or rejected"):
        tally_sheets.reject_sheet(committee, knapsack_round, sheet)


def test_a_sheet_is_rejected_and_corrected_before_confirmation(committee, scrutineer, residents, knapsack_round):
    polling_session = running_session(knapsack_round, committee)
    in_person.mark_in_person(committee, knapsack_round, residents[1].username, polling_session)
    wrong = tally_sheets.enter_sheet(committee, knapsack_round, polling_session, {(1,): 2}, 0)
    with pytest.raises(DomainError, match="already has a tally sheet"):
        tally_sheets.enter_sheet(committee, knapsack_round, polling_session, {(1,): 1}, 0)
    tally_sheets.reject_sheet(scrutineer, knapsack_round, wrong, "两张？只有一人登记")
    assert (wrong.status, wrong.active, wrong.lines, wrong.rejected_by_id) == ("rejected", None, None, scrutineer.id)
    assert audit("round.tally_sheet_rejected")[0].data["reason"] == "两张？只有一人登记"
    fixed = tally_sheets.enter_sheet(committee, knapsack_round, polling_session, {(1,): 1}, 0)
    tally_sheets.confirm_sheet(scrutineer, knapsack_round, fixed)
    assert paper.reconciliation(knapsack_round).balanced
    with pytest.raises(DomainError, match="Only a committee member or a council member"):
        tally_sheets.confirm_sheet(residents[2], knapsack_round, fixed)


def test_two_scrutineers_at_once_put_the_ballots_in_once(committee, scrutineer, residents, knapsack_round):
    polling_session = running_session(knapsack_round, committee)
    in_person.mark_in_person(committee, knapsack_round, residents[1].username, polling_session)
    sheet = tally_sheets.enter_sheet(committee, knapsack_round, polling_session, {(1,): 1}, 0)
    stale = db.session.get(TallySheet, sheet.id)
    # Another scrutineer's confirmation lands between this one's reading and writing.
    db.session.execute(
        sa_update(TallySheet)
        .where(TallySheet.id == sheet.id)
        .values(status="confirmed")
        .execution_options(synchronize_session=False)
    )
    assert stale.status == "entered"
    with pytest.raises(DomainError, match="already confirmed or rejected"):
        tally_sheets.confirm_sheet(scrutineer, knapsack_round, stale)
    assert db.session.scalar(select(func.count(RoundBallot.id))) == 0


def test_no_sheet_before_its_session_starts(committee, knapsack_round):
    later = utcnow() + timedelta(days=1)
    upcoming = in_person.declare_session(
        committee, knapsack_round, place="广场", starts_at=later, ends_at=later + timedelta(hours=2)
    )
    with pytest.raises(DomainError, match="its tally sheet can be entered and confirmed from then"):
        tally_sheets.enter_sheet(committee, knapsack_round, upcoming, {(1,): 1}, 0)


def test_sheet_after_the_close_until_the_count(
    committee_client, client, committee, scrutineer, residents, knapsack_round
):
    polling_session = running_session(knapsack_round, committee)
    in_person.mark_in_person(committee, knapsack_round, residents[1].username, polling_session)
    close(knapsack_round)
    response = post(
        client,
        knapsack_round,
        {"action": "sheet", "sheet-session": polling_session.id, "sheet-lines": "1", "sheet-spoilt": 0},
    )
    assert response.status_code == 303
    tally_sheets.confirm_sheet(scrutineer, knapsack_round, db.session.scalar(select(TallySheet)))
    counting.count_round(committee, knapsack_round)
    response = post(
        client,
        knapsack_round,
        {"action": "sheet", "sheet-session": polling_session.id, "sheet-lines": "2", "sheet-spoilt": 0},
    )
    assert response.status_code == 400
    assert "paper ballots can no longer be recorded" in response.get_data(as_text=True)


# --- the count refuses while paper and marks disagree ----------------------------------------


def test_count_refused_while_a_sheet_is_unconfirmed_or_unbalanced(
    committee_client, client, committee, scrutineer, residents, knapsack_round
):
    polling_session = running_session(knapsack_round, committee)
    for user in residents[1:4]:
        in_person.mark_in_person(committee, knapsack_round, user.username, polling_session)
    sheet = tally_sheets.enter_sheet(committee, knapsack_round, polling_session, {(1,): 2}, 0)
    close(knapsack_round)
    response = client.post(
        f"/c/xinglin/rounds/{knapsack_round.id}/count", data={"understood": "y"}, follow_redirects=True
    )
    page = response.get_data(as_text=True)
    assert "The count is refused." in page and "is not confirmed yet" in page
    assert knapsack_round.result is None
    tally_sheets.confirm_sheet(scrutineer, knapsack_round, sheet)
    with pytest.raises(paper.PaperNotBalanced) as refused:
        counting.count_round(committee, knapsack_round)
    message = str(refused.value.message)
    assert "3 residents are marked as having voted in person" in message and "1 ballots fewer" in message
    assert "党群服务中心" in message and "paper ballots page" in message
    assert counting.count_due() == []  # the cron job refuses too
    page = client.get(f"/c/xinglin/rounds/{knapsack_round.id}/results").get_data(as_text=True)
    assert "The count is refused until they agree." in page


def test_too_many_paper_ballots_are_refused_too(committee, scrutineer, residents, knapsack_round):
    supervised_paper(knapsack_round, committee, scrutineer, residents[1:2], {(1,): 1, (2,): 1})
    close(knapsack_round)
    with pytest.raises(paper.PaperNotBalanced, match="1 ballots more"):
        counting.count_round(committee, knapsack_round)


@pytest.mark.slow
def test_balanced_paper_is_counted_with_equal_shares(
    committee_client, client, committee, scrutineer, community, matters, residents
):
    """The sheet keeps each ballot's content, so the Method of Equal Shares counts paper ballots too."""
    # Project 2's one voter holds 50,000 (200,000 / 4): at 50,010 the completion raises the shares ten
    # times to fund it (at 80,000 it would be raised 30,000 times, four seconds of counting).
    costs = [50_000, 50_010, 120_000, 30_000, 90_000, 60_000]
    voting_round = open_round(committee, community, matters, allocation="mes", costs=costs)
    casting.cast_ballot(residents[0], voting_round, (1, 4))
    supervised_paper(voting_round, committee, scrutineer, residents[1:5], {(1, 4): 2, (2,): 1}, spoilt=1)
    close(voting_round)
    response = client.post(f"/c/xinglin/rounds/{voting_round.id}/count", data={"understood": "y"})
    assert response.status_code == 303
    db.session.expire_all()
    result = voting_round.result
    assert (result.ballots_counted, result.paper_ballots, result.marked_in_person) == (4, 3, 4)
    assert result.votes["1"] == 3 and result.votes["2"] == 1
    assert result.winners == [4, 1, 2]
    page = client.get(f"/c/xinglin/rounds/{voting_round.id}/results").get_data(as_text=True)
    assert "In-person sessions and their tally sheets" in page and "党群服务中心" in page
    assert 'Counted by <span class="person">居委会 周主任</span> <span class="official-badge">' in page
    assert 'confirmed by <span class="person">议事员 李监票</span>' in page
    assert "Spoilt paper ballots (not counted)" in page and "Balanced" in page


# --- objections ("that was not me") ----------------------------------------------------------


def test_that_was_not_me(client, committee, scrutineer, residents, knapsack_round):
    supervised_paper(knapsack_round, committee, scrutineer, residents[1:3], {(1,): 2})
    login(client, residents[1])
    client.get("/?lang=en")
    url = f"/c/xinglin/rounds/{knapsack_round.id}/paper/objection"
    page = client.get(url).get_data(as_text=True)
    assert "You were recorded as voting on paper at 党群服务中心" in page
    response = client.post(url, data={"note": "那天我不在"})
    assert response.status_code == 303
    objection = db.session.scalar(select(PaperObjection))
    assert (objection.user_id, objection.recorded_by_id, objection.note) == (
        residents[1].id,
        committee.id,
        "那天我不在",
    )
    assert objection.session_id is not None
    assert audit("round.in_person_mark_objected")[0].actor_id == residents[1].id
    told = db.session.scalars(select(Notification.user_id).where(Notification.link.endswith("/paper"))).all()
    assert set(told) == {committee.id, scrutineer.id}
    again = client.post(url, data={"note": ""})
    assert again.status_code == 400 and "already objected" in again.get_data(as_text=True)
    login(client, residents[3])
    client.get("/?lang=en")
    unmarked = client.post(url, data={"note": ""})
    assert unmarked.status_code == 400 and "You are not marked" in unmarked.get_data(as_text=True)
    assert db.session.scalar(select(func.count(PaperObjection.id))) == 1
    # Listed for the council on the paper page, and counted per session on the results page.
    login(client, scrutineer)
    page = client.get(PAPER.format(knapsack_round.id)).get_data(as_text=True)
    assert "Objections: “that was not me” (1)" in page and "那天我不在" in page
    results = client.get(f"/c/xinglin/rounds/{knapsack_round.id}/results").get_data(as_text=True)
    assert "Objections (“that was not me”): 1" in results
    assert "那天我不在" not in results and residents[1].display_name not in results


# --- CSV import of a tally sheet -------------------------------------------------------------


def test_csv_template_download(client, knapsack_round):
    response = client.get(f"/c/xinglin/rounds/{knapsack_round.id}/paper/template.csv")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert response.get_data(as_text=True) == "choices,count\n"


def test_csv_import_fills_a_sheet(committee_client, client, committee, knapsack_round):
    polling_session = running_session(knapsack_round, committee)
    response = upload(
        client, knapsack_round, polling_session, 'choices,count\n1 4,3\n\n"2, 3",\n-,2\n1 4,1\n', spoilt=1
    )
    assert response.status_code == 303
    sheet = db.session.scalar(select(TallySheet))
    assert (sheet.source, sheet.ballots, sheet.spoilt) == ("csv", 7, 1)
    assert sheet.lines == [[[], 2], [[1, 4], 4], [[2, 3], 1]]  # the same content on two lines is added up


def test_csv_import_gb18030_from_excel(committee_client, client, committee, knapsack_round):
    polling_session = running_session(knapsack_round, committee)
    response = upload(client, knapsack_round, polling_session, "choices,count\r\n1、4,2\r\n", "gb18030")
    assert response.status_code == 303
    assert db.session.scalar(select(TallySheet.ballots)) == 2


def test_csv_errors_with_line_numbers_and_nothing_entered(committee_client, client, committee, knapsack_round):
    polling_session = running_session(knapsack_round, committee)
    text = (
        "\n".join(
            [
                "choices,count",
                "1 4,2",  # 2: fine
                "7,1",  # 3: no option 7
                "1 2 3,1",  # 4: over budget
                "one,1",  # 5: not a number
                "1,1,2",  # 6: three columns
                "2,lots",  # 7: not a count
            ]
        )
        + "\n"
    )
    response = upload(client, knapsack_round, polling_session, text)
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert "The tally sheet was not entered: 5 problems." in html
    for line, message in [
        (3, "There is no option 7"),
        (4, "more than the budget"),
        (5, "is not an option number"),
        (6, "Expected 2 columns"),
        (7, "is not a number of ballots"),
    ]:
        row = re.search(rf'<td class="num">{line}</td><td>([^<]*)</td>', html)
        assert row and message in row.group(1), (line, message)
    assert counts()[2] == 0


@pytest.mark.parametrize(
    "data, message",
    [
        (b"", "The file is empty."),
        (b"voter,choices\nx,1\n", "The first line must be the header"),
        (b"choices,count\n", "The file has no ballots below the header."),
        (b"\xff\xfe\x00\x00garbage\x00\x81", "not"),
        (b'choices,count\n"unterminated,1\n', "Expected 2 columns"),
    ],
)
def test_malformed_csv(committee_client, client, committee, knapsack_round, data, message):
    polling_session = running_session(knapsack_round, committee)
    response = upload(client, knapsack_round, polling_session, data)
    assert response.status_code == 400
    assert message in response.get_data(as_text=True)
    assert counts() == (0, 0, 0)


def test_yes_no_csv(committee_client, client, committee, community, matters):
    voting_round = open_round(committee, community, matters[:3], method="yes_no")
    polling_session = running_session(voting_round, committee)
    response = upload(client, voting_round, polling_session, "choices,count\n1:yes 2:否 3:abstain,2\n1:maybe,1\n")
    assert response.status_code == 400 and "is not of the form number:yes" in response.get_data(as_text=True)
    response = upload(client, voting_round, polling_session, "choices,count\n1:yes 2:否 3:abstain,2\n")
    assert response.status_code == 303
    assert db.session.scalar(select(TallySheet.lines)) == [[[[1, "yes"], [2, "no"], [3, "abstain"]], 2]]


# --- the demo --------------------------------------------------------------------------------


@pytest.mark.slow
def test_demo_shows_a_supervised_paper_session(app, client, load_demo):
    from app.voting import demo

    context = load_demo(until=demo.load)  # the steps up to and including voting's
    budget = context["rounds"][0]
    [record] = paper.session_records(budget)
    sheet = record.confirmed
    assert budget.opens_at <= record.session.starts_at < record.session.ends_at <= budget.closes_at
    assert record.marked == demo.PAPER_BALLOTS and record.difference == 0 and record.objections == 1
    assert sheet.entered_by_id == context["committee"].id and sheet.confirmed_by_id == context["council"][1].id
    assert sheet.spoilt == demo.SPOILT_BALLOTS and sheet.lines is None
    marks = in_person.in_person_voters(budget)
    assert all(record.session.is_running(m.created_at) for m in marks)
    assert budget.result.paper_ballots == demo.PAPER_BALLOTS - demo.SPOILT_BALLOTS
    html = client.get(f"/c/xinglin/rounds/{budget.id}/results?lang=en").get_data(as_text=True)
    assert "党群服务中心一楼大厅" in html and "(scrutineer)" in html
    # The open round has a session declared for tomorrow, listed for residents.
    upcoming = in_person.list_sessions(context["rounds"][1])
    assert len(upcoming) == 1 and upcoming[0].starts_at > utcnow()
