"""The deployment files in deploy/ load in the programs they are for, and say what the portal's
settings expect: gunicorn reads its config, `nginx -t` accepts the example, and the example
served for real on 127.0.0.1 (self-signed certificate, an echo server as the app) sends the
headers the trusted-proxy setting counts on, keeps media to the app and caps uploads."""

import http.client
import http.server
import json
import os
import re
import shutil
import socket
import ssl
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from django.conf import settings
from django.test import RequestFactory, override_settings

from core.http import client_ip

DEPLOY = Path(settings.BASE_DIR) / "deploy"
NGINX = shutil.which("nginx") or ("/usr/sbin/nginx" if Path("/usr/sbin/nginx").exists() else None)
needs_nginx = pytest.mark.skipif(
    NGINX is None or not shutil.which("openssl"),
    reason="nginx and openssl not installed (apt-get install nginx)",
)
APP_PORT, PUBLIC_PORT, HTTP_PORT, HTTPS_PORT = 8640, 8641, 8642, 8643  # range: 8640-8649


def production_env(**extra):
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "portal.settings.production",
        "SECRET_KEY": "deploy-test-" + "k" * 50,
        "ALLOWED_HOSTS": "portal.example.org",
        "REDIS_URL": "redis://127.0.0.1:7199/0",
        **extra,
    }


def gunicorn(*arguments, env=None):
    return subprocess.run(
        [str(Path(sys.executable).with_name("gunicorn")), *arguments],
        cwd=settings.BASE_DIR,
        env=env or production_env(),
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_gunicorn_loads_the_config_with_sync_workers_on_loopback():
    done = gunicorn("--check-config", "-c", str(DEPLOY / "gunicorn.conf.py"))
    assert done.returncode == 0, done.stderr

    printed = gunicorn("--print-config", "-c", str(DEPLOY / "gunicorn.conf.py")).stdout
    values = dict(re.findall(r"^(\w+)\s+= (.*)$", printed, flags=re.M))
    assert values["bind"] == "['127.0.0.1:8000']"
    assert values["worker_class"] == "sync"
    assert values["workers"] == str(2 * os.cpu_count() + 1)
    assert values["timeout"] == "90"
    assert values["wsgi_app"] == "portal.wsgi:application"


def test_gunicorn_check_config_fails_on_a_broken_config(tmp_path):
    broken = tmp_path / "gunicorn.conf.py"
    broken.write_text((DEPLOY / "gunicorn.conf.py").read_text() + "\nworkers = int('many')\n")
    assert gunicorn("--check-config", "-c", str(broken)).returncode != 0


def test_the_upload_cap_and_the_proxy_count_match_the_portals_settings():
    conf = (DEPLOY / "nginx" / "portal.conf").read_text()
    assert re.search(r"client_max_body_size (\d+)m;", conf).group(1) == str(
        settings.PORTAL_MAX_UPLOAD_MB + 1
    )
    assert "proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;" in conf
    assert "proxy_set_header X-Forwarded-Proto $scheme;" in conf
    env = dict(
        line.split("=", 1)
        for line in (DEPLOY / "portal.env.example").read_text().splitlines()
        if line and not line.startswith("#")
    )
    assert env["TRUSTED_PROXY_COUNT"] == "1"
    assert env["PORTAL_MAX_UPLOAD_MB"] == str(settings.PORTAL_MAX_UPLOAD_MB)
    assert env["DJANGO_SETTINGS_MODULE"] == "portal.settings.production"


@pytest.mark.skipif(not shutil.which("systemd-analyze"), reason="systemd-analyze not installed")
def test_systemd_units_verify(tmp_path):
    for unit in (DEPLOY / "systemd").iterdir():
        name = unit.name.replace("@.service", "@1.service")
        text = unit.read_text().replace("/srv/portal", str(settings.BASE_DIR))
        (tmp_path / name).write_text(text)
    units = sorted(str(path) for path in tmp_path.iterdir())
    done = subprocess.run(
        ["systemd-analyze", "verify", *units], capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0, done.stderr
    assert "Unknown" not in done.stderr and "ignoring" not in done.stderr, done.stderr


# -- nginx, for real -----------------------------------------------------------------------


class Echo(http.server.BaseHTTPRequestHandler):
    """Stands in for gunicorn: answers with the headers (and body length) it received."""

    def answer(self):
        length = int(self.headers.get("Content-Length") or 0)
        remaining = length
        while remaining:
            remaining -= len(self.rfile.read(min(remaining, 1 << 20)))
        body = json.dumps(
            {"headers": dict(self.headers), "length": length, "path": self.path, "pool": self.pool}
        )
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body.encode())

    do_GET = do_POST = do_HEAD = answer
    pool = "app"


class PublicEcho(Echo):
    """Stands in for the visitors' pool (portal-web-public)."""

    pool = "public"

    def log_message(self, *args):
        pass


def nginx_site(tmp_path):
    """The example with its paths and ports moved into tmp_path and onto 127.0.0.1."""
    cert, key = tmp_path / "fullchain.pem", tmp_path / "privkey.pem"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
         "-subj", "/CN=portal.example.org", "-keyout", str(key), "-out", str(cert)],
        check=True, capture_output=True, timeout=60,
    )  # fmt: skip
    for folder in ("static", "media/images", "acme", "temp"):
        (tmp_path / folder).mkdir(parents=True)
    conf = (DEPLOY / "nginx" / "portal.conf").read_text()
    for old, new in (
        ("/etc/ssl/portal/fullchain.pem", cert),
        ("/etc/ssl/portal/privkey.pem", key),
        ("/srv/portal/staticfiles/", f"{tmp_path}/static/"),
        ("/var/lib/portal/media/images/", f"{tmp_path}/media/images/"),
        ("/var/www/acme", tmp_path / "acme"),
        ("/var/log/nginx/", f"{tmp_path}/"),
        ("server 127.0.0.1:8000;", f"server 127.0.0.1:{APP_PORT};"),
        ("server 127.0.0.1:8001;", f"server 127.0.0.1:{PUBLIC_PORT};"),
        ("server 127.0.0.1:8000 backup;", f"server 127.0.0.1:{APP_PORT} backup;"),
        ("listen 80;", f"listen 127.0.0.1:{HTTP_PORT};"),
        ("listen 443 ssl http2;", f"listen 127.0.0.1:{HTTPS_PORT} ssl http2;"),
    ):
        assert str(old) in conf, old
        conf = conf.replace(str(old), str(new))
    conf = re.sub(r"\n\s*listen \[::\]:\d+[^;]*;", "", conf)
    (tmp_path / "portal.conf").write_text(conf)
    temp = tmp_path / "temp"
    main = tmp_path / "nginx.conf"
    main.write_text(
        ("user root;\n" if os.getuid() == 0 else "")
        + f"pid {tmp_path}/nginx.pid;\nerror_log {tmp_path}/error.log;\nworker_processes 1;\n"
        "events { worker_connections 64; }\n"
        "http {\n  include /etc/nginx/mime.types;\n"
        + "".join(
            f"  {kind}_temp_path {temp}/{kind};\n"
            for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")
        )
        + f"  include {tmp_path}/portal.conf;\n}}\n"
    )
    return main, cert


