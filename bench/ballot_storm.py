#!/usr/bin/env python3
"""A storm of resident ballots through the voting pages, then a check that nothing was lost
or doubled (run by hand; bench/crash_storm.py runs the same storm with a SIGKILL in it).

    python bench/ballot_storm.py [--ballots 10000] [--clients 64] [--rounds 16] [--workers 2]
                                 [--processes N] [--ceiling] [--floor] [--no-weiyi]

A fresh SQLite file is migrated (`flask db upgrade`) and seeded before gunicorn starts: one
community, its committee, ceil(ballots / rounds) verified voters and `rounds` open approval
rounds of three micro-matters each (opened through app.voting.rounds.open_round). gunicorn
serves the app (production configuration, CSRF on, rate limits off by RATELIMIT_ENABLED=0) on
127.0.0.1. Each of the concurrent clients owns a share of the voters and, for each of its
voters and each round, opens the ballot page (GET: CSRF token) and casts the ballot (POST, the
form the page shows) as a phone would. Session cookies are signed with the server's SECRET_KEY
instead of logging in, so that hundreds of scrypt logins do not drown the figures.

The clients are threads spread over --processes client processes (default: one per CPU), so the
client is not held to one GIL: in one process it topped out near 60 ballots/s whatever served it.
--ceiling then runs the same client, same voters and rounds, against bench/minimal_app.py's
stand-in ballot page (a form with a token; the POST answers 303) under the same gunicorn: the most
this client can drive on this machine, so the storm's figure says whether the server or the
client limited it. --floor runs it against bench/ballot_floor_app.py, the cheapest ballot that
does what any real one must with the app's libraries (session, Flask-Login, CSRF, a register row
read, a ballot and a register row written, on SQLite as the app sets it up): the least CPU a ballot
can cost on this stack. --no-weiyi skips the storm itself (only --floor and/or --ceiling run).
Each run prints the server's and the client's CPU a ballot.

Checked afterwards, from the database file:
  * zero 5xx answers;
  * every acknowledged ballot (303 to the receipt) is stored exactly once, and nothing else is:
    one ballot in the box, one register mark and one `round.ballot_cast` audit entry per
    (voter, round);
  * `flask --app wsgi audit verify` reports the audit chain intact; SQLite's integrity_check is ok.
Exit 1 when any check fails.
"""

import argparse
import http.client
import math
import multiprocessing
import os
import queue
import random
import re
import shutil
import sqlite3
import sys
import tempfile
import threading
import time
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import ballot_seed  # noqa: E402
from harness import ROOT, Gunicorn, app_env, flask, machine, migrate  # noqa: E402

BENCH = Path(__file__).resolve().parent

CSRF = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')
SLUG = "storm"
OPTIONS_PER_ROUND = 3


def populate(voters, rounds):
    """In an app context: the storm's community, `voters` verified residents and `rounds` open
    approval rounds of three micro-matters each (bench/ballot_cpu.py seeds the same way).
    Returns ({"rounds": [{"id", "options"}]}, the voters' User rows)."""
    return ballot_seed.populate(voters, rounds, slug=SLUG, options_per_round=OPTIONS_PER_ROUND)


def seed(env, voters, rounds):
    """Runs in a child process (the app's own environment); returns what the clients need."""
    import json
    import subprocess

    code = f"""
import json, sys
sys.path[:0] = [{str(ROOT)!r}, {str(BENCH)!r}]
from app import create_app
from app.auth.sessions import signed_in
from ballot_storm import populate

app = create_app("production")
with app.app_context():
    data, users = populate({voters}, {rounds})
    serializer = app.session_interface.get_signing_serializer(app)
    data["voters"] = [{{"id": u.id, "cookie": serializer.dumps(signed_in(u.get_id()))}} for u in users]
    print(json.dumps(data))
"""
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, timeout=900
    )
    if result.returncode != 0:
        raise SystemExit(f"seeding failed:\n{result.stderr}")
    return json.loads(result.stdout.strip().splitlines()[-1])


