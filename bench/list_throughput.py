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
  3. the list page logged in as resident1 (rendered for every request);
  4. the list page with PAGE_CACHE=0 (rendered for every request);
  5. /  — bench/minimal_app.py, a bare Flask page.
Prints each rate and its ratio to the bare page (aims: at least 0.5 for visitors, 0.25 logged in)
and the list page's size. Socket timeouts that wrk reports on a busy machine are printed, not
failed on; exit 1 on any non-2xx response or a connect/read/write error.
"""

import argparse
import re
import shutil
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
    """A few requests first: every worker has loaded the app before wrk starts the clock."""
    headers = {"Cookie": f"session={cookie}"} if cookie else {}
    for _ in range(times):
        urllib.request.urlopen(urllib.request.Request(url, headers=headers), timeout=120).read()  # noqa: S310


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
        results = {}
        with Gunicorn("wsgi:app", env, workdir, workers=args.workers, name="weiyi") as server:
            page = urllib.request.urlopen(server.url + LIST_PATH, timeout=120).read()  # noqa: S310 - loopback
            for name, path, who in (
                ("list", LIST_PATH, None),
                ("matter", MATTER_PATH, None),
                ("logged_in", LIST_PATH, cookie),
            ):
                warm(server.url + path, who)
                results[name] = run_wrk(server.url + path, cookie=who, **wrk)
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
        "logged_in": f"the list logged in as {RESIDENT} (rendered every time)",
        "rendered": "the list for visitors with PAGE_CACHE=0 (rendered every time)",
        "minimal": "minimal Flask page",
    }
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
