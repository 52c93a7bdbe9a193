"""CPU and SQL per request of a council meeting's live views, in-process (Flask test client).

    python bench/live_views.py [--members 25] [--requests 60] [--repeat 1] [--before DIR] [--sql NAME]

A temporary SQLite file gets one community with a council of --members (the chair among them), a
meeting in progress with everyone checked in, two items decided by named votes and a third being
voted on (a motion moved and seconded, speakers heard and waiting, a point of order ruled, a named
vote half cast). Then each request below runs --requests times (after a few warm-up ones) and the
CPU milliseconds per request (process time) and the SQL statements of one are printed:

- the projector's page and the chair's console (the secretary and the chair run them), a member's
  page and the public page (a visitor);
- the live regions the pages poll every 2.5 s: the member's when something changed (rendered) and
  when nothing did (204), the projector's (rendered);
- refused actions: a second ballot of a member who has voted (the service refuses) and a ballot
  without its tick box (the form refuses); each answers its view again with status 400.

--before DIR measures another checkout of the project in the same run (a subprocess with DIR as its
root, e.g. `git archive HEAD | tar -x -C DIR` for the code before a change) and prints the ratios
now/before; --repeat N runs each checkout N times, alternated, and keeps the least CPU per request
(on a shared machine the other runs lost time to the load). --sql NAME prints one request's SQL.
"""

import argparse
import json
import os
import re
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path

ROOT = Path(os.environ.get("WEIYI_ROOT") or Path(__file__).resolve().parent.parent)
sys.path[:0] = [str(ROOT), str(Path(__file__).resolve().parent)]

from harness import measured_in, test_client_app  # noqa: E402

SLUG = "bench-council"
WARMUP = 5