class Tally:
    """What the clients of one process saw, shared between its threads; `progress` counts the
    acknowledged ballots of all processes (the crash storm kills the server at a share of them)."""

    def __init__(self, progress=None):
        self.lock = threading.Lock()
        self.progress = progress
        self.statuses = Counter()  # (method, status) -> n
        self.acknowledged = {}  # (voter id, round id) -> 303 | 409 (already stored, seen after a retry)
        self.in_doubt = set()  # (voter, round) whose POST got no answer (connection lost)
        self.connection_errors = 0
        self.post_seconds = []

    def acknowledge(self, key, status):
        """Called with self.lock held."""
        self.acknowledged[key] = status
        if self.progress is not None:
            with self.progress.get_lock():
                self.progress.value += 1

    def merge(self, other):
        """Add another process's findings (each voter belongs to one client, so keys never clash)."""
        self.statuses.update(other["statuses"])
        self.acknowledged.update(other["acknowledged"])
        self.connection_errors += other["connection_errors"]
        self.post_seconds += other["post_seconds"]

    def findings(self):
        return {
            "statuses": self.statuses,
            "acknowledged": self.acknowledged,
            "connection_errors": self.connection_errors,
            "post_seconds": self.post_seconds,
        }


class Voter(threading.Thread):
    """One client: a keep-alive connection, its own voters, every round for each of them."""

    def __init__(self, port, voters, rounds, tally, deadline, seed_):
        super().__init__(daemon=True)
        self.port, self.voters, self.rounds, self.tally, self.deadline = port, voters, rounds, tally, deadline
        self.random = random.Random(seed_)
        self.connection = None
        self.failure = None

    def _request(self, method, path, cookie, body=None):
        """One request; on a lost connection wait and try again (the server may be restarting)."""
        headers = {"Cookie": f"session={cookie}", "Accept-Language": "zh-CN"}
        if body is not None:
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        while time.monotonic() < self.deadline:
            try:
                if self.connection is None:
                    self.connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
                self.connection.request(method, path, body=body, headers=headers)
                response = self.connection.getresponse()
                data = response.read()
                if (response.getheader("Connection") or "").lower() == "close":
                    self.connection.close()
                    self.connection = None
                return response, data
            except (http.client.HTTPException, OSError):
                if self.connection is not None:
                    self.connection.close()
                self.connection = None
                with self.tally.lock:
                    self.tally.connection_errors += 1
                if method == "POST":
                    return None, b""  # the caller decides (the ballot may or may not be stored)
                time.sleep(0.2)
        raise TimeoutError("the time limit was reached")

    def _cookie(self, response, cookie):
        for header, value in response.getheaders():
            if header.lower() == "set-cookie" and value.startswith("session="):
                return value.split(";", 1)[0].removeprefix("session=")
        return cookie

    def run(self):
        try:
            for voter in self.voters:
                cookie = voter["cookie"]
                for voting_round in self.rounds:
                    cookie = self._vote(voter["id"], cookie, voting_round)
        except Exception as exc:  # noqa: BLE001 - reported by main()
            self.failure = repr(exc)

    def _vote(self, voter_id, cookie, voting_round):
        path = f"/c/{SLUG}/rounds/{voting_round['id']}"
        key = (voter_id, voting_round["id"])
        while time.monotonic() < self.deadline:
            response, data = self._request("GET", path, cookie)
            with self.tally.lock:
                self.tally.statuses["GET", response.status] += 1
            cookie = self._cookie(response, cookie)
            token = CSRF.search(data.decode())
            choices = self.random.sample(voting_round["options"], self.random.randint(1, 2))
            body = "&".join([f"csrf_token={token.group(1) if token else ''}"] + [f"option={c}" for c in choices])
            start = time.perf_counter()
            response, _ = self._request("POST", path, cookie, body)
            elapsed = time.perf_counter() - start
            with self.tally.lock:
                if response is None:
                    self.tally.in_doubt.add(key)
                    continue  # ask again: either it was stored (409) or it can be cast now
                self.tally.statuses["POST", response.status] += 1
                self.tally.post_seconds.append(elapsed)
                if response.status == 303:
                    self.tally.acknowledge(key, 303)
                    return cookie
                if response.status == 409 and key in self.tally.in_doubt:
                    self.tally.acknowledge(key, 409)  # stored by the request that lost its answer
                    return cookie
            if response.status >= 500:  # counted as a failure by main(); the ballot may be stored
                with self.tally.lock:
                    self.tally.in_doubt.add(key)
                time.sleep(0.05)
                continue
            raise RuntimeError(f"ballot {key}: unexpected {response.status}")
        raise TimeoutError("the time limit was reached")


