"""Run mypy over app/ and compare its errors with mypy-baseline.txt, which may only shrink.

    python tools/mypy_baseline.py          # fail on any error that is not in the baseline
    python tools/mypy_baseline.py --prune  # also drop the baseline entries that are fixed

An entry is mypy's error line without its line number ("app/x.py: error: ...  [code]"), so
editing a file above an old error does not make it new; the same entry may appear several times
and then counts that often. --prune never adds an entry: a new error is fixed (or, if it is
really meant, its printed line is added to the baseline by hand in a reviewed change).
"""

import re
import subprocess
import sys
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BASELINE = ROOT / "mypy-baseline.txt"
LOCATION = re.compile(r"^([^:]+):\d+(?::\d+)?: ")


def current_errors():
    """mypy's errors (settings and files from pyproject.toml), normalised."""
    run = subprocess.run(
        [sys.executable, "-m", "mypy", "--no-error-summary", "--no-pretty"], cwd=ROOT, capture_output=True, text=True
    )
    if run.returncode not in (0, 1):  # 2: mypy itself failed (bad config, syntax error)
        sys.exit(f"mypy failed:\n{run.stdout}{run.stderr}")
    return Counter(LOCATION.sub(r"\1: ", line) for line in run.stdout.splitlines() if ": error: " in line)


def read_baseline():
    lines = BASELINE.read_text(encoding="utf-8").splitlines() if BASELINE.exists() else []
    return Counter(line for line in lines if line.strip())


def main(argv):
    prune = "--prune" in argv
    errors, baseline = current_errors(), read_baseline()
    new, fixed = errors - baseline, baseline - errors
    if fixed:
        if prune:
            kept = baseline - fixed
            BASELINE.write_text("".join(f"{line}\n" for line in sorted(kept.elements())), encoding="utf-8")
            print(f"mypy: removed {fixed.total()} fixed entries from {BASELINE.name}")
        else:
            print(
                f"mypy: {fixed.total()} entries of {BASELINE.name} are fixed; "
                f"remove them with `python tools/mypy_baseline.py --prune`:"
            )
            print("".join(f"  {line}\n" for line in sorted(fixed.elements())), end="")
    if new:
        print(f"mypy: {new.total()} errors not in {BASELINE.name} (run `mypy` for their lines):")
        print("".join(f"  {line}\n" for line in sorted(new.elements())), end="")
        return 1
    print(f"mypy: no new errors ({errors.total()} known, listed in {BASELINE.name})")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
