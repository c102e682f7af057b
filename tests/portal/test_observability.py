"""Logs, request ids and Sentry as production runs them: a real gunicorn with production
settings, its stderr parsed as JSON lines, and a Sentry receiver started here on 127.0.0.1.
Ports 7300-7309."""

import gzip
import http.client
import http.server
import json
import os
import socket
import subprocess
import sys
import threading
import time
import zlib
from pathlib import Path

import pytest
from django.conf import settings

from portal.observability import sane_request_id
from tests.redis_server import RedisServer, free_port

APP_PORT, SENTRY_PORT = 7301, 7302


def test_a_sane_request_id_is_kept_and_anything_else_replaced():
    assert sane_request_id("0123456789abcdef0123456789abcdef") == (
        "0123456789abcdef0123456789abcdef"
    )
    for unsafe in ("", "short", "a" * 65, "abc def ghi", "abcdefgh\n{}", "<script>x</script>"):
        made = sane_request_id(unsafe)
        assert made != unsafe and len(made) == 32 and made.isalnum()


class Receiver(http.server.BaseHTTPRequestHandler):
    envelopes = []

    def do_POST(self):  # noqa: N802 - http.server's name
        body = self.rfile.read(int(self.headers["Content-Length"]))
        encoding = self.headers.get("Content-Encoding", "")
        if encoding == "gzip":
            body = gzip.decompress(body)
        elif encoding == "deflate":
            body = zlib.decompress(body)
        elif encoding == "br":
            import brotli

            body = brotli.decompress(body)
        self.envelopes.append(body)
        self.send_response(200)
        self.end_headers()

    def log_message(self, *args):
        pass


def _wait_for_port(port, process):
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        assert process.poll() is None, "gunicorn exited"
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
            return
        except OSError:
            time.sleep(0.2)
    raise AssertionError("gunicorn did not start")


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    receiver = http.server.ThreadingHTTPServer(("127.0.0.1", SENTRY_PORT), Receiver)
    threading.Thread(target=receiver.serve_forever, daemon=True).start()
    stderr_path = tmp_path_factory.mktemp("gunicorn") / "stderr.log"
    cache = RedisServer(free_port()).start()  # production settings require Redis
    env = {
        **os.environ,
        "REDIS_URL": cache.url,
        "DJANGO_SETTINGS_MODULE": "tests.portal.observability_settings",
        "SECRET_KEY": "observability-test-" + "k" * 50,
        "ALLOWED_HOSTS": "portal.example.org",
        "SECURE_SSL_REDIRECT": "false",
        "DATABASE_URL": f"sqlite:///{stderr_path.parent / 'db.sqlite3'}",
        "SENTRY_DSN": f"http://publickey@127.0.0.1:{SENTRY_PORT}/1",
        "SENTRY_ENVIRONMENT": "observability-test",
    }
    with open(stderr_path, "w") as stderr:
        process = subprocess.Popen(  # noqa: S603 - our own gunicorn, no shell
            [
                str(Path(sys.executable).with_name("gunicorn")),
                "-c",
                str(settings.BASE_DIR / "deploy" / "gunicorn.conf.py"),
                "--bind",
                f"127.0.0.1:{APP_PORT}",
                "--workers",
                "1",
            ],
            cwd=settings.BASE_DIR,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=stderr,
        )
    try:
        _wait_for_port(APP_PORT, process)
        yield {"stderr": stderr_path, "envelopes": Receiver.envelopes}
    finally:
        process.terminate()
        process.wait(timeout=30)
        receiver.shutdown()
        receiver.server_close()
        cache.stop()


def _get(path, headers=None):
    connection = http.client.HTTPConnection("127.0.0.1", APP_PORT, timeout=30)
    connection.request("GET", path, headers={"Host": "portal.example.org", **(headers or {})})
    response = connection.getresponse()
    body = response.read()
    connection.close()
    return response, body


def _json_lines(path):
    """Every line Django wrote (gunicorn's own access line is not JSON: it is skipped)."""
    lines = []
    for line in path.read_text().splitlines():
        if line.startswith("{"):
            lines.append(json.loads(line))
    return lines


def _wait_for(predicate, seconds=15):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        found = predicate()
        if found:
            return found
        time.sleep(0.2)
    return predicate()


def test_an_access_line_is_json_with_the_proxys_request_id(server):
    proxy_id = "f" * 32
    response, body = _get("/healthz", {"X-Request-ID": proxy_id})
    assert response.status == 200 and body == b"ok"
    assert response.getheader("X-Request-ID") == proxy_id
    line = _wait_for(
        lambda: [
            entry
            for entry in _json_lines(server["stderr"])
            if entry.get("request_id") == proxy_id and entry["logger"] == "portal.access"
        ]
    )[0]
    assert line["level"] == "INFO"
    assert line["method"] == "GET" and line["path"] == "/healthz" and line["status"] == 200
    assert line["view"] == "healthz" and isinstance(line["duration_ms"], float)
    assert line["user_id"] is None and "time" in line


def test_an_unsafe_request_id_is_replaced(server):
    response, _ = _get("/healthz", {"X-Request-ID": 'evil id"}{'})
    made = response.getheader("X-Request-ID")
    assert made != 'evil id"}{' and len(made) == 32


def test_a_fault_is_logged_with_its_traceback_shown_with_its_id_and_sent_to_sentry(server):
    response, body = _get("/boom/", {"Cookie": "csrftoken=secretcookie" + "s" * 20})
    assert response.status == 500
    request_id = response.getheader("X-Request-ID")
    assert request_id.encode() in body  # the citizen can quote it
    errors = _wait_for(
        lambda: [
            entry
            for entry in _json_lines(server["stderr"])
            if entry.get("request_id") == request_id
            and entry["level"] == "ERROR"
            and "PortalFault" in entry.get("exc_info", "")
        ]
    )
    assert errors, "no ERROR line with the traceback and the request id"
    events = _wait_for(lambda: [raw for raw in server["envelopes"] if b"PortalFault" in raw])
    raw = events[0]
    assert b"secretcookie" not in raw
    items = [json.loads(line) for line in raw.splitlines() if line.startswith(b"{")]
    event = next(item for item in items if "exception" in item)
    assert event["exception"]["values"][-1]["type"] == "PortalFault"
    assert event["tags"]["request_id"] == request_id
    assert event["environment"] == "observability-test"
    assert "user" not in event or "email" not in event["user"]
