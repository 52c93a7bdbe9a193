#!/usr/bin/env python3
"""Requests per second of the micro-matter list and a matter's page, next to a minimal Flask page
(run by hand).

    python bench/list_throughput.py [--duration 10] [--connections 32] [--workers 2] [--schema migrate]

A fresh SQLite file is migrated (`flask db upgrade`) and the demo loaded (`flask demo`) before
gunicorn starts. Then, in the same run and the same way (gunicorn, N sync workers, 127.0.0.1),
wrk measures (-t2 -c32 -d10s):
  1. /c/xinglin/matters/ for visitors, as served (the page cache, app/ops/pagecache.py: rendered
     once per data version);
  2. the matter page /c/xinglin/matters/1 for visitors, as served;
  3. the list page, the matter page and a counted round's results logged in as resident1, put
     together from a body kept per data version and audience (shared by everyone who sees the
     same list or results; the matter page's kept per person) and the person's header
     (app/core/shared_body.py). wrk sends the session cookie the warm-up requests ended with, as
     a browser would (it holds the session's form token: without it every answer would make a
     new one and set the cookie);
  4. the list page with PAGE_CACHE=0 (rendered for every request);
  5. /  — bench/minimal_app.py, a bare Flask page.
With --baseline DIR (a copy of an earlier version, e.g. `git archive HEAD | tar -x -C DIR`), the
logged-in pages are also measured on that version's code, same database, same run: before/after.
Prints each rate and its ratio to the bare page (aims: at least 0.5 for visitors, 0.25 logged in)
and the list page's size. Socket timeouts that wrk reports on a busy machine are printed, not
failed on; exit 1 on any non-2xx response or a connect/read/write error.
"""

import argparse
import re
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import urllib.request
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from harness import ROOT, Gunicorn, app_env, flask, machine, migrate, session_cookie  # noqa: E402

LIST_PATH = "/c/xinglin/matters/"
MATTER_PATH = "/c/xinglin/matters/1"
RESIDENT = "resident1"
LOGGED_IN = {"logged_in": LIST_PATH, "logged_in_matter": MATTER_PATH, "logged_in_results": None}


def results_path(workdir):
    """The results page of the demo community's first counted round."""
    with sqlite3.connect(workdir / "bench.db") as connection:
        (round_id,) = connection.execute(
            "SELECT voting_round.id FROM voting_round JOIN community ON community.id = voting_round.community_id"
            " JOIN round_result ON round_result.round_id = voting_round.id WHERE community.slug = 'xinglin'"
            " ORDER BY voting_round.id LIMIT 1"
        ).fetchone()
    return f"/c/xinglin/rounds/{round_id}/results"


def measure_logged_in(server, paths, cookie, wrk, suffix=""):
    results = {}
    for name, path in paths.items():
        kept = warm(server.url + path, cookie)
        results[name + suffix] = run_wrk(server.url + path, cookie=kept, **wrk)
    return results


def run_wrk(url, duration, connections, threads=2, cookie=None):
    command = ["wrk", f"-t{threads}", f"-c{connections}", f"-d{duration}s", "--latency"]
    if cookie:
        command += ["-H", f"Cookie: session={cookie}"]
    result = subprocess.run(command + [url], capture_output=True, text=True, timeout=duration + 60, check=True)
    out = result.stdout
    rate = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    non_2xx = int(m.group(1)) if (m := re.search(r"Non-2xx or 3xx responses:\s+(\d+)", out)) else 0
    errors = {"connect": 0, "read": 0, "write": 0, "timeout": 0}
    if m := re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", out):
        errors = dict(zip(errors, map(int, m.groups()), strict=True))
    p50 = re.search(r"\s50%\s+(\S+)", out).group(1)
    p99 = re.search(r"\s99%\s+(\S+)", out).group(1)
    return {"rate": rate, "non_2xx": non_2xx, "errors": errors, "p50": p50, "p99": p99}


def warm(url, cookie=None, times=4):
    """A few requests first: every worker has loaded the app before wrk starts the clock. Returns
    the session cookie as the answers left it (a browser sends back what it was given)."""
    for _ in range(times):
        headers = {"Cookie": f"session={cookie}"} if cookie else {}
        response = urllib.request.urlopen(urllib.request.Request(url, headers=headers), timeout=120)  # noqa: S310
        response.read()
        for header in response.headers.get_all("Set-Cookie") or ():
            if cookie and (found := re.match(r"session=([^;]+)", header)):
                cookie = found.group(1)
    return cookie


