"""A real HTTP receiver for the webhook tests: http.server in a thread on 127.0.0.1, on the first
free port of 8620–8629 (the webhooks' range), answering each POST with the next status of its
script (then 200) and keeping every request it got."""

import http.server
import threading
import time
from dataclasses import dataclass, field

import pytest

PORTS = range(8620, 8630)


@dataclass
class Received:
    path: str
    headers: dict
    body: bytes


@dataclass
class Receiver:
    port: int = 0
    answers: list = field(default_factory=list)  # statuses to answer, in order; then 200
    delay: float = 0  # seconds to wait before answering (a slow receiver)
    reply: bytes = b""  # the body answered (default: "ok", or an error line from 400 on)
    requests: list = field(default_factory=list)

    @property
    def url(self):
        return f"http://127.0.0.1:{self.port}/hooks/portal"

    def answer(self, *statuses, delay=0):
        self.answers[:] = statuses
        self.delay = delay


def _handler(receiver):
    class Handler(http.server.BaseHTTPRequestHandler):
        def do_POST(self):
            length = int(self.headers.get("Content-Length", 0))
            body = self.rfile.read(length)
            receiver.requests.append(Received(self.path, dict(self.headers.items()), body))
            if receiver.delay:
                time.sleep(receiver.delay)
            status = receiver.answers.pop(0) if receiver.answers else 200
            reply = receiver.reply or (b"ok" if status < 400 else b"receiver error: try later")
            try:
                self.send_response(status)
                self.send_header("Content-Type", "text/plain")
                self.send_header("Content-Length", str(len(reply)))
                self.end_headers()
                self.wfile.write(reply)
            except (BrokenPipeError, ConnectionResetError):  # the portal gave up waiting
                pass

        def log_message(self, *args):
            pass

    return Handler


@pytest.fixture
def receiver():
    state = Receiver()
    server = None
    for port in PORTS:
        try:
            server = http.server.ThreadingHTTPServer(("127.0.0.1", port), _handler(state))
            server.block_on_close = False  # a slow answer the portal gave up on is not waited for
            break
        except OSError:
            continue
    assert server is not None, "no free port in 8620–8629 for the webhook receiver"
    state.port = server.server_address[1]
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield state
    finally:
        server.shutdown()
        server.server_close()


def free_port():
    """A port of the range nobody listens on (for "connection refused")."""
    import socket

    for port in PORTS:
        with socket.socket() as probe:
            if probe.connect_ex(("127.0.0.1", port)) != 0:
                return port
    raise AssertionError("every port of 8620–8629 is in use")
