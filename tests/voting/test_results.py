"""The count: results page, micro-matters moving on, published files, and verifying them
with `flask --app wsgi tally verify` and with the standalone tools/verify_tally.py."""

import json
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import select, update

from app.audit.models import AuditEntry
from app.core.errors import DomainError
from app.extensions import db
from app.matters.models import MicroMatter
from app.notifications.models import Notification
from app.voting import casting, counting, tally
from app.voting.models import RoundBallot, RoundResult
from tests.helpers import login

from .helpers import close, open_round, supervised_paper

ROOT = Path(__file__).resolve().parents[2]


def vote(residents, voting_round, ballots):
    for user, choices in zip(residents, ballots, strict=False):
        casting.cast_ballot(user, voting_round, tuple(choices))


@pytest.fixture
def counted(client, make, committee, community, matters, residents):
    """A knapsack round (budget 200,000) with five ballots and a paper ballot, closed and counted (greedy)."""
    voting_round = open_round(committee, community, matters)
    # votes: 1 -> 4, 2 -> 3, 3 -> 1, 4 -> 3, 5 -> 0, 6 -> 1
    vote(residents, voting_round, [(1, 2), (1, 2, 4), (1, 4), (3,), (1, 4, 6)])
    supervised_paper(voting_round, committee, make.user(admin=True), [residents[5]], {(2,): 1})
    close(voting_round)
    login(client, committee)
    client.get("/?lang=en")
    response = client.post(f"/c/xinglin/rounds/{voting_round.id}/count", data={"understood": "y"})
    assert response.status_code == 303
    db.session.expire_all()
    return voting_round


def test_count_stores_the_result_and_moves_the_matters(counted, matters, residents):
    result = counted.result
    assert result.ruleset_version == 1 and result.electorate == 7  # 6 residents + the committee member
    assert result.ballots_counted == 6 and result.online_ballots == 5 and result.paper_ballots == 1
    assert result.votes == {"1": 4, "2": 3, "3": 1, "4": 3, "5": 0, "6": 1}
    # Greedy by votes: 1 (50,000), then 2 and 4 tie on 3 votes: 4 is cheaper (30,000) so first, then 2
    # (80,000): 160,000; 3 (120,000) does not fit in 40,000; 6 (60,000) does not either.
    assert result.winners == [1, 4, 2] and result.total_cost == 160_000
    status = {m.id: db.session.get(MicroMatter, m.id).status for m in matters}
    assert [status[m.id] for m in matters] == ["approved", "approved", "rejected", "approved", "rejected", "rejected"]
    approve = db.session.scalar(
        select(AuditEntry).where(AuditEntry.action == "matter.approve", AuditEntry.object_id == matters[0].id)
    )
    assert approve.data["round_id"] == counted.id and approve.data["budget"] == 50_000
    reject = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "matter.reject"))
    assert reject.data["round_id"] == counted.id
    # Online voters hear about the results.
    assert db.session.scalar(
        select(Notification).where(Notification.user_id == residents[1].id, Notification.link.like("%/results"))
    )


def test_results_page(client, counted):
    html = client.get(f"/c/xinglin/rounds/{counted.id}/results").get_data(as_text=True)
    assert "6 ballots from 7 eligible residents: 85.7%." in html
    assert "Online 5, paper 1." in html
    assert "Greedy by votes" in html
    assert "skipped, it does not fit" in html
    assert "Not funded in this round" in html
    assert "<svg" in html and 'role="img"' in html
    assert "Balanced: every voter marked has exactly one ballot." in html
    assert "tools/verify_tally.py" in html
    assert len(html.encode()) < 50_000


def test_count_only_after_the_close_and_only_once(client, committee, community, matters, residents):
    voting_round = open_round(committee, community, matters)
    login(client, committee)
    client.get("/?lang=en")
    client.post(f"/c/xinglin/rounds/{voting_round.id}/count", data={"understood": "y"})
    assert voting_round.result is None
    assert "only after it closes" in client.get(f"/c/xinglin/rounds/{voting_round.id}/results").get_data(as_text=True)
    close(voting_round)
    counting.count_round(committee, voting_round)
    with pytest.raises(DomainError):
        counting.count_round(committee, voting_round)
    assert len(db.session.scalars(select(RoundResult)).all()) == 1


