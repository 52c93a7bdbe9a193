"""CPU per rendering of the micro-matter list, in-process (Flask test client, page cache off).

    python bench/list_cpu.py [--renders 300] [--extra 0] [--before DIR] [--repeat 1] [--profile PAGE]

Loads the demo into a temporary SQLite file, optionally adds --extra matters to the demo
community (the list's sort keys at scale: page 1 and the last page), then renders the list N times
anonymously and N times logged in and prints the CPU milliseconds per rendering (process time,
mean and median, after 20 warm-up renderings), and the SQL statements of one rendering.

--before DIR measures another checkout of the project in the same run (a subprocess with DIR as
its root, e.g. `git archive HEAD | tar -x -C DIR` for the code before a change), so both figures
come from the same machine under the same load. --repeat N runs each checkout N times, alternated
(each in a subprocess), and keeps each page's least figure: on shared cores a run's figures move
with the other sessions' load. --profile PAGE (e.g. "list, most supported (resident1)") runs
cProfile over that page's renderings instead and prints where their time goes.
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

from harness import measured_in, test_client_app  # noqa: E402

DEMO_PASSWORD = "bench-demo-password"
WARMUP = 20


def make_app(tmp, extra):
    app = test_client_app(tmp)
    result = app.test_cli_runner().invoke(args=["demo"], env={"DEMO_PASSWORD": DEMO_PASSWORD})
    if result.exit_code != 0:
        raise SystemExit(f"demo failed: {result.output}\n{result.exception!r}")
    if extra:
        with app.app_context():
            add_matters(extra)
    return app


def add_matters(count):
    """`count` collecting matters in the demo community, written in one transaction."""
    from sqlalchemy import select

    from app.communities.models import Community
    from app.demo import DEMO_SLUG
    from app.extensions import db
    from app.matters.models import MicroMatter

    community = db.session.scalar(select(Community).where(Community.slug == DEMO_SLUG))
    proposer_id = db.session.scalar(select(MicroMatter.proposer_id).limit(1))
    rows = [
        {
            "community_id": community.id,
            "proposer_id": proposer_id,
            "title": f"批量事项{i}",
            "description": "说明",
            "description_html": "<p>说明</p>",
            "category": "facilities",
            "location": "小区",
            "estimated_cost": 1000 + i,
            "project_type": "goods",
            "status": "collecting",
            "support_count": i % 37,
        }
        for i in range(count)
    ]
    db.session.execute(MicroMatter.__table__.insert(), rows)
    db.session.commit()


def per_render(client, path, renders):
    """(mean, median) CPU milliseconds of a rendering: the median leaves out the renderings that
    another session's burst of load slowed down."""
    for _ in range(WARMUP):
        assert client.get(path).status_code == 200, path
    clock, spent = time.process_time, []
    for _ in range(renders):
        start = clock()
        client.get(path)
        spent.append(clock() - start)
    return 1000 * sum(spent) / renders, 1000 * statistics.median(spent)


def profiled(client, path, renders):
    for _ in range(WARMUP):
        assert client.get(path).status_code == 200, path
    profiler = cProfile.Profile()
    profiler.enable()
    for _ in range(renders):
        client.get(path)
    profiler.disable()
    out = io.StringIO()
    stats = pstats.Stats(profiler, stream=out)
    stats.sort_stats("cumulative").print_stats(60)
    stats.sort_stats("tottime").print_stats(30)
    print(out.getvalue())


def statements(app, client, path):
    from sqlalchemy import event

    from app.extensions import db

    seen = []

    def count(_conn, _cursor, statement, *_args):
        if not statement.lstrip().upper().startswith(("BEGIN", "COMMIT", "ROLLBACK")):
            seen.append(statement)

    with app.app_context():
        engine = db.engine
    event.listen(engine, "before_cursor_execute", count)
    try:
        client.get(path)
    finally:
        event.remove(engine, "before_cursor_execute", count)
    return len(seen)