def check_database(database, expected_pairs):
    """The stored ballots against what was acknowledged."""
    problems = []
    with sqlite3.connect(database) as db:
        integrity = db.execute("PRAGMA integrity_check").fetchone()[0]
        if integrity != "ok":
            problems.append(f"SQLite integrity_check: {integrity}")
        # The rounds are still open, so each register row still points at its ballot in the box.
        rows = db.execute(
            "SELECT p.user_id, p.round_id, count(b.id) FROM round_participation p "
            "JOIN round_ballot b ON b.id = p.ballot_id GROUP BY p.user_id, p.round_id"
        ).fetchall()
        all_ballots = db.execute("SELECT count(*) FROM round_ballot").fetchone()[0]
        marks = db.execute("SELECT count(*) FROM round_participation").fetchone()[0]
        audited = db.execute("SELECT count(*) FROM audit_entry WHERE action = 'round.ballot_cast'").fetchone()[0]
    stored = {(u, r): n for u, r, n in rows}
    doubled = {k: n for k, n in stored.items() if n != 1}
    missing = expected_pairs - stored.keys()
    extra = stored.keys() - expected_pairs
    if doubled:
        problems.append(f"{len(doubled)} ballots stored more than once, e.g. {list(doubled.items())[:3]}")
    if missing:
        problems.append(f"{len(missing)} acknowledged ballots are missing, e.g. {sorted(missing)[:3]}")
    if extra:
        problems.append(f"{len(extra)} stored ballots were never acknowledged, e.g. {sorted(extra)[:3]}")
    if not all_ballots == marks == audited == len(stored):
        problems.append(
            f"ballots {all_ballots}, register marks {marks}, audit entries {audited}, "
            f"voter-rounds {len(stored)} should all be equal"
        )
    return problems, {"ballots": all_ballots, "marks": marks, "audited": audited}


def client_process(port, shares, rounds, deadline, progress, results):
    """One client process: a thread per client, each with its own voters (`shares`: (seed, voters))."""
    tally = Tally(progress)
    clients = [Voter(port, voters, rounds, tally, deadline, seed_=i) for i, voters in shares]
    for client in clients:
        client.start()
    for client in clients:
        client.join(max(0.0, deadline - time.monotonic()) + 5)
    results.put(
        {
            **tally.findings(),
            "failures": [c.failure for c in clients if c.failure],
            "alive": sum(c.is_alive() for c in clients),
            "finished": time.monotonic(),
            "cpu": time.process_time(),
        }
    )


class Clients:
    """The concurrent clients spread over client processes (round robin), so that they are not
    held to one GIL; each thread keeps its own connection, sessions and CSRF tokens."""

    def __init__(self, port, voters, rounds, clients, processes, deadline):
        shares = [(i, voters[i::clients]) for i in range(clients) if voters[i::clients]]
        self.count = len(shares)
        context = multiprocessing.get_context("fork")
        self.progress = context.Value("i", 0)
        self.results = context.Queue()
        self.processes = [
            context.Process(
                target=client_process,
                args=(port, shares[k::processes], rounds, deadline, self.progress, self.results),
                daemon=True,
            )
            for k in range(min(processes, self.count))
        ]
        self.tally, self.failures, self.alive, self.received, self.finished = Tally(), [], 0, 0, 0.0
        self.cpu = 0.0  # CPU seconds of the client processes
        self.machine_busy = 0.0  # share of the machine's CPU time busy while they ran, anyone's work

    def start(self):
        for process in self.processes:
            process.start()
        return time.monotonic()

    @property
    def done(self):
        return self.progress.value

    @property
    def running(self):
        return self.received < len(self.processes)

    def wait(self, seconds):
        """Take in one process's findings if they come within `seconds` (read before joining:
        a process whose findings are not read cannot exit)."""
        try:
            found = self.results.get(timeout=seconds)
        except queue.Empty:
            return
        self.received += 1
        self.tally.merge(found)
        self.failures += found["failures"]
        self.alive += found["alive"]
        self.finished = max(self.finished, found["finished"])
        self.cpu += found["cpu"]

    def finish(self, deadline):
        while self.running and time.monotonic() < deadline + 30:
            self.wait(1)
        for process in self.processes:
            process.join(5)
            if process.is_alive():
                process.kill()
        return len(self.processes) - self.received  # processes that died without their findings