def test_residents_cannot_count(client, committee, community, matters, residents):
    voting_round = open_round(committee, community, matters)
    close(voting_round)
    login(client, residents[1])
    client.post(f"/c/xinglin/rounds/{voting_round.id}/count", data={"understood": "y"})
    db.session.expire_all()
    assert voting_round.result is None
    with pytest.raises(DomainError):
        counting.count_round(residents[1], voting_round)


def test_before_the_count_files_are_not_published(client, knapsack_round):
    for path in ("ballots", "ballots.csv", "ballots.pb", "round.json"):
        assert client.get(f"/c/xinglin/rounds/{knapsack_round.id}/{path}").status_code == 404


def test_published_files_have_no_identities(client, counted, residents):
    pb = client.get(f"/c/xinglin/rounds/{counted.id}/ballots.pb")
    assert pb.status_code == 200 and "attachment" in pb.headers["Content-Disposition"]
    text = pb.get_data(as_text=True)
    csv_text = client.get(f"/c/xinglin/rounds/{counted.id}/ballots.csv").get_data(as_text=True)
    doc = client.get(f"/c/xinglin/rounds/{counted.id}/round.json").get_json(force=True)
    listing = client.get(f"/c/xinglin/rounds/{counted.id}/ballots").get_data(as_text=True)
    for user in residents:
        for blob in (text, csv_text, json.dumps(doc, ensure_ascii=False)):
            assert user.username not in blob and user.display_name not in blob
    assert "selected" in text and "rule;greedy" in text and "VOTES" in text
    # Ballots are named by their random ids, in the order of those ids (nothing about casting order).
    ids = sorted(db.session.scalars(select(RoundBallot.id).where(RoundBallot.round_id == counted.id)).all())
    assert [int(line.split(";")[0]) for line in text.split("VOTES\n")[1].splitlines()[1:]] == ids
    assert [int(line.split(",")[0]) for line in csv_text.splitlines()[1:]] == ids
    for user in residents:
        assert user.display_name not in listing
    assert doc["winners"] == [1, 4, 2] and doc["electorate"] == 7 and doc["valid"] is True
    assert doc["rule"] == "greedy" and doc["min_turnout_percent"] == 10
    assert tally.verify(tally.parse_pb(text)).match
    assert tally.verify(tally.parse_csv_and_round(csv_text, doc)).match


def test_verify_command_match_and_mismatch(app, counted):
    runner = app.test_cli_runner()
    result = runner.invoke(args=["tally", "verify", str(counted.id)])
    assert result.exit_code == 0, result.output
    assert "match" in result.output.splitlines()[-1]
    # Someone edits a counted ballot in the database after the count.
    ballot = db.session.scalar(select(RoundBallot).where(RoundBallot.channel == "online").order_by(RoundBallot.id))
    db.session.execute(update(RoundBallot).where(RoundBallot.id == ballot.id).values(choices=[3, 5]))
    db.session.commit()
    result = runner.invoke(args=["tally", "verify", str(counted.id)])
    assert result.exit_code == 1
    assert "mismatch" in result.output
    assert "differs from the one fixed at the count" in result.output
    assert runner.invoke(args=["tally", "verify", "999"]).exit_code == 2


def run_script(*args):
    code = (
        "import runpy, sys\n"
        f"sys.argv = ['verify_tally.py', *{list(args)!r}]\n"
        "try:\n"
        f"    runpy.run_path({str(ROOT / 'tools' / 'verify_tally.py')!r}, run_name='__main__')\n"
        "except SystemExit as exit:\n"
        "    code = exit.code\n"
        "print('FLASK LOADED' if 'flask' in sys.modules else 'NO FLASK')\n"
        "sys.exit(code)\n"
    )
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120, cwd="/")


def test_standalone_script(client, counted, tmp_path):
    pb = tmp_path / f"round-{counted.id}.pb"
    pb.write_bytes(client.get(f"/c/xinglin/rounds/{counted.id}/ballots.pb").get_data())
    done = run_script(str(pb))
    assert done.returncode == 0, done.stdout + done.stderr
    assert "MATCH" in done.stdout and "NO FLASK" in done.stdout
    csv_path, json_path = tmp_path / "ballots.csv", tmp_path / "round.json"
    csv_path.write_bytes(client.get(f"/c/xinglin/rounds/{counted.id}/ballots.csv").get_data())
    json_path.write_bytes(client.get(f"/c/xinglin/rounds/{counted.id}/round.json").get_data())
    done = run_script("--csv", str(csv_path), "--round", str(json_path))
    assert done.returncode == 0, done.stdout + done.stderr
    # A file where a losing project is marked selected does not match.
    lines = pb.read_text(encoding="utf-8").splitlines()
    lines = [line[:-1] + "1" if line.startswith("3;120000;") else line for line in lines]
    pb.write_text("\n".join(lines), encoding="utf-8")
    done = run_script(str(pb))
    assert done.returncode == 1 and "MISMATCH" in done.stdout
    (tmp_path / "junk.pb").write_text("nothing here", encoding="utf-8")
    assert run_script(str(tmp_path / "junk.pb")).returncode == 2


