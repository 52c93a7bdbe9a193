"""deploy/nginx.conf made runnable on loopback, for its test (tests/ops/test_nginx_conf.py) and
bench/slowloris.py: the values on the lines marked `# site` become a private prefix, loopback
ports and a self-signed certificate; nothing else in the file changes.

    NginxOnLoopback(workdir, upstream_port).start() ... .stop()   (stopped by its pid file)
"""

import os
import shutil
import signal
import socket
import subprocess
import time
from pathlib import Path

CONF = Path(__file__).resolve().parent / "nginx.conf"
SERVER_NAME = "weiyi.example.org"
TEMP_PATHS = ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")


def nginx_binary():
    return shutil.which("nginx") or next((p for p in ("/usr/sbin/nginx",) if Path(p).exists()), None)


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def self_signed_certificate(workdir):
    cert, key = workdir / "cert.pem", workdir / "key.pem"
    subprocess.run(  # noqa: S603  # nosec B603 (fixed arguments)
        [
            shutil.which("openssl") or "/usr/bin/openssl",
            "req",
            "-x509",
            "-newkey",
            "ec",
            "-pkeyopt",
            "ec_paramgen_curve:prime256v1",
            "-nodes",
        ]
        + ["-days", "2", "-subj", f"/CN={SERVER_NAME}", "-keyout", str(key), "-out", str(cert)],
        check=True,
        capture_output=True,
        timeout=60,
    )
    return cert, key


def local_config(workdir, upstream_port, http_port, https_port):
    """Write workdir/nginx.conf: deploy/nginx.conf with its site values on loopback."""
    workdir = Path(workdir)
    workdir.chmod(0o755)  # nginx's workers (nobody) keep request bodies under it
    cert, key = self_signed_certificate(workdir)
    text = CONF.read_text()
    replacements = {
        "pid /run/nginx.pid;": f"pid {workdir}/nginx.pid;",
        "error_log /var/log/nginx/error.log": f"error_log {workdir}/error.log",
        "access_log /var/log/nginx/access.log;": f"access_log {workdir}/access.log;",
        "server 127.0.0.1:8000;": f"server 127.0.0.1:{upstream_port};",
        "listen 80": f"listen 127.0.0.1:{http_port}",
        "listen 443": f"listen 127.0.0.1:{https_port}",
        f"/etc/letsencrypt/live/{SERVER_NAME}/fullchain.pem": str(cert),
        f"/etc/letsencrypt/live/{SERVER_NAME}/privkey.pem": str(key),
    }
    for old, new in replacements.items():
        assert old in text, f"deploy/nginx.conf no longer has {old!r}"
        text = text.replace(old, new)
    temp = "".join(f"    {name}_temp_path {workdir}/{name}_temp;\n" for name in TEMP_PATHS)
    text = text.replace("http {\n", "http {\n" + temp, 1)
    path = workdir / "nginx.conf"
    path.write_text(text)
    return path


class NginxOnLoopback:
    def __init__(self, workdir, upstream_port):
        self.workdir = Path(workdir)
        self.http_port, self.https_port = free_port(), free_port()
        self.conf = local_config(self.workdir, upstream_port, self.http_port, self.https_port)
        self.binary = nginx_binary()

    def command(self, *args):
        return [
            self.binary,
            "-p",
            str(self.workdir),
            "-e",
            str(self.workdir / "error.log"),
            "-c",
            str(self.conf),
            *args,
        ]

    def check(self):
        """`nginx -t`: (ok, output)."""
        result = subprocess.run(self.command("-t"), capture_output=True, text=True, timeout=60)  # noqa: S603  # nosec B603
        return result.returncode == 0, result.stdout + result.stderr

    def start(self, timeout=20):
        subprocess.run(self.command(), check=True, capture_output=True, timeout=60)  # noqa: S603  # nosec B603
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                socket.create_connection(("127.0.0.1", self.https_port), timeout=0.5).close()
                return self
            except OSError:
                time.sleep(0.1)
        raise RuntimeError(f"nginx did not start; see {self.workdir / 'error.log'}")

    def stop(self):
        pidfile = self.workdir / "nginx.pid"
        try:
            pid = int(pidfile.read_text().strip())
        except (OSError, ValueError):
            return
        os.kill(pid, signal.SIGQUIT)  # graceful stop of this master only
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline and Path(f"/proc/{pid}").exists():
            time.sleep(0.05)

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()
