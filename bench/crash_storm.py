#!/usr/bin/env python3
"""The ballot storm of bench/ballot_storm.py with a crash in the middle (run by hand).

    python bench/crash_storm.py [--ballots 10000] [--clients 64] [--kill-at 0.5]

When the given share of the ballots has been acknowledged, the gunicorn master and all its
workers get SIGKILL at once (no clean-up, requests in flight are cut off), and gunicorn is
started again on the same port and database. The clients retry what got no answer: a ballot
whose answer was lost is either stored (the retry hears 409 "already voted") or cast again.
The same checks as the storm follow: zero 5xx, every acknowledged ballot stored exactly once
and nothing else, register marks and audit entries matching, `flask --app wsgi audit verify`
intact and SQLite's integrity_check ok after the crash.
"""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from ballot_storm import arguments, storm  # noqa: E402

if __name__ == "__main__":
    parser = arguments(__doc__.split("\n")[0])
    parser.add_argument("--kill-at", type=float, default=0.5, help="share of acknowledged ballots before the kill")
    args = parser.parse_args()
    if not 0 < args.kill_at < 1:
        raise SystemExit("--kill-at must be between 0 and 1")
    sys.exit(storm(args, kill_at=args.kill_at))