def describe(r):
    notes = []
    if r["non_2xx"]:
        notes.append(f"non-2xx: {r['non_2xx']}")
    if r["errors"]["timeout"]:
        notes.append(f"{r['errors']['timeout']} socket timeouts (wrk's 2 s limit; a busy machine)")
    if broken := {k: v for k, v in r["errors"].items() if v and k != "timeout"}:
        notes.append(f"socket errors: {broken}")
    return f"{r['rate']:,.0f} req/s, latency p50 {r['p50']}, p99 {r['p99']}" + "".join(f", {n}" for n in notes)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--duration", type=int, default=10)
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--schema", choices=["migrate", "create-all"], default="migrate")
    parser.add_argument("--keep", action="store_true", help="keep the temporary directory")
    parser.add_argument("--baseline", type=Path, help="an earlier version's tree: its logged-in pages too")
    args = parser.parse_args()
    if not shutil.which("wrk"):
        raise SystemExit("wrk is needed: apt-get install -y wrk")
    workdir = Path(tempfile.mkdtemp(prefix="weiyi-list-"))
    print(f"machine: {machine()}")
    env = app_env(workdir)
    wrk = {"duration": args.duration, "connections": args.connections}
    try:
        migrate(env, args.schema)
        flask(env, "demo")
        cookie = session_cookie(env, RESIDENT)
        logged_in = {**LOGGED_IN, "logged_in_results": results_path(workdir)}
        results = {}
        with Gunicorn("wsgi:app", env, workdir, workers=args.workers, name="weiyi") as server:
            page = urllib.request.urlopen(server.url + LIST_PATH, timeout=120).read()  # noqa: S310 - loopback
            for name, path in (("list", LIST_PATH), ("matter", MATTER_PATH)):
                warm(server.url + path)
                results[name] = run_wrk(server.url + path, **wrk)
            results.update(measure_logged_in(server, logged_in, cookie, wrk))
        if args.baseline:
            with Gunicorn("wsgi:app", env, workdir, workers=args.workers, cwd=args.baseline, name="baseline") as server:
                results.update(measure_logged_in(server, logged_in, cookie, wrk, suffix="_baseline"))
        uncached = dict(env, PAGE_CACHE="0")
        with Gunicorn("wsgi:app", uncached, workdir, workers=args.workers, name="weiyi-uncached") as server:
            warm(server.url + LIST_PATH)
            results["rendered"] = run_wrk(server.url + LIST_PATH, **wrk)
        with Gunicorn(
            "minimal_app:app", env, workdir, workers=args.workers, cwd=ROOT / "bench", name="minimal"
        ) as server:
            warm(server.url + "/")
            results["minimal"] = run_wrk(server.url + "/", **wrk)
    finally:
        if not args.keep:
            shutil.rmtree(workdir, ignore_errors=True)
    print(f"gunicorn {args.workers} sync workers; wrk -t2 -c{args.connections} -d{args.duration}s on 127.0.0.1")
    labels = {
        "list": f"micro-matter list {LIST_PATH} for visitors (demo, {len(page):,} bytes of HTML), as served",
        "matter": f"matter page {MATTER_PATH} for visitors, as served",
        "logged_in": f"the list logged in as {RESIDENT}",
        "logged_in_matter": f"the matter page {MATTER_PATH} logged in",
        "logged_in_results": f"a counted round's results {logged_in['logged_in_results']} logged in",
        "rendered": "the list for visitors with PAGE_CACHE=0 (rendered every time)",
        "minimal": "minimal Flask page",
    }
    if args.baseline:
        labels.update({f"{name}_baseline": f"{labels[name]}, baseline {args.baseline}" for name in LOGGED_IN})
    for name, label in labels.items():
        print(f"  {label}: {describe(results[name])}")
    bare = results["minimal"]["rate"]
    print(
        "ratios to the bare page: "
        + ", ".join(f"{name} {results[name]['rate'] / bare:.2f}" for name in labels if name != "minimal")
        + " (aims: visitors at least 0.50, logged in at least 0.25)"
    )
    bad = any(r["non_2xx"] or any(v for k, v in r["errors"].items() if k != "timeout") for r in results.values())
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
