"""bench/ballot_floor_app.py (`bench/ballot_storm.py --floor`) still casts a ballot: a voter logged in
the way the storm logs its voters in, the ballot page with a token, a POST stored once, a second
refused, a POST without the token refused.

The floor app runs with the Flask test client in a fresh interpreter: in this one the app's data
versions (app.core.versions) hook every engine's commits and would write to tables the floor has not.
"""

import json
import subprocess
import sys
from pathlib import Path

BENCH = Path(__file__).resolve().parents[2] / "bench"

CAST = """
import json, re, sys
import ballot_floor_app as floor

app = floor.create_app("sqlite:///" + sys.argv[1], "floor-test-secret-key-0123456789abcdef")
data = floor.seed(app, voters=2, rounds=1)
client = app.test_client()
client.set_cookie("session", data["voters"][0]["cookie"])
path = "/c/floor/rounds/1"
page = client.get(path)
token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page.text).group(1)
seen = {"page": page.status_code, "options": page.text.count('name="option"')}
seen["without token"] = client.post(path, data={"option": [1]}).status_code
first = client.post(path, data={"csrf_token": token, "option": [1, 3]})
seen["first"], seen["location"] = first.status_code, first.headers["Location"]
seen["second"] = client.post(path, data={"csrf_token": token, "option": [2]}).status_code
seen["page after"] = "You have voted" in client.get(path).text
stranger = app.test_client()
seen["not logged in"] = stranger.get(path).status_code
pairs, ballots = floor.stored(app)
seen["stored"], seen["ballots"] = sorted(pairs), ballots
seen["voter"], seen["round"] = data["voters"][0]["id"], data["rounds"][0]["id"]
print(json.dumps(seen))
"""


def test_the_floor_app_stores_a_ballot_once(tmp_path):
    result = subprocess.run(
        [sys.executable, "-c", CAST, str(tmp_path / "floor.db")],
        cwd=BENCH,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    seen = json.loads(result.stdout.strip().splitlines()[-1])
    assert seen["page"] == 200
    assert seen["options"] == 3
    assert seen["without token"] == 400
    assert seen["first"] == 303
    assert seen["location"].endswith("/c/floor/rounds/1/receipt")
    assert seen["second"] == 409
    assert seen["page after"] is True
    assert seen["not logged in"] == 401
    assert seen["stored"] == [[seen["voter"], seen["round"]]]
    assert seen["ballots"] == 1
