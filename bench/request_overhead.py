#!/usr/bin/env python3
"""CPU per request in-process, around the view: Flask, the request hooks and the base template.

    python bench/request_overhead.py [--requests 300] [--repeat 1] [--before DIR] [--profile PAGE] [--sql] [--page-cache]

The production configuration (CSRF and rate limits on, page cache off unless --page-cache) over a temporary SQLite file
with the demo and a ballot community (bench/ballot_seed.py). Each page is requested by a visitor (no
cookie) and by a resident (a signed session cookie, kept up to date from the answers, as a phone
does): the micro-matter list, an empty page (a view answering "" with nothing but Flask and the
hooks around it), the base template around an empty block, and an open round's ballot page.
The requests go straight to the WSGI callable with a prepared environ, the pages taking turns;
printed is the median of the process time per request (after warm-up requests), its mean, and the SQL
statements of one request.

--before DIR measures another checkout of the project in the same run (a subprocess with DIR as its
root, e.g. `git archive HEAD | tar -x -C DIR`); --repeat N runs each checkout N times, alternated,
and keeps each page's least median. --profile PAGE (e.g. "empty, resident") runs cProfile over
that page's measured requests; --sql prints the statements of one request of each page.
--page-cache measures pages as served (PAGE_CACHE on): visitors' from the page cache, the resident's
list and ballot page put together from kept parts where the view shares them (app/core/shared_body.py).
"""

import argparse
import cProfile
import io
import json
import os
import pstats
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(os.environ.get("WEIYI_ROOT") or Path(__file__).resolve().parent.parent)
sys.path[:0] = [str(ROOT), str(Path(__file__).resolve().parent)]

from harness import in_process_app, measured_in  # noqa: E402

DEMO_PASSWORD = "bench-demo-password"
WARMUP = 30
EMPTY, BASE = "/_bench/empty", "/_bench/base"


def make_app(tmp, page_cache=False):
    from flask import render_template

    app = in_process_app(tmp, PAGE_CACHE=page_cache)
    # Two pages of the bench's own: nothing but the hooks, and the base template around nothing.
    # The latter compiled once, as a template file is (render_template_string compiles per call).
    around_nothing = app.jinja_env.from_string('{% extends "base.html" %}')
    app.add_url_rule(EMPTY, "bench_empty", lambda: "")
    app.add_url_rule(BASE, "bench_base", lambda: render_template(around_nothing))
    result = app.test_cli_runner().invoke(args=["demo"], env={"DEMO_PASSWORD": DEMO_PASSWORD})
    if result.exit_code != 0:
        raise SystemExit(f"demo failed: {result.output}\n{result.exception!r}")
    return app


def seed(app):
    """Session cookies of resident1 (a voter who has not voted yet) and the path of the demo's open round."""
    from app.auth.models import User
    from app.auth.sessions import signed_in
    from app.communities.models import Community
    from app.demo import DEMO_SLUG
    from app.extensions import db
    from app.voting.models import VotingRound

    with app.app_context():
        serializer = app.session_interface.get_signing_serializer(app)
        resident = db.session.scalar(db.select(User).filter_by(username="resident1"))
        open_round = db.session.scalar(
            db.select(VotingRound.id)
            .join(Community, Community.id == VotingRound.community_id)
            .where(Community.slug == DEMO_SLUG)
            .order_by(VotingRound.closes_at.desc())
            .limit(1)
        )
        return serializer.dumps(signed_in(resident.get_id())), f"/c/{DEMO_SLUG}/rounds/{open_round}"


class Caller:
    """One person's requests to the WSGI callable: an environ prepared once per path, the session
    cookie replaced by the one an answer sets."""

    def __init__(self, app, cookie=None):
        self.app, self.cookie, self.environs = app, cookie, {}

    def environ(self, path):
        from werkzeug.test import EnvironBuilder

        if path not in self.environs:
            builder = EnvironBuilder(path=path, base_url="http://127.0.0.1", headers={"Accept-Language": "zh-CN"})
            self.environs[path] = builder.get_environ()
            builder.close()
        environ = dict(self.environs[path])
        environ["wsgi.input"] = io.BytesIO()
        if self.cookie:
            environ["HTTP_COOKIE"] = f"session={self.cookie}"
        return environ

    def __call__(self, path):
        found = {}

        def start_response(status, headers, _exc_info=None):
            found["status"], found["headers"] = status, headers

        answer = self.app(self.environ(path), start_response)
        try:
            body = b"".join(answer)
        finally:
            if hasattr(answer, "close"):
                answer.close()
        if not found["status"].startswith("200"):
            raise SystemExit(f"{path} answered {found['status']}")
        for name, value in found["headers"]:
            if name.lower() == "set-cookie" and value.startswith("session=") and self.cookie:
                self.cookie = value.split(";", 1)[0].removeprefix("session=")
        return body


