"""deploy/nginx.conf, the reverse proxy the README's production section prescribes: it reads whole
requests under short timeouts before gunicorn sees them (slowloris), and sends exactly the
forwarded headers the app believes with TRUSTED_PROXIES=1. `nginx -t` and the live checks run
where nginx is installed and are skipped elsewhere (`make test` does not need nginx)."""

import re
import shutil
import socket
import ssl
import threading

import pytest
from flask import request
from werkzeug.serving import make_server

from app import create_app
from deploy.nginx_local import CONF, SERVER_NAME, NginxOnLoopback, nginx_binary

TEXT = CONF.read_text()
needs_nginx = pytest.mark.skipif(
    nginx_binary() is None or shutil.which("openssl") is None, reason="nginx or openssl is not installed"
)


def directive(name):
    """The values of every `name ...;` directive in the file (comments left out)."""
    lines = [line.split("#", 1)[0] for line in TEXT.splitlines()]
    return [m.group(1).strip() for m in re.finditer(rf"^[ \t]*{name}[ \t]+([^;{{}}]*);", "\n".join(lines), re.M)]


def seconds(value):
    number, unit = re.fullmatch(r"(\d+)(s|m)?", value).groups()
    return int(number) * (60 if unit == "m" else 1)


def test_the_proxy_buffers_requests_and_waits_only_briefly_for_slow_clients():
    assert directive("proxy_request_buffering") == ["on"] and directive("proxy_buffering") == ["on"]
    for name in ("client_header_timeout", "client_body_timeout"):
        (value,) = directive(name)
        assert seconds(value) <= 15, name
    assert directive("client_max_body_size") == ["28m"]  # above MAX_CONTENT_LENGTH (27 MB)


def test_the_proxy_talks_to_gunicorn_on_loopback_only():
    assert directive("server") == ["127.0.0.1:8000"]
    assert directive("proxy_pass") == ["http://weiyi"]


def test_the_forwarded_headers_match_trusted_proxies_1():
    """One address (the client's, replacing whatever it sent) and the scheme; no host, port or
    prefix, which the app does not believe either (TRUSTED_PROXY_HEADERS defaults to for,proto)."""
    headers = dict(value.split(None, 1) for value in directive("proxy_set_header"))
    assert headers["X-Forwarded-For"] == "$remote_addr"  # not $proxy_add_x_forwarded_for: one hop, no forgery
    assert headers["X-Forwarded-Proto"] == "$scheme"
    for cleared in ("X-Forwarded-Host", "X-Forwarded-Port", "X-Forwarded-Prefix"):
        assert headers[cleared] == '""', cleared


@needs_nginx
def test_nginx_accepts_the_configuration(tmp_path):
    ok, output = NginxOnLoopback(tmp_path, upstream_port=8000).check()
    assert ok, output


def _get(port, path, extra_headers=""):
    context = ssl.create_default_context()
    context.check_hostname, context.verify_mode = False, ssl.CERT_NONE  # the test's self-signed certificate
    with socket.create_connection(("127.0.0.1", port), timeout=10) as raw:
        with context.wrap_socket(raw, server_hostname=SERVER_NAME) as sock:
            sock.sendall(
                f"GET {path} HTTP/1.1\r\nHost: {SERVER_NAME}\r\n{extra_headers}Connection: close\r\n\r\n".encode()
            )
            answer = b""
            while chunk := sock.recv(65536):
                answer += chunk
    head, _, body = answer.partition(b"\r\n\r\n")
    return head.decode(), body.decode()


@pytest.mark.slow
@needs_nginx
def test_through_nginx_the_app_sees_the_client_and_https_never_a_forged_header(tmp_path):
    app = create_app(
        "test",
        TRUSTED_PROXIES=1,
        TRUSTED_HOSTS=[SERVER_NAME],
        UPLOAD_FOLDER=str(tmp_path / "uploads"),
    )

    @app.get("/_seen")
    def seen():
        return f"{request.remote_addr} {request.scheme} {request.host} {request.url_root}"

    server = make_server("127.0.0.1", 0, app, threaded=True)
    # shutdown() waits for the loop's next poll (every 0.5 s by default)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True)
    thread.start()
    try:
        (tmp_path / "nginx").mkdir()
        with NginxOnLoopback(tmp_path / "nginx", server.server_port) as nginx:
            forged = "X-Forwarded-For: 203.0.113.9\r\nX-Forwarded-Host: evil.example\r\nX-Forwarded-Proto: http\r\n"
            head, body = _get(nginx.https_port, "/_seen", forged)
            assert head.startswith("HTTP/1.1 200"), head
            assert body == f"127.0.0.1 https {SERVER_NAME} https://{SERVER_NAME}/"
            assert "nginx/" not in head  # server_tokens off
    finally:
        server.shutdown()
        thread.join(10)
