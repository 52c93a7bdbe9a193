"""Shared pieces of the bench/ scripts: a temporary SQLite database migrated before any
worker starts, gunicorn on 127.0.0.1 with its own pid file, and the machine's description.

Everything stays on loopback; every loop in the scripts is bounded in count and in time.
"""

import json
import os
import platform
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SECRET = "bench-secret-key-not-for-production-0123456789"


def machine():
    model = "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return f"{os.cpu_count()} CPUs (nproc {len(os.sched_getaffinity(0))}), {model}, Python {platform.python_version()}"


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def app_env(workdir, **extra):
    """The environment the app runs with: a SQLite file in `workdir`, production settings, no rate limits
    (every client of a bench comes from 127.0.0.1)."""
    env = dict(
        os.environ,
        DATABASE_URL=f"sqlite:///{workdir / 'bench.db'}",
        SECRET_KEY=SECRET,
        UPLOAD_FOLDER=str(workdir / "uploads"),
        WEIYI_CONFIG="production",
        # Production refuses to start without its public address and host names (config.production_problems).
        PUBLIC_BASE_URL="http://127.0.0.1",
        TRUSTED_HOSTS="127.0.0.1,localhost",
        RATELIMIT_ENABLED="0",
        DEMO_PASSWORD="weiyi-demo",
    )
    env.pop("TEST_DATABASE_URL", None)
    env.update(extra)
    return env


def flask(env, *args, timeout=900):
    result = subprocess.run(
        [sys.executable, "-m", "flask", "--app", "wsgi", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
    )
    if result.returncode != 0:
        raise SystemExit(f"flask {' '.join(args)} failed:\n{result.stdout}\n{result.stderr}")
    return result.stdout


def migrate(env, schema="migrate"):
    """Create the schema before gunicorn starts (workers creating tables at once would collide)."""
    if schema == "migrate":
        flask(env, "db", "upgrade")
    else:  # "create-all": the models as they are now, for when the migration has not caught up yet
        code = (
            "from app import create_app; from app.extensions import db; a = create_app('production'); "
            "a.app_context().push(); db.create_all()"
        )
        subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, check=True, timeout=300)


def session_cookie(env, username):
    """A signed session of a fresh login of `username` (no scrypt login through HTTP)."""
    code = (
        "from app import create_app; from app.auth.models import User; from app.auth.sessions import signed_in; "
        "from app.extensions import db; from sqlalchemy import select; a = create_app('production'); "
        f"a.app_context().push(); u = db.session.scalar(select(User).where(User.username == {username!r})); "
        "print(a.session_interface.get_signing_serializer(a).dumps(signed_in(u.get_id())))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, timeout=300, check=True
    )
    return result.stdout.strip().splitlines()[-1]


class Gunicorn:
    """gunicorn on 127.0.0.1 with its own pid file; stopped by that pid, never by name."""

    def __init__(self, app_module, env, workdir, port=None, workers=2, threads=1, cwd=ROOT, name="gunicorn"):
        self.app_module, self.env, self.cwd = app_module, env, cwd
        self.port = port or free_port()
        self.pidfile = workdir / f"{name}.pid"
        self.log = workdir / f"{name}.log"
        self.workers, self.threads = workers, threads
        self.process = None

    @property
    def url(self):
        return f"http://127.0.0.1:{self.port}"

    def start(self, timeout=60):
        command = [
            sys.executable,
            "-m",
            "gunicorn",
            "--workers",
            str(self.workers),
            "--bind",
            f"127.0.0.1:{self.port}",
            "--pid",
            str(self.pidfile),
            "--backlog",
            "2048",
            "--log-level",
            "warning",
            "--error-logfile",
            str(self.log),
            "--graceful-timeout",
            "10",
        ]
        if self.threads > 1:
            command += ["--worker-class", "gthread", "--threads", str(self.threads)]
        self.pidfile.unlink(missing_ok=True)
        self.process = subprocess.Popen(command + [self.app_module], cwd=self.cwd, env=self.env)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise SystemExit(f"gunicorn exited with {self.process.returncode}; see {self.log}")
            if self.pidfile.exists() and len(self.worker_pids()) >= self.workers:
                try:
                    socket.create_connection(("127.0.0.1", self.port), timeout=0.5).close()
                    return self
                except OSError:
                    pass
            time.sleep(0.1)
        raise SystemExit(f"gunicorn did not start within {timeout} s; see {self.log}")

    def master_pid(self):
        try:
            return int(self.pidfile.read_text().strip())
        except (OSError, ValueError):
            return None

    def worker_pids(self):
        master = self.master_pid()
        if master is None:
            return []
        pids = []
        for children in Path(f"/proc/{master}/task").glob("*/children"):
            try:
                pids += [int(p) for p in children.read_text().split()]
            except OSError:
                pass
        return pids

    def cpu_seconds(self):
        """CPU time (user + system) of the master and its workers since the last start."""
        total = 0
        for pid in [self.master_pid(), *self.worker_pids()]:
            try:
                fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            except (OSError, IndexError):
                continue
            total += int(fields[11]) + int(fields[12])  # utime, stime (fields 14 and 15 of stat)
        return total / os.sysconf("SC_CLK_TCK")

    def kill(self):
        """SIGKILL the master and every worker at once: nothing gets to clean up."""
        pids = [p for p in [self.master_pid(), *self.worker_pids()] if p]
        for pid in pids:
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        if self.process is not None:
            self.process.wait(30)
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline and any(Path(f"/proc/{pid}").exists() for pid in pids):
            time.sleep(0.05)
        return pids

    def stop(self):
        master = self.master_pid()
        if master is not None and self.process is not None and self.process.poll() is None:
            os.kill(master, signal.SIGTERM)
            try:
                self.process.wait(30)
            except subprocess.TimeoutExpired:
                self.kill()
        self.pidfile.unlink(missing_ok=True)

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()


def in_process_app(tmp, **config):
    """The app as production configures it, on a new SQLite file in `tmp` with its tables made: for
    the benches that call the WSGI app in-process (ballot_cpu.py, request_overhead.py)."""
    from app import create_app
    from app.extensions import db

    app = create_app(
        "production",
        SQLALCHEMY_DATABASE_URI=f"sqlite:///{Path(tmp) / 'bench.db'}",
        UPLOAD_FOLDER=str(Path(tmp) / "up"),
        SECRET_KEY=SECRET,
        PUBLIC_BASE_URL="https://127.0.0.1",
        TRUSTED_HOSTS=["127.0.0.1"],
        **config,
    )
    with app.app_context():
        db.create_all()
    return app


def test_client_app(tmp):
    """The test configuration (no CSRF, no rate limits, page cache off) on a new SQLite file in
    `tmp` with its tables made: for the benches that time pages through Flask's test client
    (list_cpu.py, live_views.py, street_figures.py)."""
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
    return app


def measured_in(root, script, options):
    """One run of a bench `script` in a subprocess with `root` as the project's root (its --before
    runs): what its last line of output says, as JSON."""
    out = subprocess.run(
        [sys.executable, str(script), "--json", *map(str, options)],
        cwd=root,
        env={**os.environ, "WEIYI_ROOT": str(Path(root).resolve())},
        capture_output=True,
        text=True,
        timeout=3600,
        check=False,
    )
    if out.returncode != 0:
        raise SystemExit(f"the run in {root} failed:\n{out.stderr[-3000:]}")
    return json.loads(out.stdout.strip().splitlines()[-1])