def nginx(main, *arguments):
    return [NGINX, "-p", str(main.parent), "-e", str(main.parent / "error.log"), "-c", str(main),
            *arguments]  # fmt: skip


@needs_nginx
def test_nginx_accepts_the_example(tmp_path):
    main, _cert = nginx_site(tmp_path)
    done = subprocess.run(nginx(main, "-t"), capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert "test is successful" in done.stderr


served_site_servers = {}  # tmp_path -> the visitors' pool's server, which a test may stop


@pytest.fixture
def served_site(tmp_path):
    main, _cert = nginx_site(tmp_path)
    app = http.server.ThreadingHTTPServer(("127.0.0.1", APP_PORT), Echo)
    threading.Thread(target=app.serve_forever, daemon=True).start()
    public = http.server.ThreadingHTTPServer(("127.0.0.1", PUBLIC_PORT), PublicEcho)
    threading.Thread(target=public.serve_forever, daemon=True).start()
    served_site_servers[tmp_path] = public
    server = subprocess.Popen(nginx(main, "-g", "daemon off;"), stderr=subprocess.PIPE)
    try:
        deadline = time.monotonic() + 20
        while True:
            try:
                socket.create_connection(("127.0.0.1", HTTPS_PORT), timeout=1).close()
                break
            except OSError:
                if time.monotonic() > deadline or server.poll() is not None:
                    raise RuntimeError(server.stderr.read().decode()) from None
                time.sleep(0.1)
        yield tmp_path
    finally:
        server.terminate()
        server.wait(timeout=20)
        app.shutdown()
        app.server_close()
        public = served_site_servers.pop(tmp_path)
        if public.socket.fileno() != -1:
            public.shutdown()
            public.server_close()


def request(method, path, *, body=None, headers=None, tls=True):
    if tls:
        context = ssl.create_default_context()
        context.check_hostname, context.verify_mode = False, ssl.CERT_NONE
        connection = http.client.HTTPSConnection(
            "127.0.0.1", HTTPS_PORT, context=context, timeout=30
        )
    else:
        connection = http.client.HTTPConnection("127.0.0.1", HTTP_PORT, timeout=30)
    connection.request(
        method, path, body=body, headers={"Host": "portal.example.org", **(headers or {})}
    )
    response = connection.getresponse()
    data = response.read()
    connection.close()
    return response, data


@needs_nginx
def test_nginx_in_front_of_the_app_as_the_settings_expect(served_site):
    # Plain HTTP goes to HTTPS.
    response, _ = request("GET", "/proposals/?q=1", tls=False)
    assert response.status == 301
    assert response.getheader("Location") == "https://portal.example.org/proposals/?q=1"

    # A forged X-Forwarded-For and X-Forwarded-Proto do not get through as the client's own.
    response, data = request(
        "GET",
        "/dashboard/",
        headers={
            "X-Forwarded-For": "203.0.113.9",
            "X-Forwarded-Proto": "http",
            "X-Request-Start": "t=1000000000.000",
        },
    )
    sent_at = time.time()
    seen = json.loads(data)["headers"]
    assert seen["X-Forwarded-Proto"] == "https" and seen["Host"] == "portal.example.org"
    assert seen["X-Forwarded-For"] == "203.0.113.9, 127.0.0.1"
    forwarded = RequestFactory().get(
        "/", REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR=seen["X-Forwarded-For"]
    )
    with override_settings(TRUSTED_PROXY_COUNT=1):
        assert client_ip(forwarded) == "127.0.0.1"  # the address nginx saw, not the forged one
    # nginx writes when the request reached it (the deadline's moment), over the client's claim.
    stamped = float(seen["X-Request-Start"].removeprefix("t="))
    assert abs(stamped - sent_at) < 5, seen["X-Request-Start"]

    # Static files and public pictures from the disk; the rest of the media only through the app.
    (served_site / "static" / "portal.css").write_text("body{}")
    (served_site / "media" / "images" / "logo.png").write_bytes(b"\x89PNG picture")
    response, data = request("GET", "/static/portal.css")
    assert response.status == 200 and data == b"body{}"
    assert response.getheader("X-Content-Type-Options") == "nosniff"
    assert request("GET", "/media/images/logo.png")[1] == b"\x89PNG picture"
    assert request("GET", "/media/documents/budget.xlsx")[0].status == 404
    assert request("GET", "/media/original_images/logo.png")[0].status == 404

    # Uploads: a body just over the portal's cap reaches the app (which answers by the field);
    # past the cap plus 1 MB, nginx refuses it.
    cap = settings.PORTAL_MAX_UPLOAD_MB * 1024 * 1024
    response, data = request("POST", "/proposals/1/", body=b"x" * (cap + 512 * 1024))
    assert response.status == 200 and json.loads(data)["length"] == cap + 512 * 1024
    response, _ = request("POST", "/proposals/1/", body=b"x" * (cap + 2 * 1024 * 1024))
    assert response.status == 413


@needs_nginx
def test_visitors_reads_go_to_their_own_pool_and_the_main_one_stands_in(served_site):
    def pool(method, **headers):
        response, data = request(method, "/technologies/?q=l%C3%BAa", headers=headers)
        assert response.status == 200
        return json.loads(data)["pool"] if data else response.getheader("Content-Type")

    assert pool("GET") == "public"
    assert pool("GET", Cookie="csrftoken=abc; django_language=en") == "public"
    assert pool("GET", Cookie="csrftoken=abc; sessionid=s3ss10n") == "app"  # signed in
    assert pool("POST") == "app"  # a form sent, even by a visitor
    assert request("HEAD", "/technologies/")[0].status == 200
    # The visitors' pool stopped: the main pool answers them, with no error.
    public = served_site_servers[served_site]
    public.shutdown()
    public.server_close()
    assert pool("GET") == "app"
