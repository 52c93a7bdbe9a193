#!/usr/bin/env python3
"""Requests per second of the micro-matter list page, next to a minimal Flask page (run by hand).

    python bench/list_throughput.py [--duration 10] [--connections 32] [--workers 2] [--schema migrate]

A fresh SQLite file is migrated (`flask db upgrade`) and the demo loaded (`flask demo`) before
gunicorn starts. Then, in the same run and the same way (gunicorn, N sync workers, 127.0.0.1),
wrk measures (-t2 -c32 -d10s):
  1. /c/xinglin/matters/  — the demo community's micro-matter list (production config), rendered
                            for every request;
  2. the same page with MICROCACHE_SECONDS=2 (visitors without cookies share a rendering for 2 s,
                            app/ops/microcache.py);
  3. /                    — bench/minimal_app.py, a bare Flask page.
Prints both rates, the ratio (aim: at least 0.5) and the list page's size. Exit 1 on any
non-2xx response or socket error.
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

from harness import ROOT, Gunicorn, app_env, flask, machine, migrate  # noqa: E402

LIST_PATH = "/c/xinglin/matters/"


def run_wrk(url, duration, connections, threads=2):
    result = subprocess.run(
        ["wrk", f"-t{threads}", f"-c{connections}", f"-d{duration}s", "--latency", url],
        capture_output=True,
        text=True,
        timeout=duration + 60,
        check=True,
    )
    out = result.stdout
    rate = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    non_2xx = int(m.group(1)) if (m := re.search(r"Non-2xx or 3xx responses:\s+(\d+)", out)) else 0
    errors = re.search(r"Socket errors:.*", out)
    p50 = re.search(r"\s50%\s+(\S+)", out).group(1)
    p99 = re.search(r"\s99%\s+(\S+)", out).group(1)
    return {"rate": rate, "non_2xx": non_2xx, "errors": errors.group(0) if errors else "", "p50": p50, "p99": p99}


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--duration", type=int, default=10)
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--schema", choices=["migrate", "create-all"], default="migrate")
    parser.add_argument("--microcache", type=float, default=2, help="MICROCACHE_SECONDS for the second run")
    parser.add_argument("--keep", action="store_true", help="keep the temporary directory")
    args = parser.parse_args()
    if not shutil.which("wrk"):
        raise SystemExit("wrk is needed: apt-get install -y wrk")
    workdir = Path(tempfile.mkdtemp(prefix="weiyi-list-"))
    print(f"machine: {machine()}")
    env = app_env(workdir)
    try:
        migrate(env, args.schema)
        flask(env, "demo")
        results = {}
        with Gunicorn("wsgi:app", env, workdir, workers=args.workers, name="weiyi") as server:
            page = urllib.request.urlopen(server.url + LIST_PATH, timeout=30).read()  # noqa: S310 - loopback
            results["list"] = run_wrk(server.url + LIST_PATH, args.duration, args.connections)
        cached_env = dict(env, MICROCACHE_SECONDS=str(args.microcache))
        with Gunicorn("wsgi:app", cached_env, workdir, workers=args.workers, name="weiyi-cached") as server:
            results["cached"] = run_wrk(server.url + LIST_PATH, args.duration, args.connections)
        with Gunicorn(
            "minimal_app:app", env, workdir, workers=args.workers, cwd=ROOT / "bench", name="minimal"
        ) as server:
            results["minimal"] = run_wrk(server.url + "/", args.duration, args.connections)
    finally:
        if not args.keep:
            shutil.rmtree(workdir, ignore_errors=True)
    ratio = results["list"]["rate"] / results["minimal"]["rate"]
    cached_ratio = results["cached"]["rate"] / results["minimal"]["rate"]
    print(f"gunicorn {args.workers} sync workers; wrk -t2 -c{args.connections} -d{args.duration}s on 127.0.0.1")
    for name, label in (
        ("list", f"micro-matter list {LIST_PATH} (demo, {len(page):,} bytes of HTML)"),
        ("cached", f"the same with MICROCACHE_SECONDS={args.microcache:g}"),
        ("minimal", "minimal Flask page"),
    ):
        r = results[name]
        print(
            f"  {label}: {r['rate']:,.0f} req/s, latency p50 {r['p50']}, p99 {r['p99']}"
            f"{', non-2xx: ' + str(r['non_2xx']) if r['non_2xx'] else ''}{', ' + r['errors'] if r['errors'] else ''}"
        )
    print(
        f"ratio list / minimal: {ratio:.2f} rendered every time, {cached_ratio:.2f} with the micro-cache "
        f"(aim: at least 0.50)"
    )
    bad = any(r["non_2xx"] or r["errors"] for r in results.values())
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