def measure(renders, extra, profile=None):
    """Each page's figures; with `profile` (a page's name as printed), that page's renderings
    under cProfile, its statistics printed, instead."""
    from app.demo import DEMO_SLUG

    base = f"/c/{DEMO_SLUG}/matters/"
    with tempfile.TemporaryDirectory() as tmp:
        app = make_app(tmp, extra)
        anonymous, resident = app.test_client(), app.test_client()
        response = resident.post("/auth/login", data={"username": "resident1", "password": DEMO_PASSWORD})
        if response.status_code != 302:
            raise SystemExit("could not log in as resident1")
        pages = {"list": base, "list, most supported": base + "?sort=supported"}
        if extra:
            with app.test_request_context():
                from app.matters import services

                pages["last page"] = f"{base}?page={(extra + 200) // services.PER_PAGE}"
        figures = {}
        for name, path in pages.items():
            for who, client in (("anonymous", anonymous), ("resident1", resident)):
                if profile is not None:
                    if profile == f"{name} ({who})":
                        profiled(client, path, renders)
                    continue
                mean, median = per_render(client, path, renders)
                figures[f"{name} ({who})"] = {
                    "ms": round(mean, 2),
                    "median": round(median, 2),
                    "statements": statements(app, client, path),
                }
        return figures


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--renders", type=int, default=300, help="renderings per page and visitor (default 300)")
    parser.add_argument("--extra", type=int, default=0, help="matters added to the demo community (default 0)")
    parser.add_argument("--before", help="another checkout of the project, measured in the same run")
    parser.add_argument("--repeat", type=int, default=1, help="runs of each checkout, alternated; least kept")
    parser.add_argument("--profile", metavar="PAGE", help='cProfile one page, e.g. "list (anonymous)"')
    parser.add_argument("--json", action="store_true", help=argparse.SUPPRESS)  # the --before subprocess
    args = parser.parse_args(argv)
    args.renders = max(1, min(args.renders, 10_000))
    args.extra = max(0, min(args.extra, 100_000))
    args.repeat = max(1, min(args.repeat, 20))

    if args.profile:
        measure(args.renders, args.extra, profile=args.profile)
        return 0
    if args.json:
        print(json.dumps(measure(args.renders, args.extra)))
        return 0
    options = ["--renders", args.renders, "--extra", args.extra]
    roots = {"before": args.before} if args.before else {}
    roots["now"] = str(ROOT)
    found: dict = {name: [] for name in roots}
    in_process = len(roots) == 1 and args.repeat == 1  # one run of this checkout alone
    for _ in range(args.repeat):
        for name, root in roots.items():
            found[name].append(
                measure(args.renders, args.extra) if in_process else measured_in(root, __file__, options)
            )
    runs = {  # each page's least mean, and least median, over the runs
        name: {
            page: {
                **min((r[page] for r in results), key=lambda f: f["ms"]),
                "median": min(r[page]["median"] for r in results),
            }
            for page in results[0]
        }
        for name, results in found.items()
    }

    cpus = len(os.sched_getaffinity(0))
    print(
        f"{cpus} CPUs available, load average {os.getloadavg()[0]:.1f}; {args.renders} renderings each; "
        f"{args.extra} extra matters; least of {args.repeat} run(s)"
    )
    print("ms: the mean CPU time of a rendering, median: its median")
    print(f"{'page':<36} " + " ".join(f"{k + ' ms':>10} {'median':>7} {'SQL':>4}" for k in runs) + "  now/before")
    for page in runs["now"]:
        cells = []
        for run in runs.values():
            figure = run.get(page, {})
            cells.append(
                f"{figure.get('ms', '-'):>10} {figure.get('median', '-'):>7} {figure.get('statements', '-'):>4}"
            )
        before, now = runs.get("before", {}).get(page), runs["now"][page]
        ratio = f"  {now['ms'] / before['ms']:.2f} ({now['median'] / before['median']:.2f})" if before else ""
        print(f"{page:<36} " + " ".join(cells) + ratio)
    return 0


if __name__ == "__main__":
    sys.exit(main())
