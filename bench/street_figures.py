"""CPU and SQL statements of the street office's figures and the yearly record, in-process.

    python bench/street_figures.py [--renders 10] [--communities 6] [--years 4] [--before DIR]

Loads the demo (its street 双塔街道 has three communities) into a temporary SQLite file, adds
--communities more communities to the street, each with --years years of fund entries (an
allocation, a charity gift, a matter committed and paid), proposed matters and delivery tasks with
a partner's and a volunteer's confirmed sign-ups, then renders as the street's staff the street
dashboard, its CSV, the street's yearly report and its CSV bundle, and as the demo community's
committee its yearly report and its committee dashboard (the charity money per year). Prints the
CPU milliseconds of a rendering (the median process time, after two warm-up renderings), the SQL
statements of one rendering and, with --before, whether the CSV downloads are byte for byte the same
in both runs.

--before DIR measures another checkout of the project in the same run (a subprocess with DIR as
its root), so both figures come from the same machine under the same load.
"""

import argparse
import hashlib
import io
import json
import os
import statistics
import sys
import tempfile
import time
import zipfile
from datetime import date
from pathlib import Path

ROOT = Path(os.environ.get("WEIYI_ROOT") or Path(__file__).resolve().parent.parent)
sys.path[:0] = [str(ROOT), str(Path(__file__).resolve().parent)]

from harness import measured_in  # noqa: E402
from list_cpu import DEMO_PASSWORD, make_app, statements  # noqa: E402

WARMUP = 2
STREET = "shuangta"


def add_communities(count, years):
    """`count` communities in the demo's street, each with `years` years of records up to this one."""
    from sqlalchemy import select

    from app.communities.models import Community
    from app.extensions import db
    from app.fund.services import current_year
    from app.matters.models import MicroMatter
    from app.partners.models import DeliveryTask, Partner, TaskSignup, Volunteer
    from app.rules.models import RuleSet
    from app.streets.models import Street
    from app.tracker.models import ImplementationRecord

    street = db.session.scalar(select(Street).where(Street.slug == STREET))
    user_id = db.session.scalar(select(MicroMatter.proposer_id).limit(1))
    record_id = db.session.scalar(select(ImplementationRecord.id).limit(1))
    last = current_year()
    for n in range(count):
        community = Community(
            slug=f"bench{n}", name=f"基准社区{n}", district="苏州市姑苏区 双塔街道", annual_budget=90_000 + n
        )
        community.street_id = street.id
        db.session.add(community)
        db.session.flush()
        db.session.add(RuleSet(community_id=community.id, version=1, created_by_id=user_id))
        partner = Partner(community_id=community.id, name=f"基准物业{n}", kind="property", contact="")
        volunteer = Volunteer(community_id=community.id, user_id=user_id)
        db.session.add_all([partner, volunteer])
        for year in range(last - years + 1, last + 1):
            day = date(year, 3, 1 + n % 20)
            matters = [
                MicroMatter(
                    community_id=community.id,
                    proposer_id=user_id,
                    title=f"基准事项{n}-{year}-{i}",
                    description="说明",
                    description_html="<p>说明</p>",
                    category="facilities",
                    location="小区",
                    estimated_cost=5_000 + i,
                    project_type="goods",
                    status="collecting",
                    submitted_at=date(year, 2, 1 + i),
                )
                for i in range(3)
            ]
            db.session.add_all(matters)
            db.session.flush()
            entries = [
                ("source", "allocation", 80_000 + year, None, ""),
                ("source", "charity", 5_000 + n, None, f"基金会{n}"),
                ("commitment", None, 9_000, matters[0].id, ""),
                ("payment", None, 7_000 + year % 7, matters[0].id, ""),
            ]
            for kind, source_kind, amount, matter_id, donor in entries:
                db.session.execute(
                    db.metadata.tables["fund_entry"].insert(),
                    {
                        "community_id": community.id,
                        "year": year,
                        "kind": kind,
                        "source_kind": source_kind,
                        "amount": amount,
                        "entry_date": day,
                        "matter_id": matter_id,
                        "donor": donor,
                        "note": "",
                        "reason": "",
                        "entered_by_id": user_id,
                    },
                )
            task = DeliveryTask(
                community_id=community.id,
                record_id=record_id,
                title=f"基准任务{year}",
                people_needed=3,
                task_date=day,
                length_minutes=120,
            )
            db.session.add(task)
            db.session.flush()
            db.session.add_all(
                [
                    TaskSignup(task_id=task.id, partner_id=partner.id, people=2, status="confirmed"),
                    TaskSignup(task_id=task.id, volunteer_id=volunteer.id, status="confirmed", minutes=90 + n),
                ]
            )
    db.session.commit()


