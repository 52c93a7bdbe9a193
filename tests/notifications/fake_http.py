"""A fake outside HTTP service on 127.0.0.1 for one test (an SMS provider, a WeCom group robot): a
threading HTTPServer that records every request and answers from a script."""

import json
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qsl


@dataclass
class Answer:
    status: int = 200
    body: dict = field(default_factory=dict)
    delay: float = 0.0  # seconds before answering (a timeout)


@dataclass
class Received:
    path: str
    headers: dict
    body: bytes

    @property
    def form(self):
        return dict(parse_qsl(self.body.decode(), keep_blank_values=True))

    @property
    def json(self):
        return json.loads(self.body)


class FakeService:
    """`answers` are used in order, then `default`; `check(received)` may replace an answer (a provider
    checking the signature)."""

    def __init__(self, default=None, check=None):
        self.answers = []
        self.default = default or Answer()
        self.check = check
        self.received = []
        service = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):  # noqa: N802 (http.server's name)
                length = int(self.headers.get("Content-Length") or 0)
                received = Received(self.path, dict(self.headers), self.rfile.read(length))
                service.received.append(received)
                answer = service.answers.pop(0) if service.answers else service.default
                if service.check:
                    answer = service.check(received) or answer
                time.sleep(answer.delay)
                payload = json.dumps(answer.body).encode()
                try:
                    self.send_response(answer.status)
                    self.send_header("Content-Type", "application/json")
                    self.send_header("Content-Length", str(len(payload)))
                    self.end_headers()
                    self.wfile.write(payload)
                except OSError:  # the client gave up waiting (a timeout test)
                    pass

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        # shutdown() waits for the loop's next poll: every 0.5 s by default, half a second a test
        self.thread = threading.Thread(target=self.server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True)

    @property
    def url(self):
        host, port = self.server.server_address[:2]
        return f"http://{host}:{port}"

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.server.shutdown()
        self.server.server_close()
