"""Time of the micro-matter list with a search `q`, in-process, at tens of thousands of matters.

    python bench/search_latency.py [--matters 31000] [--repeats 10] [--database URL] [--before DIR [--rounds 3]]

Fills a community with --matters generated matters (every title names its building, 号楼; one in
seven a ramp, 坡道; descriptions with two facilities and "item <n>"), then times the whole
services.list_matters (rows and total, as the page reads them) for each query, page 1 and page 50,
and prints the fastest of --repeats runs in milliseconds (the fastest: on a shared machine the
others mostly measure the neighbours). SQLite by default (a temporary file); --database takes a
PostgreSQL URL whose database the bench may fill and empty (its tables are created and dropped).

--before DIR measures another checkout of the project on the same database in the same run (a
subprocess with DIR as its root, e.g. `git archive HEAD | tar -x -C DIR` for the code before a
change), taking turns with this one --rounds times, so both see the same load; exit 1 when the two
list different matters or totals.
"""

import argparse
import json
import os
import random
import sys
import tempfile
import time
from datetime import datetime, timedelta
from pathlib import Path

ROOT = Path(os.environ.get("WEIYI_ROOT") or Path(__file__).resolve().parent.parent)
sys.path[:0] = [str(ROOT), str(Path(__file__).resolve().parent)]

from harness import measured_in  # noqa: E402

# (query, what it is) in the printed order.
QUERIES = [
    ("坡道", "one matter in seven"),
    ("充电桩 监控", "two facilities"),
    ("item 123", "a hundred matches"),
    ("item 12345", "one match"),
    ("不存在", "no match"),
    ("号楼", "every matter"),
]
FACILITIES = ["充电桩", "监控", "路灯", "座椅", "晾衣架", "信报箱", "扶手", "雨棚", "自行车棚", "绿化带"]
PAGES = (1, 50)


def make_app(database_url, tmp):
    from app import create_app

    return create_app(
        "test", SQLALCHEMY_DATABASE_URI=database_url, UPLOAD_FOLDER=str(Path(tmp) / "up"), PAGE_CACHE=False
    )


def populate(count):
    """A community, its proposer and `count` collecting matters (dates spread over a year, so the
    list's order is not the ids'); returns the community."""
    from app.auth.models import User
    from app.communities.models import Community
    from app.extensions import db
    from app.matters import search
    from app.matters.models import MicroMatter

    community = Community(slug="search", name="检索社区", district="姑苏区", register_size=count, annual_budget=1)
    proposer = User(username="proposer", display_name="居民", password_hash="-")
    db.session.add_all([community, proposer])
    db.session.flush()
    chance = random.Random(12345)  # noqa: S311  (test data)
    start = datetime(2025, 1, 1)
    for first in range(0, count, 2000):
        rows = []
        for i in range(first, min(first + 2000, count)):
            title = f"{chance.randint(1, 40)}号楼" + ("入口加装无障碍坡道" if i % 7 == 0 else "公共设施修缮")
            description = "、".join(chance.sample(FACILITIES, 2)) + f"需要维修 item {i}"
            location = f"{chance.randint(1, 12)}单元"
            when = start + timedelta(minutes=chance.randint(0, 525_600))
            rows.append(
                {
                    "community_id": community.id,
                    "proposer_id": proposer.id,
                    "title": title,
                    "description": description,
                    "description_html": f"<p>{description}</p>",
                    "category": "facilities",
                    "location": location,
                    "estimated_cost": 1000 + i,
                    "project_type": "goods",
                    "status": "collecting",
                    "support_count": i % 37,
                    "created_at": when,
                    "submitted_at": when,
                    "search_text": search.document(title, description, location),
                }
            )
        db.session.execute(MicroMatter.__table__.insert(), rows)
    db.session.commit()
    return community


def timed(community, q, page, repeats):
    """The fastest of `repeats` runs (after one that warms the caches), and what it listed."""
    from app.extensions import db
    from app.matters import services

    runs, shown = [], None
    for _ in range(repeats + 1):
        db.session.rollback()
        begin = time.perf_counter()
        listed = services.list_matters(community, q=q, page=page)
        shown = ([card.id for card in listed.items], listed.total)
        runs.append(1000 * (time.perf_counter() - begin))
    return min(runs[1:]), shown


def measure(app, repeats):
    """{"<q> p<page>": {"ms", "total", "ids"}} for every query and page."""
    from sqlalchemy import select

    from app.communities.models import Community
    from app.extensions import db

    with app.app_context():
        community = db.session.scalar(select(Community).where(Community.slug == "search"))
        figures = {}
        for q, _ in QUERIES:
            for page in PAGES:
                ms, (ids, total) = timed(community, q, page, repeats)
                figures[f"{q} p{page}"] = {"ms": round(ms, 1), "total": total, "ids": ids}
        return figures


def measure_before(before, database_url, repeats):
    """The same measures by another checkout, in a subprocess, on the same database."""
    return measured_in(before, __file__, ["--database", database_url, "--repeats", repeats])


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--matters", type=int, default=31_000)
    parser.add_argument("--repeats", type=int, default=10)
    parser.add_argument("--rounds", type=int, default=3, help="with --before: measures taken in turn (default 3)")
    parser.add_argument("--database", help="a PostgreSQL URL the bench may fill and empty (default: SQLite)")
    parser.add_argument("--before", help="another checkout of the project, measured in the same run")
    parser.add_argument("--json", action="store_true", help=argparse.SUPPRESS)  # --before: measure only
    args = parser.parse_args(argv)
    args.matters = max(100, min(args.matters, 200_000))
    args.repeats = max(1, min(args.repeats, 200))
    args.rounds = max(1, min(args.rounds, 20))

    with tempfile.TemporaryDirectory() as tmp:
        database_url = args.database or f"sqlite:///{Path(tmp) / 'bench.db'}"
        app = make_app(database_url, tmp)
        if args.json:
            print(json.dumps(measure(app, args.repeats)))
            return 0
        from app.extensions import db

        with app.app_context():
            db.drop_all()
            db.create_all()
            populate(args.matters)
        try:
            runs = {"before": [], "now": []} if args.before else {"now": []}
            for _ in range(args.rounds if args.before else 1):  # in turn, so that both see the same load
                if args.before:
                    runs["before"].append(measure_before(args.before, database_url, args.repeats))
                runs["now"].append(measure(app, args.repeats))
        finally:
            with app.app_context():
                db.drop_all()
    return report(args, runs)


def report(args, runs):
    """Prints the fastest figure of each query over the rounds; 1 when before and now list differently."""
    load = os.getloadavg()[0]
    where = "PostgreSQL" if args.database else "SQLite"
    print(f"{where}, {args.matters:,} matters, fastest of {args.repeats} x {len(runs['now'])}; load average {load:.1f}")
    print(f"{'query':<34} {'matches':>8} " + " ".join(f"{k + ' ms':>10}" for k in runs))
    same = True
    for key, figure in runs["now"][0].items():
        q, page = key.rsplit(" ", 1)
        label = f"{q} ({dict(QUERIES)[q]}) {page}"
        fastest = [min(measured[key]["ms"] for measured in run) for run in runs.values()]
        print(f"{label:<34} {figure['total']:>8} " + " ".join(f"{ms:>10}" for ms in fastest))
        same = same and all(
            measured[key]["ids"] == figure["ids"] and measured[key]["total"] == figure["total"]
            for run in runs.values()
            for measured in run
        )
    if args.before:
        print("same rows and totals before and now" if same else "DIFFERENT rows or totals: see above")
    return 0 if same else 1


if __name__ == "__main__":
    sys.exit(main())
