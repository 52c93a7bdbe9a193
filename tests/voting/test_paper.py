"""Paper ballots: marking residents who voted in person, entering ballots, CSV imports, reconciliation."""
import io
import re

import pytest
from sqlalchemy import func, select

from app.extensions import db
from app.voting import services
from app.voting.models import PaperBallot, RoundBallot, RoundParticipation
from tests.conftest import login

from .conftest import close, option_ids


@pytest.fixture
def committee_client(client, committee):
    login(client, committee)
    client.get("/?lang=en")
    return client


def counts():
    return (db.session.scalar(select(func.count(RoundBallot.id))),
            db.session.scalar(select(func.count(RoundParticipation.id))),
            db.session.scalar(select(func.count(PaperBallot.id))))


def upload(client, voting_round, text, encoding="utf-8"):
    data = text.encode(encoding) if isinstance(text, str) else text
    return client.post(f"/c/xinglin/rounds/{voting_round.id}/paper",
                       data={"action": "import", "file": (io.BytesIO(data), "paper.csv")},
                       content_type="multipart/form-data")


def test_marking_in_person_blocks_the_online_ballot(committee_client, client, residents, knapsack_round):
    response = client.post(f"/c/xinglin/rounds/{knapsack_round.id}/paper",
                           data={"action": "mark", "username": residents[1].username})
    assert response.status_code == 303
    mark = db.session.scalar(select(RoundParticipation))
    assert mark.channel == "paper" and mark.user_id == residents[1].id
    with pytest.raises(services.DomainError):
        services.cast_ballot(residents[1], knapsack_round, (1,))
    assert services.standing(residents[1], knapsack_round).reason is not None
    # Marking them twice, or someone who voted online, is refused.
    again = client.post(f"/c/xinglin/rounds/{knapsack_round.id}/paper",
                        data={"action": "mark", "username": residents[1].username})
    assert again.status_code == 400 and "already marked as having voted in person" in again.get_data(as_text=True)
    services.cast_ballot(residents[2], knapsack_round, (1,))
    online = client.post(f"/c/xinglin/rounds/{knapsack_round.id}/paper",
                         data={"action": "mark", "username": residents[2].username})
    assert online.status_code == 400 and "has already voted online" in online.get_data(as_text=True)
    nobody = client.post(f"/c/xinglin/rounds/{knapsack_round.id}/paper", data={"action": "mark", "username": "ghost"})
    assert nobody.status_code == 400 and "No account with the user name" in nobody.get_data(as_text=True)


def test_entering_paper_ballots_and_reconciliation(committee_client, client, residents, knapsack_round):
    client.post(f"/c/xinglin/rounds/{knapsack_round.id}/paper", data={"action": "mark", "username": residents[1].username})
    client.post(f"/c/xinglin/rounds/{knapsack_round.id}/paper", data={"action": "mark", "username": residents[2].username})
    response = client.post(f"/c/xinglin/rounds/{knapsack_round.id}/paper",
                           data={"action": "ballot", "option": option_ids(knapsack_round, 1, 2)})
    assert response.status_code == 303
    paper = db.session.scalar(select(RoundBallot).where(RoundBallot.channel == "paper"))
    assert paper.voter_key is None and paper.user_id is None and paper.choices == [1, 2]
    assert db.session.scalar(select(PaperBallot)).source == "form"
    services.cast_ballot(residents[3], knapsack_round, (3,))
    rec = services.reconciliation(knapsack_round)
    assert (rec.online_ballots, rec.paper_ballots, rec.marked_online, rec.marked_in_person) == (1, 1, 1, 2)
    assert not rec.balanced and rec.paper_difference == -1
    page = client.get(f"/c/xinglin/rounds/{knapsack_round.id}/paper").get_data(as_text=True)
    assert "1 voters are marked as having voted in person, but their paper ballots are not entered yet." in page
    over = client.post(f"/c/xinglin/rounds/{knapsack_round.id}/paper",
                       data={"action": "ballot", "option": option_ids(knapsack_round, 1, 2, 3)})
    assert over.status_code == 400 and "more than the budget" in over.get_data(as_text=True)
    client.post(f"/c/xinglin/rounds/{knapsack_round.id}/paper",
                data={"action": "ballot", "option": option_ids(knapsack_round, 4)})
    assert services.reconciliation(knapsack_round).balanced


def test_only_the_committee_records_paper(client, residents, knapsack_round):
    login(client, residents[1])
    assert client.get(f"/c/xinglin/rounds/{knapsack_round.id}/paper").status_code == 403
    response = client.post(f"/c/xinglin/rounds/{knapsack_round.id}/paper",
                           data={"action": "mark", "username": residents[2].username})
    assert response.status_code == 403
    with pytest.raises(services.DomainError):
        services.enter_paper_ballot(residents[1], knapsack_round, (1,))
    assert counts() == (0, 0, 0)


