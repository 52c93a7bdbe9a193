#!/usr/bin/env python3
"""A write lock held for 30 s while clients read and write (run by hand).

    python bench/lock_hold.py [--hold 30] [--readers 8] [--writers 4] [--lock-timeout-ms 2000]

A fresh SQLite file is migrated and the demo loaded; gunicorn serves it (production config,
2 workers x 4 threads). Readers fetch the list and a matter's page (visitors and a logged-in
resident); writers, each a logged-in resident, fetch a matter's page and post its "follow" form.
After a few seconds a second connection takes SQLite's write lock (BEGIN IMMEDIATE, as a restore,
a long count or an operator's sqlite3 session would) and holds it for --hold seconds.

Prints the answers by phase (before, held, after), method and status, with the slowest answer of
each. Aim: reads answered throughout; writes answered 503 (with Retry-After) or succeeded, never
500, never timed out. Exit 1 on any 5xx other than 503 or any request that timed out.
"""

import argparse
import re
import shutil
import sqlite3
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
from collections import Counter, defaultdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from harness import Gunicorn, app_env, flask, machine, migrate, session_cookie  # noqa: E402

READ_PATHS = ("/c/xinglin/matters/", "/c/xinglin/matters/1", "/")
MATTER = "/c/xinglin/matters/{id}"
CLIENT_TIMEOUT = 25  # under gunicorn's 30 s worker timeout: a request still open then has hung


class Tally:
    def __init__(self):
        self.lock = threading.Lock()
        self.phase = "before"
        self.counts = Counter()
        self.slowest = defaultdict(float)

    def add(self, method, status, seconds):
        with self.lock:
            key = (self.phase, method, status)
            self.counts[key] += 1
            self.slowest[key] = max(self.slowest[key], seconds)


def fetch(url, cookie=None, data=None):
    headers = {"Accept-Language": "zh-CN"}
    if cookie:
        headers["Cookie"] = f"session={cookie}"
    request = urllib.request.Request(url, data=data, headers=headers)  # noqa: S310 - loopback
    opener = urllib.request.build_opener(NoRedirect)
    try:
        with opener.open(request, timeout=CLIENT_TIMEOUT) as response:
            return response.status, response.read().decode(), new_session(response.headers, cookie)
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode(errors="replace"), new_session(error.headers, cookie)
    except TimeoutError:
        return "timeout", "", cookie
    except OSError as error:
        return f"error: {type(error).__name__}", "", cookie


def new_session(headers, cookie):
    """The session cookie the answer sets (the form token lives in it), else the one sent."""
    for value in headers.get_all("Set-Cookie") or ():
        if value.startswith("session="):
            return value.split(";", 1)[0].removeprefix("session=")
    return cookie


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def reader(base, cookie, tally, stop):
    i = 0
    while not stop.is_set():
        path = READ_PATHS[i % len(READ_PATHS)]
        started = time.monotonic()
        status, _, _ = fetch(base + path, cookie)
        tally.add("GET", status, time.monotonic() - started)
        i += 1


def writer(base, cookie, matter_ids, tally, stop):
    i = 0
    while not stop.is_set():
        path = MATTER.format(id=matter_ids[i % len(matter_ids)])
        status, page, cookie = fetch(base + path, cookie)
        form = re.search(
            r'<form[^>]*action="([^"]*/(?:un)?follow)"[^>]*>.*?name="csrf_token"[^>]*value="([^"]+)"', page, re.S
        )
        if status != 200 or not form:
            time.sleep(0.2)
            i += 1
            continue
        started = time.monotonic()
        status, _, cookie = fetch(base + form.group(1), cookie, data=f"csrf_token={form.group(2)}".encode())
        tally.add("POST", status, time.monotonic() - started)
        i += 1


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--hold", type=int, default=30, help="seconds the lock is held")
    parser.add_argument("--before", type=int, default=5)
    parser.add_argument("--after", type=int, default=5)
    parser.add_argument("--readers", type=int, default=8)
    parser.add_argument("--writers", type=int, default=4)
    parser.add_argument("--lock-timeout-ms", type=int, default=2000, help="DATABASE_LOCK_TIMEOUT_MS")
    parser.add_argument("--schema", choices=["migrate", "create-all"], default="migrate")
    args = parser.parse_args()
    workdir = Path(tempfile.mkdtemp(prefix="weiyi-lock-"))
    print(f"machine: {machine()}")
    env = app_env(workdir, DATABASE_LOCK_TIMEOUT_MS=str(args.lock_timeout_ms))
    tally, stop = Tally(), threading.Event()
    try:
        migrate(env, args.schema)
        flask(env, "demo")
        residents = [session_cookie(env, f"resident{n}") for n in range(1, args.writers + 2)]
        with Gunicorn("wsgi:app", env, workdir, workers=2, threads=4, name="weiyi") as server:
            threads = [
                threading.Thread(target=reader, args=(server.url, residents[0] if n % 2 else None, tally, stop))
                for n in range(args.readers)
            ]
            threads += [
                threading.Thread(target=writer, args=(server.url, cookie, [1, 2, 3, 4, 5], tally, stop))
                for cookie in residents[1:]
            ]
            for thread in threads:
                thread.start()
            time.sleep(args.before)
            holder = sqlite3.connect(workdir / "bench.db", isolation_level=None)
            holder.execute("BEGIN IMMEDIATE")
            tally.phase = "held"
            time.sleep(args.hold)
            holder.execute("ROLLBACK")
            holder.close()
            tally.phase = "after"
            time.sleep(args.after)
            stop.set()
            for thread in threads:
                thread.join(CLIENT_TIMEOUT + 5)
    finally:
        stop.set()
        shutil.rmtree(workdir, ignore_errors=True)
    print(
        f"gunicorn 2 workers x 4 threads; {args.readers} readers, {args.writers} writers; lock held {args.hold} s "
        f"(DATABASE_LOCK_TIMEOUT_MS={args.lock_timeout_ms})"
    )
    for phase in ("before", "held", "after"):
        rows = sorted((k, v) for k, v in tally.counts.items() if k[0] == phase)
        print(
            f"  {phase}: "
            + ", ".join(f"{m} {s}: {n} (slowest {tally.slowest[(phase, m, s)]:.2f} s)" for (_, m, s), n in rows)
        )
    bad = [
        k
        for k in tally.counts
        if k[2] == "timeout" or str(k[2]).startswith("error") or (isinstance(k[2], int) and k[2] >= 500 and k[2] != 503)
    ]
    reads_held = sum(n for (p, m, s), n in tally.counts.items() if p == "held" and m == "GET" and s == 200)
    print(f"reads answered while the lock was held: {reads_held}; problems: {bad or 'none'}")
    return 1 if bad or not reads_held else 0


if __name__ == "__main__":
    sys.exit(main())
