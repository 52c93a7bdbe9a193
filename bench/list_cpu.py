"""CPU per rendering of the micro-matter list, in-process (Flask test client, page cache off).

    python bench/list_cpu.py [--renders 300] [--extra 0] [--before DIR]

Loads the demo into a temporary SQLite file, optionally adds --extra matters to the demo
community (the list's sort keys at scale: page 1 and the last page), then renders the list N times
anonymously and N times logged in and prints the CPU milliseconds per rendering (process time,
after 20 warm-up renderings), and the SQL statements of one rendering.

--before DIR measures another checkout of the project in the same run (a subprocess with DIR as
its root, e.g. `git archive HEAD | tar -x -C DIR` for the code before a change), so both figures
come from the same machine under the same load.
"""

import argparse
import json
import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(os.environ.get("WEIYI_ROOT") or Path(__file__).resolve().parent.parent)
sys.path[:0] = [str(ROOT), str(Path(__file__).resolve().parent)]

from harness import measured_in  # noqa: E402

DEMO_PASSWORD = "bench-demo-password"
WARMUP = 20


def make_app(tmp, extra):
    from app import create_app
    from app.extensions import db

    app = create_app(
        "test",
        SQLALCHEMY_DATABASE_URI=f"sqlite:///{Path(tmp) / 'bench.db'}",
        UPLOAD_FOLDER=str(Path(tmp) / "up"),
        WTF_CSRF_ENABLED=False,
        RATELIMIT_ENABLED=False,
        PAGE_CACHE=False,
    )
    with app.app_context():
        db.create_all()
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
    for _ in range(WARMUP):
        assert client.get(path).status_code == 200, path
    start = time.process_time()
    for _ in range(renders):
        client.get(path)
    return 1000 * (time.process_time() - start) / renders


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


def measure(renders, extra):
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
                ms = per_render(client, path, renders)
                figures[f"{name} ({who})"] = {"ms": round(ms, 2), "statements": statements(app, client, path)}
        return figures


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--renders", type=int, default=300, help="renderings per page and visitor (default 300)")
    parser.add_argument("--extra", type=int, default=0, help="matters added to the demo community (default 0)")
    parser.add_argument("--before", help="another checkout of the project, measured in the same run")
    parser.add_argument("--json", action="store_true", help=argparse.SUPPRESS)  # the --before subprocess
    args = parser.parse_args(argv)
    args.renders = max(1, min(args.renders, 10_000))
    args.extra = max(0, min(args.extra, 100_000))

    if args.json:
        print(json.dumps(measure(args.renders, args.extra)))
        return 0
    runs = {}
    if args.before:
        runs["before"] = measured_in(args.before, __file__, ["--renders", args.renders, "--extra", args.extra])
    runs["now"] = measure(args.renders, args.extra)

    cpus = len(os.sched_getaffinity(0))
    print(f"{cpus} CPUs available; {args.renders} renderings each; {args.extra} extra matters")
    print(f"{'page':<40} " + " ".join(f"{k + ' ms':>10} {k + ' SQL':>10}" for k in runs))
    for page in runs["now"]:
        cells = []
        for run in runs.values():
            figure = run.get(page, {})
            cells.append(f"{figure.get('ms', '-'):>10} {figure.get('statements', '-'):>10}")
        print(f"{page:<40} " + " ".join(cells))
    return 0


if __name__ == "__main__":
    sys.exit(main())
