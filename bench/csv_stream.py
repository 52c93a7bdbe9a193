"""Memory and time to stream the anonymised ballots of a round as CSV, 1,000,000 ballots by default.

    python bench/csv_stream.py [--ballots N] [--database-url URL] [--keep]

Step 1 (a child process) fills a database with one community, one counted approval round
and N ballots. Step 2 (a fresh child process, so its peak RSS is the stream's alone) asks
the app for GET /api/v1/communities/bench/rounds/<id>/ballots.csv, reads the streamed body
chunk by chunk, checks the row count, and reports the time and the peak resident set size
(ru_maxrss) next to the RSS of the same process just before the request. Aim: under 100 MB.
"""

import argparse
import json
import os
import random
import resource
import subprocess
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

SLUG = "bench"
CHUNK = 20_000


def rss_mb():
    """Current resident set size (Linux /proc), in MB."""
    with open("/proc/self/statm") as handle:
        pages = int(handle.read().split()[1])
    return pages * os.sysconf("SC_PAGE_SIZE") / 1e6


def peak_rss_mb():
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1e3  # kB on Linux


def fill(database_url, ballots):
    from sqlalchemy import insert

    from app import create_app
    from app.auth.models import User
    from app.communities.models import Community
    from app.extensions import db
    from app.matters.models import MicroMatter
    from app.models_base import utcnow
    from app.rules.models import RuleSet
    from app.voting.models import RoundBallot, RoundOption, RoundResult, VotingRound

    app = create_app("default", SQLALCHEMY_DATABASE_URI=database_url)
    with app.app_context():
        db.drop_all()
        db.create_all()
        community = Community(
            slug=SLUG, name="基准测试社区", district="姑苏区", register_size=2_000_000, annual_budget=300_000
        )
        db.session.add(community)
        db.session.flush()
        ruleset = RuleSet(community_id=community.id, version=1)
        db.session.add(ruleset)
        db.session.flush()
        now = utcnow()
        voting_round = VotingRound(
            community_id=community.id,
            title="百万选票",
            method="approval",
            allocation="greedy",
            max_choices=3,
            budget=300_000,
            opens_at=now - timedelta(days=9),
            closes_at=now - timedelta(days=1),
            ruleset_id=ruleset.id,
        )
        db.session.add(voting_round)
        db.session.flush()
        proposer = User(username="bench", display_name="基准", password_hash="-")
        db.session.add(proposer)
        db.session.flush()
        for number in range(1, 9):
            matter = MicroMatter(
                community_id=community.id,
                proposer_id=proposer.id,
                title=f"项目{number}",
                description="",
                description_html="",
                category="other",
                location="",
                estimated_cost=30_000 + number * 1000,
                project_type="goods",
                status="in_vote",
            )
            db.session.add(matter)
            db.session.flush()
            db.session.add(
                RoundOption(
                    round_id=voting_round.id,
                    number=number,
                    matter_id=matter.id,
                    title=matter.title,
                    cost=matter.estimated_cost,
                )
            )
        db.session.commit()
        rng = random.Random(7)
        ids = rng.sample(range(1, 2**53), ballots)  # random box ids, as app.core.secrecy.random_row_id gives
        started = time.perf_counter()
        connection = db.session.connection()
        table = RoundBallot.__table__
        for offset in range(0, ballots, CHUNK):
            rows = []
            for ballot_id in ids[offset : offset + CHUNK]:
                choices = sorted(rng.sample(range(1, 9), rng.randint(1, 3)))
                rows.append({"id": ballot_id, "round_id": voting_round.id, "channel": "online", "choices": choices})
            connection.execute(insert(table), rows)
        db.session.add(
            RoundResult(
                round_id=voting_round.id,
                ruleset_id=ruleset.id,
                ruleset_version=1,
                electorate=ballots,
                ballots_counted=ballots,
                online_ballots=ballots,
                paper_ballots=0,
                marked_online=ballots,
                marked_in_person=0,
                votes={},
                winners=[],
                total_cost=0,
                published_sha256="",
            )
        )
        db.session.commit()
        print(json.dumps({"round_id": voting_round.id, "fill_seconds": round(time.perf_counter() - started, 1)}))


def stream(database_url, round_id, ballots):
    from app import create_app

    app = create_app("default", SQLALCHEMY_DATABASE_URI=database_url)
    client = app.test_client()
    client.get("/healthz")  # the app, its imports and a connection are in place before we measure
    before = rss_mb()
    started = time.perf_counter()
    response = client.get(f"/api/v1/communities/{SLUG}/rounds/{round_id}/ballots.csv", buffered=False)
    assert response.status_code == 200, response.status
    size = lines = chunks = 0
    first = None
    for chunk in response.response:
        data = chunk if isinstance(chunk, bytes) else chunk.encode()
        first = first or data[:60]
        size += len(data)
        lines += data.count(b"\n")
        chunks += 1
    response.close()
    seconds = time.perf_counter() - started
    assert first.startswith(b"\xef\xbb\xbfid,choices,selected"), first
    assert lines == ballots + 1, (lines, ballots)
    print(
        json.dumps(
            {
                "seconds": round(seconds, 2),
                "bytes": size,
                "rows": lines - 1,
                "chunks": chunks,
                "rss_before_mb": round(before, 1),
                "peak_rss_mb": round(peak_rss_mb(), 1),
            }
        )
    )


def child(*args):
    output = subprocess.run(
        [sys.executable, __file__, *args], check=True, capture_output=True, text=True, cwd=ROOT
    ).stdout
    return json.loads(output.strip().splitlines()[-1])


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--ballots", type=int, default=1_000_000)
    parser.add_argument("--database-url", help="default: a temporary SQLite file")
    parser.add_argument("--keep", action="store_true", help="keep the temporary database")
    parser.add_argument("--phase", choices=["fill", "stream"], help=argparse.SUPPRESS)
    parser.add_argument("--round-id", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.phase == "fill":
        fill(args.database_url, args.ballots)
        return
    if args.phase == "stream":
        stream(args.database_url, args.round_id, args.ballots)
        return
    workdir = tempfile.mkdtemp(prefix="weiyi-bench-")
    url = args.database_url or f"sqlite:///{workdir}/bench.db"
    print(f"Filling {url} with {args.ballots:,} ballots ...", flush=True)
    filled = child("--phase", "fill", "--database-url", url, "--ballots", str(args.ballots))
    print(f"  done in {filled['fill_seconds']} s")
    print("Streaming GET /api/v1/communities/bench/rounds/<id>/ballots.csv ...", flush=True)
    result = child(
        "--phase",
        "stream",
        "--database-url",
        url,
        "--round-id",
        str(filled["round_id"]),
        "--ballots",
        str(args.ballots),
    )
    rate = result["rows"] / result["seconds"] if result["seconds"] else 0
    print(
        f"  rows streamed:        {result['rows']:,} ({result['bytes'] / 1e6:.1f} MB of CSV in "
        f"{result['chunks']:,} chunks)"
    )
    print(f"  time:                 {result['seconds']:.2f} s ({rate:,.0f} rows/s)")
    print(f"  RSS before request:   {result['rss_before_mb']:.1f} MB")
    print(f"  peak RSS (process):   {result['peak_rss_mb']:.1f} MB  (aim: under 100 MB)")
    if not args.keep and not args.database_url:
        for path in Path(workdir).glob("*"):
            path.unlink()
        os.rmdir(workdir)


if __name__ == "__main__":
    main()
