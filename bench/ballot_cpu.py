#!/usr/bin/env python3
"""CPU per ballot in-process: the ballot page (GET), the ballot (POST) and the receipt page the POST
redirects to, through the Flask test client, with the production configuration (CSRF on).

    python bench/ballot_cpu.py [--voters 400] [--rounds 2] [--warmup 40] [--repeat 1] [--before DIR]
                               [--profile get|post|receipt] [--sql]

A temporary SQLite file gets the schema (create_all) and the storm's data (bench/ballot_storm.py
`populate`: one community, verified voters, open approval rounds of three options). Each voter then
does what a phone does: opens the ballot page, posts the form it shows (its CSRF token, one or two
options) and opens the receipt page, over plain http with its signed session cookie, as the storm's
clients do. Printed: the CPU milliseconds (process time) per GET, POST and receipt after --warmup
ballots, and the SQL statements and transactions of each; every POST must answer 303.

--before DIR measures another checkout of the project in the same run (a subprocess with DIR as
its root, e.g. `git archive HEAD | tar -x -C DIR` for the code before a change); --repeat N runs
each checkout N times, alternated, and keeps the least CPU per request (on a shared machine the
other runs lost time to the load). --profile runs cProfile over the measured requests of one kind;
--sql prints the statements of one ballot's requests.
"""

import argparse
import cProfile
import io
import json
import os
import pstats
import re
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(os.environ.get("WEIYI_ROOT") or Path(__file__).resolve().parent.parent)
BENCH = Path(__file__).resolve().parent
sys.path[:0] = [str(ROOT), str(BENCH)]

from ballot_storm import CSRF, SLUG, populate  # noqa: E402
from harness import in_process_app, measured_in  # noqa: E402

KINDS = ("get", "post", "receipt")
SESSION = re.compile(r"session=([^;]*)")


def make_app(tmp):
    return in_process_app(tmp, RATELIMIT_ENABLED=False)


class Phone:
    """One voter's requests with their session cookie, as the storm's clients send them."""

    def __init__(self, app, cookie):
        self.client = app.test_client(use_cookies=False)
        self.cookie = cookie

    def request(self, method, path, **kwargs):
        headers = {"Cookie": f"session={self.cookie}", "Accept-Language": "zh-CN"}
        response = self.client.open(path, method=method, headers=headers, base_url="http://127.0.0.1", **kwargs)
        for value in response.headers.getlist("Set-Cookie"):
            if found := SESSION.match(value):
                self.cookie = found.group(1)
        return response


def vote(phone, voting_round, choices, clock=None):
    """GET, POST, receipt; `clock`: {kind: run(step)} around each request (timing, counting)."""
    run = clock or dict.fromkeys(KINDS, lambda step: step())
    path = f"/c/{SLUG}/rounds/{voting_round['id']}"
    page = run["get"](lambda: phone.request("GET", path))
    token = CSRF.search(page.get_data(as_text=True))
    body = {"csrf_token": token.group(1) if token else "", "option": [str(c) for c in choices]}
    posted = run["post"](lambda: phone.request("POST", path, data=body))
    if posted.status_code != 303:
        raise SystemExit(f"POST answered {posted.status_code}:\n{posted.get_data(as_text=True)[:2000]}")
    receipt = run["receipt"](lambda: phone.request("GET", f"{path}/receipt"))
    if receipt.status_code != 200:
        raise SystemExit(f"the receipt page answered {receipt.status_code}")


class Timer:
    """Process time per request kind; with a profile kind, cProfile around that kind only."""

    def __init__(self, profile=None):
        self.seconds = dict.fromkeys(KINDS, 0.0)
        self.profile_kind, self.profiler = profile, cProfile.Profile() if profile else None

    def clock(self):
        return {kind: (lambda step, kind=kind: self._timed(kind, step)) for kind in KINDS}

    def _timed(self, kind, step):
        profiling = self.profiler is not None and kind == self.profile_kind
        start = time.process_time()
        if profiling:
            self.profiler.enable()
        result = step()
        if profiling:
            self.profiler.disable()
        self.seconds[kind] += time.process_time() - start
        return result


def statements(app, run):
    """SQL statements per request kind of one vote (BEGIN/COMMIT counted apart)."""
    from sqlalchemy import event

    from app.extensions import db

    seen = {kind: [] for kind in KINDS}
    current = []

    def note(_conn, _cursor, statement, *_args):
        current.append(" ".join(statement.split()))

    def clocked(kind, step):
        current.clear()
        result = step()
        seen[kind] = list(current)
        return result

    with app.app_context():
        engine = db.engine
    event.listen(engine, "before_cursor_execute", note)
    try:
        run({kind: (lambda step, kind=kind: clocked(kind, step)) for kind in KINDS})
    finally:
        event.remove(engine, "before_cursor_execute", note)
    return {
        kind: {
            "statements": sum(1 for s in found if not s.startswith(("BEGIN", "COMMIT", "ROLLBACK"))),
            "transactions": sum(1 for s in found if s.startswith("BEGIN")),
            "sql": found,
        }
        for kind, found in seen.items()
    }