def machine_ticks():
    """(busy, all) CPU ticks of the whole machine so far, every process's (/proc/stat)."""
    ticks = [int(n) for n in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    return sum(ticks) - ticks[3] - ticks[4], sum(ticks)  # less idle and iowait


def drive(args, port, data, on_progress=None):
    """Run the clients against `port` until they are done; returns (clients, elapsed seconds, problems)."""
    deadline = time.monotonic() + args.time_limit
    clients = Clients(port, data["voters"], data["rounds"], args.clients, args.processes, deadline)
    busy, ticks = machine_ticks()
    started = clients.start()
    while clients.running and time.monotonic() < deadline:
        if on_progress is not None:
            on_progress(clients.done)
        clients.wait(0.01)
    lost = clients.finish(deadline)
    busy_after, ticks_after = machine_ticks()
    clients.machine_busy = (busy_after - busy) / max(ticks_after - ticks, 1)
    problems = []
    if lost:
        problems.append(f"{lost} client processes ended without reporting")
    if clients.failures:
        problems.append(f"{len(clients.failures)} clients failed, e.g. {clients.failures[:3]}")
    if clients.alive:
        problems.append(f"{clients.alive} clients did not finish within {args.time_limit} s")
    return clients, max(clients.finished - started, 1e-9), problems


def report(clients, elapsed, total, what):
    tally = clients.tally
    posts = sorted(tally.post_seconds) or [0]
    print(f"responses: {dict(sorted(tally.statuses.items()))}; connection errors: {tally.connection_errors}")
    print(
        f"{len(tally.acknowledged):,} of {total:,} {what} in {elapsed:.1f} s "
        f"({len(tally.acknowledged) / elapsed:.0f} ballots/s, each after a GET of the ballot page)"
    )
    print(
        f"POST latency: median {1000 * posts[len(posts) // 2]:.0f} ms, p95 {1000 * posts[int(len(posts) * 0.95)]:.0f}"
        f" ms, p99 {1000 * posts[int(len(posts) * 0.99)]:.0f} ms, max {1000 * posts[-1]:.0f} ms"
    )


def cpu_report(server_cpu, clients, total, elapsed):
    """The server's and the client's CPU a ballot, the rate all CPUs would give at that cost, and
    the share of the CPUs they had (the rest went to other work on the machine, or idle)."""
    cpus = len(os.sched_getaffinity(0))
    print(
        f"server CPU: {server_cpu:.1f} s, {1000 * server_cpu / max(total, 1):.1f} ms a ballot (GET + POST): "
        f"{cpus * total / max(server_cpu, 1e-9):.0f} ballots/s if it had every CPU alone"
    )
    both = server_cpu + clients.cpu
    print(
        f"client CPU: {clients.cpu:.1f} s, {1000 * clients.cpu / max(total, 1):.1f} ms a ballot; server and client "
        f"together {1000 * both / max(total, 1):.1f} ms: {cpus * total / max(both, 1e-9):.0f} ballots/s on {cpus} CPUs"
    )
    print(
        f"CPUs {clients.machine_busy:.0%} busy while the clients ran; server and client had "
        f"{both / (elapsed * cpus):.0%} of them (the rest: other processes)"
    )


def idle_cpu(server, seconds=10):
    """The server's CPU seconds once its workers have booted (two equal readings 0.3 s apart): what
    the clients cost it is counted from there, not its imports."""
    deadline, last = time.monotonic() + seconds, -1.0
    while (now := server.cpu_seconds()) != last and time.monotonic() < deadline:
        last = now
        time.sleep(0.3)
    return now


def server_errors(tally):
    return sum(n for (_, status), n in tally.statuses.items() if status >= 500)


def beside(args, app_module, env, workdir, data, title, what):
    """The same client against another app of bench/ under the same gunicorn settings, with the
    same report; returns (clients, problems)."""
    name = app_module.split(":")[0]
    server = Gunicorn(app_module, env, workdir, workers=args.workers, threads=args.threads, cwd=BENCH, name=name)
    with server:
        booted = idle_cpu(server)
        clients, elapsed, problems = drive(args, server.port, data)
        server_cpu = server.cpu_seconds() - booted
    total = len(data["voters"]) * len(data["rounds"])
    print(f"{title} (same client against bench/{name}.py, same gunicorn):")
    report(clients, elapsed, total, what)
    cpu_report(server_cpu, clients, total, elapsed)
    return clients, problems


def ceiling(args, env, workdir, data):
    """The same client against a stand-in ballot page that costs the server next to nothing."""
    _, problems = beside(
        args,
        "minimal_app:app",
        env,
        workdir,
        data,
        "client ceiling: a stand-in ballot page",
        "stand-in ballots answered",
    )
    return [f"ceiling run: {p}" for p in problems]


def floor(args, env, workdir, voters, rounds):
    """The same client, voters and rounds against the floor app: what a ballot costs at the least."""
    import ballot_floor_app

    floor_env = dict(env, DATABASE_URL=f"sqlite:///{workdir / 'floor.db'}")
    app = ballot_floor_app.create_app(floor_env["DATABASE_URL"], floor_env["SECRET_KEY"])
    data = ballot_floor_app.seed(app, voters, rounds)
    clients, problems = beside(
        args,
        "ballot_floor_app:create_app()",
        floor_env,
        workdir,
        data,
        "floor: session, Flask-Login, CSRF, register row, SQLite",
        "floor ballots acknowledged",
    )
    total = len(data["voters"]) * len(data["rounds"])
    if errors := server_errors(clients.tally):
        problems.append(f"{errors} responses were 5xx")
    pairs, ballots = ballot_floor_app.stored(app)
    if pairs != set(clients.tally.acknowledged) or ballots != len(pairs) or len(pairs) != total:
        problems.append(
            f"{len(clients.tally.acknowledged)} acknowledged, {len(pairs)} register rows, {ballots} ballots "
            f"of {total}: they should all be equal"
        )
    return [f"floor run: {p}" for p in problems]


def weiyi(args, env, workdir, voters, kill_at=None):
    """The storm against the app; with kill_at (a fraction), SIGKILL the server once that share is
    acknowledged. Returns (what the clients were given, problems)."""
    t0 = time.perf_counter()
    migrate(env, args.schema)
    data = seed(env, voters, args.rounds)
    print(f"migrated and seeded {voters:,} voters x {args.rounds} rounds in {time.perf_counter() - t0:.1f} s")
    # every voter votes in every round: --ballots rounded up to whole voters
    total = len(data["voters"]) * len(data["rounds"])
    server = Gunicorn("wsgi:app", env, workdir, workers=args.workers, threads=args.threads, name="weiyi")
    server.start()
    booted = idle_cpu(server)
    kill_report = []

    def kill(done):
        if kill_at is not None and not kill_report and done >= kill_at * total:
            killed = server.kill()
            down = time.perf_counter()
            server.start()
            kill_report.append(done)
            print(
                f"SIGKILL to gunicorn master and workers {killed} after {done:,} "
                f"acknowledged ballots; listening again after {time.perf_counter() - down:.1f} s"
            )

    try:
        clients, elapsed, problems = drive(args, server.port, data, on_progress=kill)
        server_cpu = server.cpu_seconds() - booted
    finally:
        server.stop()
    tally = clients.tally
    if errors := server_errors(tally):
        problems.append(f"{errors} responses were 5xx")
    acknowledged = set(tally.acknowledged)
    db_problems, figures = check_database(workdir / "bench.db", acknowledged)
    problems += db_problems
    if len(acknowledged) != total:
        problems.append(f"{total - len(acknowledged)} of {total} ballots were never acknowledged")
    verify = flask(env, "audit", "verify").strip()
    print(
        f"gunicorn {args.workers} workers x {args.threads} threads; {clients.count} concurrent clients "
        f"in {len(clients.processes)} client processes; {len(data['rounds'])} rounds"
    )
    report(clients, elapsed, total, "ballots acknowledged")
    if kill_at:
        late = sum(1 for v in tally.acknowledged.values() if v == 409)
        print(f"{late} confirmed only after the restart (409: stored before the kill)")
    else:
        cpu_report(server_cpu, clients, total, elapsed)
    print(
        f"database: {figures['ballots']:,} ballots, {figures['marks']:,} register marks, "
        f"{figures['audited']:,} audit entries for them; {verify}"
    )
    return data, problems


def storm(args, kill_at=None):
    """The storm (unless --no-weiyi), then the floor and the ceiling runs asked for; exit status."""
    if args.processes < 1:
        raise SystemExit("--processes must be at least 1")
    workdir = Path(tempfile.mkdtemp(prefix="weiyi-storm-"))
    print(f"machine: {machine()}; load average {os.getloadavg()[0]:.1f}")
    env = app_env(workdir)
    voters = math.ceil(args.ballots / args.rounds)
    # The stand-in page reads no session: without the storm, its clients need only the voters' numbers.
    data = {
        "voters": [{"id": n, "cookie": ""} for n in range(voters)],
        "rounds": [{"id": r, "options": [1, 2, 3]} for r in range(args.rounds)],
    }
    problems = []
    try:
        if not args.no_weiyi:
            data, problems = weiyi(args, env, workdir, voters, kill_at)
        if args.floor:
            problems += floor(args, env, workdir, voters, args.rounds)
        if args.ceiling:
            problems += ceiling(args, env, workdir, data)
    finally:
        if not args.keep:
            shutil.rmtree(workdir, ignore_errors=True)
        else:
            print(f"kept {workdir}")
    if problems:
        print("FAILED:\n  " + "\n  ".join(problems))
        return 1
    print(
        "OK: zero 5xx, every acknowledged ballot stored exactly once"
        + ("" if args.no_weiyi else ", nothing else stored, audit chain intact")
    )
    return 0


def arguments(description):
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--ballots", type=int, default=10_000)
    parser.add_argument("--clients", type=int, default=64)
    parser.add_argument("--rounds", type=int, default=16)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--threads", type=int, default=1, help="gunicorn threads per worker (gthread if > 1)")
    parser.add_argument("--time-limit", type=int, default=900, help="seconds before the clients give up")
    parser.add_argument("--schema", choices=["migrate", "create-all"], default="migrate")
    parser.add_argument("--keep", action="store_true", help="keep the temporary directory")
    parser.add_argument(
        "--processes",
        type=int,
        default=len(os.sched_getaffinity(0)),
        help="client processes the clients are spread over (default: the number of CPUs)",
    )
    parser.add_argument(
        "--ceiling",
        action="store_true",
        help="then run the same client against bench/minimal_app.py's stand-in ballot page: the client's ceiling",
    )
    parser.add_argument(
        "--floor",
        action="store_true",
        help="then run the same client against bench/ballot_floor_app.py: the cheapest ballot on this stack",
    )
    parser.add_argument("--no-weiyi", action="store_true", help="skip the storm against the app (--floor, --ceiling)")
    return parser


if __name__ == "__main__":
    sys.exit(storm(arguments(__doc__.split("\n")[0]).parse_args()))