@pytest.mark.slow
def test_mes_round_results_explain_the_shares(client, committee, community, matters, residents):
    # Project 6 costs 10 yuan more than its one supporter has left at the first share (25,000 less
    # 15,000 for project 4): the completion raises the shares ten times, then the outcome is
    # exhaustive. (At 60,000 it would be raised 31,666 times, five seconds of counting, twice.)
    costs = [50_000, 80_000, 120_000, 30_000, 90_000, 10_010]
    voting_round = open_round(committee, community, matters, allocation="mes", budget=150_000, costs=costs)
    vote(residents, voting_round, [(1, 2), (1, 2), (1,), (3,), (4,), (4, 6)])
    close(voting_round)
    counting.count_round(committee, voting_round)
    assert voting_round.result.winners == [1, 4, 6]
    client.get("/?lang=en")
    html = client.get(f"/c/xinglin/rounds/{voting_round.id}/results").get_data(as_text=True)
    assert "(pabulib: equalshares/add1). Each of the 6 voters held an equal share of the budget" in html
    assert "25,000.00 yuan" in html  # 150,000 / 6
    assert "paid by" in html
    assert "every share was raised by 1 yuan" in html
    assert "The final share was 25,010.00 yuan per voter." in html
    assert "paid by 3 supporters, at most 16,666.67 yuan each" in html  # 50,000 / 3
    assert counting.verify_round(voting_round).match
    assert "rule;equalshares/add1" in client.get(f"/c/xinglin/rounds/{voting_round.id}/ballots.pb").get_data(
        as_text=True
    )


def test_yes_no_round_results(client, committee, community, matters, residents):
    voting_round = open_round(committee, community, matters[:3], method="yes_no", budget=200_000)
    answers = [((1, "yes"), (2, "no")), ((1, "yes"), (2, "yes")), ((1, "no"), (2, "yes"), (3, "abstain"))]
    for user, choices in zip(residents, answers, strict=False):
        casting.cast_ballot(user, voting_round, tally.normalise("yes_no", choices))
    close(voting_round)
    counting.count_round(committee, voting_round)
    result = voting_round.result
    assert result.votes == {"1": 2, "2": 2, "3": 0} and result.no_votes == {"1": 1, "2": 1, "3": 0}
    # The residents' own majority (not the council's "members present"): yes > half of yes + no.
    assert result.winners == [1, 2]
    assert (result.rule, result.majority_rule, result.majority_base, result.valid) == (
        "majority",
        "simple",
        "yes_no",
        True,
    )
    client.get("/?lang=en")
    html = client.get(f"/c/xinglin/rounds/{voting_round.id}/results").get_data(as_text=True)
    assert "A project passes when its yes votes are more than half of the yes and no votes on it." in html
    assert "Valid: the turnout reached the required minimum of 10%." in html
    assert "pabulib file (.pb)" not in html and "--csv round-" in html
    assert counting.verify_round(voting_round).match
    # A yes/no round is not an approval election: no .pb file, its CSV and JSON only.
    assert client.get(f"/c/xinglin/rounds/{voting_round.id}/ballots.pb").status_code == 404
    assert (
        client.get(f"/c/xinglin/rounds/{voting_round.id}/round.json").get_json(force=True)["majority_base"] == "yes_no"
    )


def test_count_due_command(app, committee, community, matters, residents):
    voting_round = open_round(committee, community, matters)
    vote(residents, voting_round, [(1,)])
    close(voting_round)
    result = app.test_cli_runner().invoke(args=["tally", "count-due"])
    assert result.exit_code == 0 and "1 rounds counted" in result.output
    db.session.expire_all()
    assert voting_round.result is not None and voting_round.result.counted_by_id == committee.id
