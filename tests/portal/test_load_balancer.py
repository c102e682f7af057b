"""haproxy's retries (deploy/haproxy/portal.cfg.template), against Debian's haproxy on 127.0.0.1:
an app server that dies while it holds a request (the connection closes with no answer) costs a
reader nothing — the GET is tried on the other server — while a POST, which may have committed
on the dead server, is never sent twice: it is answered 502 and the client decides."""

import http.client
import socket
import subprocess
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from django.conf import settings

from tests.redis_server import free_port

PORTS = range(7660, 7700)  # this module's ports (a port just closed stays taken a minute)


class Dying:
    """An app server that answers its health check and dies on every other request: it reads
    the request, then closes the connection without a byte of answer."""

    def __init__(self):
        self.seen = []
        self.socket = socket.socket()
        self.socket.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.port = free_port(PORTS)
        self.socket.bind(("127.0.0.1", self.port))
        self.socket.listen(16)
        threading.Thread(target=self.serve, daemon=True).start()

    def serve(self):
        while True:
            try:
                connection, _ = self.socket.accept()
            except OSError:
                return
            with connection:
                head = b""
                while b"\r\n\r\n" not in head:
                    chunk = connection.recv(4096)
                    if not chunk:
                        break
                    head += chunk
                method, path = head.split(b" ")[:2] if head else (b"", b"")
                if path == b"/healthz":
                    connection.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok")
                else:
                    self.seen.append(method.decode())

    def close(self):
        self.socket.close()


class Healthy(BaseHTTPRequestHandler):
    seen = []

    def answer(self):
        length = int(self.headers.get("Content-Length") or 0)
        self.rfile.read(length)
        if self.path != "/healthz":
            Healthy.seen.append(self.command)
        body = b"B" if self.command != "HEAD" else b""
        self.send_response(200)
        self.send_header("Content-Length", "1")
        self.end_headers()
        self.wfile.write(body)

    do_GET = do_POST = do_HEAD = answer

    def log_message(self, *args):
        pass


@pytest.fixture
def balancer(tmp_path):
    dying = Dying()
    Healthy.seen = []
    healthy = ThreadingHTTPServer(("127.0.0.1", free_port(PORTS)), Healthy)
    threading.Thread(target=healthy.serve_forever, daemon=True).start()
    port = free_port(PORTS)
    template = (Path(settings.BASE_DIR) / "deploy" / "haproxy" / "portal.cfg.template").read_text()
    servers = "\n".join(
        f"    server app{n} 127.0.0.1:{p} check inter 1s fall 3 rise 2"
        for n, p in enumerate([dying.port, healthy.server_address[1]], start=1)
    )
    config = tmp_path / "haproxy.cfg"
    config.write_text(
        template.format(bind=f"127.0.0.1:{port}", health_path="/healthz", servers=servers)
    )
    check = subprocess.run(["haproxy", "-c", "-f", str(config)], capture_output=True, text=True)
    assert check.returncode == 0, check.stdout + check.stderr
    process = subprocess.Popen(
        ["haproxy", "-db", "-f", str(config)], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
    )
    try:
        deadline = time.monotonic() + 20
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                assert time.monotonic() < deadline and process.poll() is None, "no haproxy"
                time.sleep(0.1)
        yield port, dying, Healthy.seen
    finally:
        process.terminate()
        process.wait(timeout=10)
        healthy.shutdown()
        healthy.server_close()
        dying.close()


def send(port, method):
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        connection.request(method, "/technologies/", body=b"x=1" if method == "POST" else None)
        response = connection.getresponse()
        return response.status, response.read()
    finally:
        connection.close()


def test_a_read_cut_off_by_a_dying_server_is_answered_by_the_other(balancer):
    port, dying, healthy_seen = balancer
    answers = [send(port, method) for method in ["GET", "HEAD"] * 4]
    assert [status for status, _body in answers] == [200] * 8
    assert [body for _status, body in answers] == [b"B", b""] * 4
    assert "GET" in dying.seen and "HEAD" in dying.seen  # some reached the dying server first
    assert healthy_seen == ["GET", "HEAD"] * 4  # each read answered once, by the other server


def test_a_post_cut_off_by_a_dying_server_is_not_sent_again(balancer):
    port, dying, healthy_seen = balancer
    statuses = [send(port, "POST")[0] for _ in range(8)]
    assert set(statuses) == {200, 502}
    assert statuses.count(502) == dying.seen.count("POST") >= 1  # once each, never retried
    assert healthy_seen == ["POST"] * statuses.count(200)  # the other never got the cut-off ones