def test_paper_after_the_close_until_the_count(committee_client, client, committee, residents, knapsack_round):
    close(knapsack_round)
    response = client.post(f"/c/xinglin/rounds/{knapsack_round.id}/paper",
                           data={"action": "ballot", "option": option_ids(knapsack_round, 1)})
    assert response.status_code == 303
    services.count_round(committee, knapsack_round)
    response = client.post(f"/c/xinglin/rounds/{knapsack_round.id}/paper",
                           data={"action": "ballot", "option": option_ids(knapsack_round, 2)})
    assert response.status_code == 400
    assert "from the opening until the count" in response.get_data(as_text=True)


def test_csv_template_download(client, knapsack_round):
    response = client.get(f"/c/xinglin/rounds/{knapsack_round.id}/paper/template.csv")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert response.get_data(as_text=True) == "voter,choices\n"


def test_csv_import(committee_client, client, residents, knapsack_round):
    text = f"voter,choices\n{residents[1].username},1 4\n\n{residents[2].username},\"2, 3\"\n{residents[3].username},\n"
    response = upload(client, knapsack_round, text)
    assert response.status_code == 303
    assert counts() == (3, 3, 3)
    rows = db.session.scalars(select(PaperBallot).order_by(PaperBallot.csv_line)).all()
    assert [r.csv_line for r in rows] == [2, 4, 5]
    assert sorted(r.ballot.choices for r in rows) == [[], [1, 4], [2, 3]]
    assert services.reconciliation(knapsack_round).balanced
    # The residents imported are now blocked online.
    with pytest.raises(services.DomainError):
        services.cast_ballot(residents[1], knapsack_round, (1,))


def test_csv_import_gb18030_from_excel(committee_client, client, residents, knapsack_round):
    response = upload(client, knapsack_round, f"voter,choices\r\n{residents[1].username},1、4\r\n", "gb18030")
    assert response.status_code == 303
    assert counts()[0] == 1


def test_csv_errors_with_line_numbers_and_nothing_imported(committee_client, client, residents, pending,
                                                           knapsack_round):
    services.cast_ballot(residents[4], knapsack_round, (1,))
    before = counts()
    text = "\n".join([
        "voter,choices",
        f"{residents[1].username},1 4",  # 2: fine
        "ghost,1",  # 3: no such account
        f"{residents[2].username},7",  # 4: no option 7
        f"{residents[3].username},1 2 3",  # 5: over budget
        f"{residents[1].username},2",  # 6: the same voter again
        f"{pending.username},1",  # 7: not verified
        f"{residents[4].username},2",  # 8: already voted online
        f"{residents[5].username},one",  # 9: not a number
        f"{residents[5].username},1,2",  # 10: three columns
    ]) + "\n"
    response = upload(client, knapsack_round, text)
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert "The file was not imported: 8 problems." in html
    for line, message in [(3, "No account with the user name"), (4, "There is no option 7"),
                          (5, "more than the budget"), (6, "already on line 2"),
                          (7, "Only verified residents"), (8, "has already voted in this round"),
                          (9, "is not an option number"), (10, "Expected 2 columns")]:
        row = re.search(rf'<td class="num">{line}</td><td>([^<]*)</td>', html)
        assert row and message in row.group(1), (line, message)
    assert counts() == before


@pytest.mark.parametrize("data, message", [
    (b"", "The file is empty."),
    (b"name,vote\nx,1\n", "The first line must be the header"),
    (b"voter,choices\n", "The file has no ballots below the header."),
    (b"\xff\xfe\x00\x00garbage\x00\x81", "not"),
    (b"voter,choices\n\"unterminated,1\n", "Expected 2 columns"),
])
def test_malformed_csv(committee_client, client, knapsack_round, data, message):
    response = upload(client, knapsack_round, data)
    assert response.status_code == 400
    assert message in response.get_data(as_text=True)
    assert counts() == (0, 0, 0)


def test_yes_no_csv(committee_client, client, committee, community, matters, residents):
    from .conftest import open_round

    voting_round = open_round(committee, community, matters[:3], method="yes_no")
    text = f"voter,choices\n{residents[1].username},1:yes 2:否 3:abstain\n{residents[2].username},1:maybe\n"
    response = upload(client, voting_round, text)
    assert response.status_code == 400 and "is not of the form number:yes" in response.get_data(as_text=True)
    response = upload(client, voting_round, f"voter,choices\n{residents[1].username},1:yes 2:否 3:abstain\n")
    assert response.status_code == 303
    assert db.session.scalar(select(RoundBallot.choices)) == [[1, "yes"], [2, "no"], [3, "abstain"]]
