"""A real redis-server on 127.0.0.1 for a test (or `make loadtest`), stopped afterwards.

`RedisServer(port)` starts `redis-server --port N --save '' --appendonly no` (nothing written to
disk) and waits until it answers PING; `.url` is its REDIS_URL. The `redis_server` fixture picks
a free port in this suite's range, 7100-7199."""

import shutil
import socket
import subprocess
import tempfile
import time
from pathlib import Path

import pytest

PORTS = range(7100, 7200)


def free_port(ports=PORTS):
    for port in ports:
        with socket.socket() as probe:
            try:
                probe.bind(("127.0.0.1", port))
            except OSError:
                continue
            return port
    raise RuntimeError(f"no free port in {ports}")


class RedisServer:
    def __init__(self, port):
        self.port = port
        self.url = f"redis://127.0.0.1:{port}/0"
        self.process = None

    def start(self):
        binary = shutil.which("redis-server") or "/usr/bin/redis-server"
        self._dir = tempfile.TemporaryDirectory(prefix="portal-redis-")
        self.process = subprocess.Popen(  # noqa: S603 - our own program, no shell
            [binary, "--port", str(self.port), "--bind", "127.0.0.1", "--save", "",
             "--appendonly", "no", "--dir", self._dir.name],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )  # fmt: skip
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"redis-server on port {self.port} exited")
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=0.5) as s:
                    s.sendall(b"PING\r\n")
                    if s.recv(16).startswith(b"+PONG"):
                        return self
            except OSError:
                time.sleep(0.05)
        self.stop()
        raise RuntimeError(f"redis-server on port {self.port} did not answer")

    def stop(self):
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        if getattr(self, "_dir", None):
            self._dir.cleanup()

    def __enter__(self):
        return self.start()

    def __exit__(self, *_exc):
        self.stop()


@pytest.fixture
def redis_server():
    if not shutil.which("redis-server") and not Path("/usr/bin/redis-server").exists():
        pytest.fail(
            "redis-server is not installed: apt-get install redis-server (make browser-deps)"
        )
    with RedisServer(free_port()) as server:
        yield server
