#!/usr/bin/env python3
"""Ballots cast per second through the HTTP app under concurrent clients, on SQLite (run by hand).

    python bench/voting_cast.py                      # 3,000 voters, 32 clients, gunicorn 2 sync workers
    python bench/voting_cast.py --voters 6000 --clients 64 --workers 2 --threads 4

A fresh SQLite file gets a community, an open approval round and N verified voters. gunicorn
serves the app on loopback (the production config of the app, CSRF on). Each client thread takes
voters in turn: it opens the ballot page (GET: session and CSRF token), then casts the ballot
(POST, the plain form the page shows), as a phone would. Session cookies are signed here with
the server's SECRET_KEY instead of logging in, so that 3,000 scrypt logins do not drown the
figure. At the end every acknowledged ballot (303) must be in the database exactly once, and no
response may be a 5xx.
"""

import argparse
import http.client
import os
import platform
import re
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(Path(__file__).resolve().parent)]

from ballot_seed import populate  # noqa: E402

SECRET = "bench-secret-key-0123456789abcdef"
CSRF = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def seed(database_url, voters):
    os.environ["DATABASE_URL"] = database_url
    os.environ["SECRET_KEY"] = SECRET
    from app import create_app
    from app.auth.sessions import signed_in
    from app.extensions import db

    app = create_app()
    with app.app_context():
        db.create_all()
        data, users = populate(voters, 1, slug="bench", options_per_round=8, budget=200_000, max_choices=3)
        serializer = app.session_interface.get_signing_serializer(app)
        cookies = [serializer.dumps(signed_in(u.get_id())) for u in users]
        (voting_round,) = data["rounds"]
        return voting_round["id"], [str(o) for o in voting_round["options"]], cookies


def count_ballots(database_url):
    import sqlite3

    with sqlite3.connect(database_url.removeprefix("sqlite:///")) as connection:
        ballots = connection.execute("SELECT count(*) FROM round_ballot").fetchone()[0]
        # The box holds no voter (a secret ballot): the register marks say who voted.
        voters = connection.execute("SELECT count(DISTINCT voter_key) FROM round_participation").fetchone()[0]
        marks = connection.execute("SELECT count(*) FROM round_participation").fetchone()[0]
    return ballots, voters, marks


class Client(threading.Thread):
    def __init__(self, port, round_id, option_ids, queue, lock, stats):
        super().__init__(daemon=True)
        self.port, self.round_id, self.option_ids = port, round_id, option_ids
        self.queue, self.lock, self.stats = queue, lock, stats
        self.connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)

    def request(self, method, path, cookie, body=None):
        headers = {"Cookie": f"session={cookie}", "Accept-Language": "zh-CN"}
        if body is not None:
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        for attempt in range(3):
            try:
                self.connection.request(method, path, body=body, headers=headers)
                response = self.connection.getresponse()
                data = response.read()
                if response.getheader("Connection", "").lower() == "close":
                    self.connection.close()
                return response, data
            except (http.client.HTTPException, ConnectionError, OSError):
                self.connection.close()
                if attempt == 2:
                    raise
        raise RuntimeError("unreachable")

    def run(self):
        path = f"/c/bench/rounds/{self.round_id}"
        while True:
            with self.lock:
                if not self.queue:
                    return
                index, cookie = self.queue.pop()
            response, data = self.request("GET", path, cookie)
            for header, value in response.getheaders():
                if header.lower() == "set-cookie" and value.startswith("session="):
                    cookie = value.split(";", 1)[0].removeprefix("session=")
            token = CSRF.search(data.decode())
            choices = [self.option_ids[(index + k) % len(self.option_ids)] for k in range(1 + index % 3)]
            body = "&".join([f"csrf_token={token.group(1) if token else ''}"] + [f"option={c}" for c in choices])
            start = time.perf_counter()
            response, _ = self.request("POST", path, cookie, body)
            elapsed = time.perf_counter() - start
            with self.lock:
                self.stats["post_seconds"].append(elapsed)
                self.stats[response.status] = self.stats.get(response.status, 0) + 1


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--voters", type=int, default=3000)
    parser.add_argument("--clients", type=int, default=32)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--threads", type=int, default=1, help="gunicorn threads per worker (gthread if > 1)")
    args = parser.parse_args()
    workdir = Path(tempfile.mkdtemp(prefix="weiyi-bench-"))
    database_url = f"sqlite:///{workdir / 'bench.db'}"
    print(
        f"machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}, "
        f"SQLite file {workdir / 'bench.db'}"
    )
    t0 = time.perf_counter()
    round_id, option_ids, cookies = seed(database_url, args.voters)
    print(f"seeded {args.voters:,} voters in {time.perf_counter() - t0:.1f} s")
    port = free_port()
    env = dict(os.environ, DATABASE_URL=database_url, SECRET_KEY=SECRET, UPLOAD_FOLDER=str(workdir / "uploads"))
    command = [
        sys.executable,
        "-m",
        "gunicorn",
        "--workers",
        str(args.workers),
        "--bind",
        f"127.0.0.1:{port}",
        "--log-level",
        "warning",
        "--backlog",
        "2048",
    ]
    if args.threads > 1:
        command += ["--worker-class", "gthread", "--threads", str(args.threads)]
    server = subprocess.Popen(command + ["wsgi:app"], cwd=ROOT, env=env)
    try:
        for _ in range(100):
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                break
            except OSError:
                time.sleep(0.1)
        queue = list(enumerate(cookies))
        lock, stats = threading.Lock(), {"post_seconds": []}
        clients = [Client(port, round_id, option_ids, queue, lock, stats) for _ in range(args.clients)]
        start = time.perf_counter()
        for client in clients:
            client.start()
        for client in clients:
            client.join()
        elapsed = time.perf_counter() - start
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(30)
    posts = sorted(stats.pop("post_seconds"))
    acknowledged = stats.get(303, 0)
    server_errors = sum(n for code, n in stats.items() if code >= 500)
    ballots, voters, marks = count_ballots(database_url)
    print(f"gunicorn: {args.workers} workers x {args.threads} threads; {args.clients} concurrent clients")
    print(f"responses to the ballot POST: {dict(sorted(stats.items()))}")
    print(
        f"{acknowledged:,} ballots acknowledged in {elapsed:.1f} s (each after a GET of the ballot page): "
        f"{acknowledged / elapsed:.0f} ballots/s"
    )
    print(
        f"POST latency: median {1000 * posts[len(posts) // 2]:.0f} ms, "
        f"p95 {1000 * posts[int(len(posts) * 0.95)]:.0f} ms, max {1000 * posts[-1]:.0f} ms"
    )
    print(f"database: {ballots:,} ballots, {voters:,} distinct voters, {marks:,} register marks; 5xx: {server_errors}")
    ok = ballots == acknowledged == voters == marks and server_errors == 0
    print("every acknowledged ballot stored exactly once, no 5xx" if ok else "MISMATCH: see the figures above")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