def measure(voters, rounds, warmup, profile):
    from app.auth.sessions import signed_in

    with tempfile.TemporaryDirectory() as tmp:
        app = make_app(tmp)
        with app.app_context():
            data, users = populate(voters, rounds)
            serializer = app.session_interface.get_signing_serializer(app)
            cookies = [serializer.dumps(signed_in(u.get_id())) for u in users]
        phones = [Phone(app, cookie) for cookie in cookies]
        plan = [
            (phone, r, r["options"][: 1 + (i + k) % 2])
            for i, phone in enumerate(phones)
            for k, r in enumerate(data["rounds"])
        ]
        for phone, voting_round, choices in plan[:warmup]:
            vote(phone, voting_round, choices)
        first = plan[warmup]
        counted = statements(app, lambda clock: vote(*first, clock=clock))
        timer = Timer(profile)
        measured = plan[warmup + 1 :]
        for phone, voting_round, choices in measured:
            vote(phone, voting_round, choices, timer.clock())
        figures = {
            kind: {"ms": round(1000 * timer.seconds[kind] / len(measured), 2), **counted[kind]} for kind in KINDS
        }
        if timer.profiler is not None:
            out = io.StringIO()
            stats = pstats.Stats(timer.profiler, stream=out)
            stats.sort_stats("tottime").print_stats(40)
            stats.sort_stats("cumulative").print_stats(60)
            figures["profile"] = out.getvalue()
        figures["ballots"] = len(measured)
        return figures


def fastest(found):
    """Per request kind, the run with the least CPU (the others lost time to the machine's load)."""
    return {kind: min((run[kind] for run in found), key=lambda f: f["ms"]) for kind in KINDS}


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--voters", type=int, default=400, help="voters (default 400)")
    parser.add_argument("--rounds", type=int, default=2, help="open rounds; each voter votes in each (default 2)")
    parser.add_argument("--warmup", type=int, default=40, help="ballots before the measured ones (default 40)")
    parser.add_argument("--repeat", type=int, default=1, help="runs of each checkout, alternated; the least CPU counts")
    parser.add_argument("--profile", choices=KINDS, help="cProfile the measured requests of this kind")
    parser.add_argument("--sql", action="store_true", help="print the SQL of one ballot's requests")
    parser.add_argument("--before", help="another checkout of the project, measured in the same run")
    parser.add_argument("--json", action="store_true", help=argparse.SUPPRESS)  # one run, for main()
    args = parser.parse_args(argv)
    args.voters = max(2, min(args.voters, 20_000))
    args.rounds = max(1, min(args.rounds, 50))
    args.warmup = max(0, min(args.warmup, args.voters * args.rounds - 2))
    args.repeat = max(1, min(args.repeat, 20))

    if args.json:
        print(json.dumps(measure(args.voters, args.rounds, args.warmup, None)))
        return 0
    if args.profile or args.sql:
        found = measure(args.voters, args.rounds, args.warmup, args.profile)
        print(found.pop("profile", ""))
        for kind in KINDS if args.sql else ():
            print(f"{kind}:", *(f"  {s[:300]}" for s in found[kind]["sql"]), sep="\n")
        return 0
    roots = {"before": args.before} if args.before else {}
    roots["now"] = str(ROOT)
    found = {name: [] for name in roots}
    for _ in range(args.repeat):
        for name, root in roots.items():
            found[name].append(
                measured_in(root, __file__, ["--voters", args.voters, "--rounds", args.rounds, "--warmup", args.warmup])
            )
    runs = {name: fastest(results) for name, results in found.items()}
    print(
        f"{len(os.sched_getaffinity(0))} CPUs available, load average {os.getloadavg()[0]:.1f}; "
        f"{found['now'][0]['ballots']} measured ballots after {args.warmup}, least CPU of {args.repeat} runs"
    )
    print(f"{'request':<10} " + " ".join(f"{k + ' ms':>10} {k + ' SQL':>10} {k + ' tx':>9}" for k in runs))
    for kind in KINDS:
        cells = [
            f"{run[kind]['ms']:>10} {run[kind]['statements']:>10} {run[kind]['transactions']:>9}"
            for run in runs.values()
        ]
        print(f"{kind:<10} " + " ".join(cells))
    for name, run in runs.items():
        print(f"{name}: {run['get']['ms'] + run['post']['ms']:.2f} ms a ballot (GET + POST), receipt page apart")
    return 0


if __name__ == "__main__":
    sys.exit(main())