def median_render(client, path, renders):
    """The median CPU milliseconds of `renders` renderings (the median: other work on the shared
    cores lands in a few of them), after WARMUP renderings."""
    for _ in range(WARMUP):
        assert client.get(path).status_code == 200, path
    times = []
    for _ in range(renders):
        start = time.process_time()
        client.get(path)
        times.append(1000 * (time.process_time() - start))
    return statistics.median(times)


def login(app, username):
    client = app.test_client()
    response = client.post("/auth/login", data={"username": username, "password": DEMO_PASSWORD})
    if response.status_code != 302:
        raise SystemExit(f"could not log in as {username}")
    return client


def measure(renders, communities, years):
    from app.demo import DEMO_SLUG
    from app.fund.services import current_year

    with tempfile.TemporaryDirectory() as tmp:
        app = make_app(tmp, 0)
        with app.app_context():
            year = current_year()
            add_communities(communities, years)
        staff, committee = login(app, "street"), login(app, "committee")
        pages = {
            "street dashboard": (staff, f"/street/{STREET}/?year={year}"),
            "street figures CSV": (staff, f"/street/{STREET}/figures.csv?year={year}"),
            "street report": (staff, f"/street/{STREET}/yearbook/?year={year}"),
            "street report CSV": (staff, f"/street/{STREET}/yearbook/bundle.zip?year={year}"),
            "community report": (committee, f"/c/{DEMO_SLUG}/yearbook/?year={year}"),
            "committee dashboard (charity)": (committee, f"/c/{DEMO_SLUG}/dashboard"),
        }
        figures = {}
        for name, (client, path) in pages.items():
            ms = median_render(client, path, renders)
            figures[name] = {"ms": round(ms, 1), "statements": statements(app, client, path)}
            if "CSV" in name:
                figures[name]["digest"] = digest(client.get(path))
        return figures


def digest(response):
    """A short hash of a CSV download's figures (of each file's text for a zip of CSV files)."""
    body = response.get_data()
    if response.mimetype == "application/zip":
        with zipfile.ZipFile(io.BytesIO(body)) as bundle:
            body = b"".join(name.encode() + bundle.read(name) for name in sorted(bundle.namelist()))
    return hashlib.sha256(body).hexdigest()[:12]


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--renders", type=int, default=10, help="renderings per page (default 10)")
    parser.add_argument("--communities", type=int, default=6, help="communities added to the street (default 6)")
    parser.add_argument("--years", type=int, default=4, help="years of records of each added community (default 4)")
    parser.add_argument("--before", help="another checkout of the project, measured in the same run")
    parser.add_argument("--json", action="store_true", help=argparse.SUPPRESS)  # the --before subprocess
    args = parser.parse_args(argv)
    args.renders = max(1, min(args.renders, 1_000))
    args.communities = max(0, min(args.communities, 200))
    args.years = max(1, min(args.years, 20))
    options = ["--renders", args.renders, "--communities", args.communities, "--years", args.years]

    if args.json:
        print(json.dumps(measure(args.renders, args.communities, args.years)))
        return 0
    runs = {}
    if args.before:
        runs["before"] = measured_in(args.before, __file__, options)
    runs["now"] = measure(args.renders, args.communities, args.years)

    cpus = len(os.sched_getaffinity(0))
    print(f"{cpus} CPUs available; load {os.getloadavg()[0]:.2f}; {args.renders} renderings each; ", end="")
    print(f"{3 + args.communities} communities in the street, {args.years} years of records each")
    header = " ".join(f"{k + ' ms':>10} {k + ' SQL':>10}" for k in runs)
    print(f"{'page':<32} {header}" + (f" {'ratio':>7}" if "before" in runs else ""))
    for page, now in runs["now"].items():
        cells = [
            f"{run.get(page, {}).get('ms', '-'):>10} {run.get(page, {}).get('statements', '-'):>10}"
            for run in runs.values()
        ]
        ratio = ""
        if "before" in runs and runs["before"].get(page, {}).get("ms"):
            ratio = f" {now['ms'] / runs['before'][page]['ms']:>7.2f}"
        print(f"{page:<32} {' '.join(cells)}{ratio}")
    if "before" in runs:
        csvs = [page for page, now in runs["now"].items() if "digest" in now]
        same = all(runs["before"].get(page, {}).get("digest") == runs["now"][page]["digest"] for page in csvs)
        print(f"CSV downloads byte for byte the same as before: {'yes' if same else 'NO'} ({', '.join(csvs)})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