def pages(app):
    from app.demo import DEMO_SLUG

    cookie, ballot = seed(app)
    visitor, resident = Caller(app), Caller(app, cookie)
    listing = f"/c/{DEMO_SLUG}/matters/"
    return {
        "list, visitor": (visitor, listing),
        "list, resident": (resident, listing),
        "empty, visitor": (visitor, EMPTY),
        "empty, resident": (resident, EMPTY),
        "base template, visitor": (visitor, BASE),
        "base template, resident": (resident, BASE),
        "ballot page, visitor": (visitor, ballot),
        "ballot page, resident": (resident, ballot),
    }


def statements(app, call):
    from sqlalchemy import event

    from app.extensions import db

    seen = []

    def note(_conn, _cursor, statement, *_args):
        seen.append(" ".join(statement.split()))

    with app.app_context():
        engine = db.engine
    event.listen(engine, "before_cursor_execute", note)
    try:
        call()
    finally:
        event.remove(engine, "before_cursor_execute", note)
    return [s for s in seen if not s.startswith(("BEGIN", "COMMIT", "ROLLBACK"))]


def measure(requests, profile=None, page_cache=False):
    with tempfile.TemporaryDirectory() as tmp:
        app = make_app(tmp, page_cache)
        plan = pages(app)
        for _ in range(WARMUP):
            for caller, path in plan.values():
                caller(path)
        sql = {name: statements(app, lambda c=caller, p=path: c(p)) for name, (caller, path) in plan.items()}
        times = {name: [] for name in plan}
        profiler = cProfile.Profile() if profile else None
        clock = time.process_time
        for _ in range(requests):  # the pages take turns: the machine's load falls on all alike
            for name, (caller, path) in plan.items():
                profiling = name == profile
                if profiling:
                    profiler.enable()
                start = clock()
                caller(path)
                spent = clock() - start
                if profiling:
                    profiler.disable()
                times[name].append(spent)
        figures = {
            name: {
                "ms": round(1000 * statistics.median(spent), 3),
                "mean": round(1000 * statistics.fmean(spent), 3),
                "statements": len(sql[name]),
                "sql": sql[name],
            }
            for name, spent in times.items()
        }
        if profiler is not None:
            out = io.StringIO()
            stats = pstats.Stats(profiler, stream=out)
            stats.sort_stats("tottime").print_stats(45)
            stats.sort_stats("cumulative").print_stats(70)
            figures["profile"] = out.getvalue()
        return figures


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=300, help="measured requests of each page (default 300)")
    parser.add_argument("--repeat", type=int, default=1, help="runs of each checkout, alternated; least median kept")
    parser.add_argument("--before", help="another checkout of the project, measured in the same run")
    parser.add_argument("--profile", help='cProfile one page\'s requests, e.g. "empty, resident"')
    parser.add_argument("--sql", action="store_true", help="print the statements of one request of each page")
    parser.add_argument("--page-cache", action="store_true", help="pages as served, from the caches (PAGE_CACHE on)")
    parser.add_argument("--json", action="store_true", help=argparse.SUPPRESS)  # one run, for main()
    args = parser.parse_args(argv)
    args.requests = max(10, min(args.requests, 20_000))
    args.repeat = max(1, min(args.repeat, 20))

    if args.json:
        print(json.dumps(measure(args.requests, page_cache=args.page_cache)))
        return 0
    if args.profile or args.sql:
        found = measure(args.requests, args.profile, args.page_cache)
        print(found.pop("profile", ""))
        for name, figure in found.items():
            print(f"{name}: {figure['ms']} ms, {figure['statements']} statements")
            for statement in figure["sql"] if args.sql else ():
                print(f"    {statement[:240]}")
        return 0
    roots = {"before": args.before} if args.before else {}
    roots["now"] = str(ROOT)
    found = {name: [] for name in roots}
    for _ in range(args.repeat):
        for name, root in roots.items():
            options = ["--requests", args.requests, *(["--page-cache"] if args.page_cache else [])]
            found[name].append(measured_in(root, __file__, options))
    runs = {
        name: {page: min((r[page] for r in results), key=lambda f: f["ms"]) for page in results[0]}
        for name, results in found.items()
    }
    print(
        f"{len(os.sched_getaffinity(0))} CPUs available, load average {os.getloadavg()[0]:.1f}; median of "
        f"{args.requests} requests of each page, least of {args.repeat} runs"
        + (", pages as served (PAGE_CACHE on)" if args.page_cache else "")
    )
    print(f"{'page':<26} " + " ".join(f"{k + ' ms':>10} {'(mean)':>8} {k + ' SQL':>9}" for k in runs))
    for page in runs["now"]:
        cells = [f"{run[page]['ms']:>10} {run[page]['mean']:>8} {run[page]['statements']:>9}" for run in runs.values()]
        ratio = f"  ({runs['now'][page]['ms'] / runs['before'][page]['ms']:.2f})" if "before" in runs else ""
        print(f"{page:<26} " + " ".join(cells) + ratio)
    return 0


if __name__ == "__main__":
    sys.exit(main())