def populate(members):
    """In a request context: the council, the meeting in progress; returns the ids the requests use."""
    from werkzeug.security import generate_password_hash

    from app.auth.models import User
    from app.communities.models import Community, Membership, MembershipStatus, Role
    from app.core.clock import utcnow
    from app.councils import attendance, meetings, review, speakers, votes
    from app.extensions import db
    from app.matters.models import MicroMatter
    from app.rules.models import RuleSet

    community = Community(slug=SLUG, name="议事社区", district="姑苏区", register_size=1000, annual_budget=300_000)
    db.session.add(community)
    db.session.flush()
    db.session.add(
        RuleSet(community_id=community.id, version=1, seconders_needed=1, turns_per_item=2, minutes_per_turn=2)
    )
    # Nobody logs in (the bench signs session cookies): a cheap hash is enough.
    unused = generate_password_hash("not-used-by-the-bench", method="pbkdf2:sha256:1000")
    roles = [Role.COMMITTEE, Role.CHAIR, *[Role.COUNCIL_MEMBER] * (members - 1), Role.RESIDENT]
    users = [User(username=f"u{i}", display_name=f"议事员{i}", password_hash=unused) for i in range(len(roles))]
    db.session.add_all(users)
    db.session.flush()
    db.session.add_all(
        Membership(user_id=u.id, community_id=community.id, role=r, status=MembershipStatus.VERIFIED, address="1栋")
        for u, r in zip(users, roles, strict=True)
    )
    matters = [
        MicroMatter(
            community_id=community.id,
            proposer_id=users[-1].id,
            title=f"议题{i}",
            description="说明",
            description_html="<p>说明</p>",
            category="accessibility",
            location="3栋",
            estimated_cost=10_000,
            project_type="works",
            status="on_agenda",
            support_count=20,
        )
        for i in range(3)
    ]
    db.session.add_all(matters)
    db.session.commit()
    committee, chair, council = users[0], users[1], users[1:-1]
    meeting = meetings.schedule_meeting(
        committee,
        community,
        title="议事会",
        starts_at=utcnow() + timedelta(minutes=30),
        place="活动室",
        chair_id=chair.id,
        secretary_id=committee.id,
        agenda_item_ids=[review.ensure_agenda_item(m).id for m in matters],
        urgent=True,
        urgent_reason="水管爆裂，需尽快决定",
    )
    for user in council:
        attendance.check_in(committee, meeting, user.id)
    meetings.open_meeting(committee, meeting)
    floor = council[1:]
    for n, item in enumerate(meeting.items):
        last = n == len(meeting.items) - 1
        meetings.open_item(committee, meeting, item)
        motion = votes.move_motion(floor[0], meeting, item, "approve", 9_000, "同意实施")
        votes.second_motion(floor[1], meeting, motion)
        for member in floor[2:8]:
            speakers.ask_to_speak(member, meeting, item, "pro")
        speakers.next_speaker(committee, meeting, item)
        point = votes.raise_point_of_order(floor[-1], meeting, "发言超时")
        votes.rule_on_point(chair, meeting, point, True, "请注意时间")
        speakers.end_turn(committee, meeting, item)
        if last:  # one has spoken, one speaks, the others wait
            speakers.next_speaker(committee, meeting, item)
        vote = votes.open_vote(chair, meeting, motion, "named")
        for user in council[: len(council) // 2 if last else len(council)]:
            if user.id != vote.casting_chair_id:
                votes.cast_vote(user, meeting, vote, "yes")
        if not last:
            votes.close_vote(chair, meeting, vote)
    return {
        "meeting": meeting.id,
        "vote": vote.id,
        "secretary": committee.id,
        "chair": chair.id,
        "voted": floor[0].id,  # has voted in the open vote
        "member": floor[-1].id,  # has not
    }


def requests(ids):
    """name -> (who, method, path, form data)."""
    base = f"/c/{SLUG}/meetings/{ids['meeting']}"
    ballot = f"{base}/votes/{ids['vote']}/ballot"
    return {
        "projector page": ("secretary", "GET", f"{base}/projector", None),
        "chair's console": ("chair", "GET", f"{base}/chair", None),
        "member's page": ("member", "GET", f"{base}/member", None),
        "public page": (None, "GET", base, None),
        "member's live region": ("member", "GET", f"{base}/live/member?since=0", None),
        "member's poll, unchanged": ("member", "GET", f"{base}/live/member?since={{key}}", None),
        "projector's live region": ("secretary", "GET", f"{base}/live/projector?since=0", None),
        "refused: second ballot": (
            "voted",
            "POST",
            ballot,
            {"view": "member", "choice": "no", "ballot-understood": "y"},
        ),
        "refused: ballot unticked": ("member", "POST", ballot, {"view": "member", "choice": "yes"}),
    }


EXPECTED = {"GET": 200, "POST": 400}


class Counter:
    def __init__(self, app):
        from app.extensions import db

        with app.app_context():
            self.engine = db.engine
        self.seen = []

    def __call__(self, _conn, _cursor, statement, *_args):
        self.seen.append(" ".join(statement.split()))

    def __enter__(self):
        from sqlalchemy import event

        self.seen = []
        event.listen(self.engine, "before_cursor_execute", self)
        return self

    def __exit__(self, *exc):
        from sqlalchemy import event

        event.remove(self.engine, "before_cursor_execute", self)

    @property
    def statements(self):
        return [s for s in self.seen if not s.startswith(("BEGIN", "COMMIT", "ROLLBACK", "SAVEPOINT", "RELEASE"))]


def measure(members, count):
    from app.auth.sessions import signed_in

    with tempfile.TemporaryDirectory() as tmp:
        app = test_client_app(tmp)
        with app.test_request_context():
            ids = populate(members)
        with app.app_context():
            from app.auth.models import User
            from app.extensions import db

            serializer = app.session_interface.get_signing_serializer(app)
            cookies = {
                who: serializer.dumps(signed_in(db.session.get(User, ids[who]).get_id()))
                for who in ("secretary", "chair", "voted", "member")
            }
        client = app.test_client(use_cookies=False)

        def send(who, method, path, data):
            headers = {"Accept-Language": "zh-CN"}
            if who is not None:
                headers["Cookie"] = f"session={cookies[who]}"
            return client.open(path, method=method, headers=headers, data=data)

        page = send("member", "GET", f"/c/{SLUG}/meetings/{ids['meeting']}/member", None).get_data(as_text=True)
        live_key = re.search(r"since=([^\"&]+)", page).group(1)  # the key the page polls with
        counter = Counter(app)
        figures = {}
        for name, (who, method, path, data) in requests(ids).items():
            path = path.replace("{key}", live_key)
            expected = 204 if "unchanged" in name else EXPECTED[method]
            for _ in range(WARMUP):
                status = send(who, method, path, data).status_code
                if status != expected:
                    raise SystemExit(f"{name}: {method} {path} answered {status}, not {expected}")
            with counter:
                send(who, method, path, data)
            start = time.process_time()
            for _ in range(count):
                send(who, method, path, data)
            ms = 1000 * (time.process_time() - start) / count
            figures[name] = {"ms": round(ms, 2), "statements": len(counter.statements), "sql": counter.statements}
        return figures


def fastest(runs):
    """Per request, the run with the least CPU (the others lost time to the machine's load)."""
    return {name: min((run[name] for run in runs), key=lambda f: f["ms"]) for name in runs[0]}


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--members", type=int, default=25, help="council members, the chair among them (default 25)")
    parser.add_argument("--requests", type=int, default=60, help="measured requests of each kind (default 60)")
    parser.add_argument("--repeat", type=int, default=1, help="runs of each checkout, alternated; the least CPU counts")
    parser.add_argument("--before", help="another checkout of the project, measured in the same run")
    parser.add_argument("--sql", metavar="NAME", help="print the SQL of the request NAME (e.g. 'projector page')")
    parser.add_argument("--json", action="store_true", help=argparse.SUPPRESS)  # one run, for --before
    args = parser.parse_args(argv)
    args.members = max(6, min(args.members, 500))
    args.requests = max(1, min(args.requests, 10_000))
    args.repeat = max(1, min(args.repeat, 20))

    if args.json:
        print(json.dumps(measure(args.members, args.requests)))
        return 0
    runs = {"before": [], "now": []} if args.before else {"now": []}
    for _ in range(args.repeat):
        if args.before:
            runs["before"].append(
                measured_in(args.before, __file__, ["--members", args.members, "--requests", args.requests])
            )
        runs["now"].append(measure(args.members, args.requests))
    best = {checkout: fastest(found) for checkout, found in runs.items()}

    if args.sql:
        for checkout, figures in best.items():
            print(f"-- {checkout}: {args.sql}")
            print("\n".join(figures.get(args.sql, {}).get("sql", ["(no such request)"])))
    load = os.getloadavg()
    print(
        f"{len(os.sched_getaffinity(0))} CPUs available, load {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}; "
        f"{args.members} council members; {args.requests} requests each, best of {args.repeat}"
    )
    header = f"{'request':<28} " + " ".join(f"{k + ' ms':>10} {k + ' SQL':>10}" for k in best)
    print(header + (f" {'CPU now/before':>15}" if args.before else ""))
    for name, now in best["now"].items():
        cells = [f"{figures[name]['ms']:>10} {figures[name]['statements']:>10}" for figures in best.values()]
        ratio = f" {now['ms'] / best['before'][name]['ms']:>15.2f}" if args.before else ""
        print(f"{name:<28} " + " ".join(cells) + ratio)
    return 0


if __name__ == "__main__":
    sys.exit(main())
