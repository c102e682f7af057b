"""Dockerfile and docker-compose.yml agree with the portal (docs/operations.md → Containers).

Docker is not installed where the project's tests run, so the files are never built or started
here: these tests read them and check what would break a `docker compose up`: the production
settings load from exactly the environment compose gives web and worker (interpolated as compose
does, from a sample .env), every service they name exists, the health check asks /healthz and
answers 200 from gunicorn with those settings, the worker runs db_worker, and the image installs
the lock only, builds translations and static files, copies the PDF fonts and runs as a user."""

import os
import re
import shlex
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlsplit

import pytest
import yaml
from django.conf import settings

ROOT = Path(settings.BASE_DIR)
COMPOSE = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
DOCKERFILE = (ROOT / "Dockerfile").read_text()
SERVICES = COMPOSE["services"]
SAMPLE_DOTENV = {
    "PORTAL_HOST": "portal.example.org",
    "SECRET_KEY": "container-test-" + "s" * 50,
    "POSTGRES_PASSWORD": "pg-secret",
    "S3_ACCESS_KEY": "portal",
    "S3_SECRET_KEY": "s3-secret-key",
    "SIGNING_PKCS12_PASSWORD": "p12-secret",
}
# What portal.settings.production refuses to start without, or silently runs wrong without
# (SQLite instead of PostgreSQL, the dev settings).
REQUIRED = {"DJANGO_SETTINGS_MODULE", "SECRET_KEY", "ALLOWED_HOSTS", "REDIS_URL", "DATABASE_URL"}

_VARIABLE = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)(?:(:?[-?])([^{}]*))?\}")


class Unset(Exception):
    pass


def interpolate(value, dotenv):
    """Compose's ${VAR}, ${VAR:-default}, ${VAR:?error} and $$, innermost first."""
    if not isinstance(value, str):
        return value
    value = value.replace("$$", "\0")
    while match := _VARIABLE.search(value):
        name, operator, argument = match.groups()
        found = dotenv.get(name)
        if operator in (":-", "-") and (found is None or (operator == ":-" and not found)):
            found = argument
        elif operator in (":?", "?") and (found is None or (operator == ":?" and not found)):
            raise Unset(f"{name}: {argument}")
        value = value[: match.start()] + (found or "") + value[match.end() :]
    return value.replace("\0", "$")


def service_env(name, dotenv=SAMPLE_DOTENV):
    environment = SERVICES[name].get("environment") or {}
    assert isinstance(environment, dict), f"{name}: environment as a mapping"
    return {key: str(interpolate(str(value), dotenv)) for key, value in environment.items()}


def example_env():
    lines = (ROOT / "deploy" / "portal.env.example").read_text().splitlines()
    return dict(line.split("=", 1) for line in lines if line and not line.startswith("#"))


def production_settings(env, code):
    """Loads the production settings in a fresh process from `env` alone (plus PATH)."""
    return subprocess.run(
        [sys.executable, "-c", "import django; django.setup(); " + code],
        cwd=ROOT,
        env={"PATH": os.environ["PATH"], **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_the_services_are_there():
    assert {"web", "worker", "db", "redis", "s3", "migrate", "buckets"} <= set(SERVICES)
    assert SERVICES["db"]["image"].startswith("postgres:15")
    assert SERVICES["redis"]["image"].startswith("redis:")
    assert SERVICES["s3"]["image"].startswith("minio/minio:")
    for name in ("web", "worker", "migrate"):
        assert SERVICES[name]["build"] == "." and SERVICES[name]["image"] == "angiang-portal:latest"


@pytest.mark.parametrize("name", ["web", "worker", "migrate"])
def test_web_and_worker_get_every_variable_production_needs(name):
    env = service_env(name)
    assert set(env) >= REQUIRED, REQUIRED - set(env)
    assert env["DJANGO_SETTINGS_MODULE"] == "portal.settings.production"
    # Every line of the server example has its counterpart, so both deployments say the same.
    assert set(example_env()) <= set(env), set(example_env()) - set(env)
    # The URLs name services of this file.
    for url in (env["DATABASE_URL"], env["REDIS_URL"], env["PORTAL_S3_ENDPOINT_URL"]):
        assert urlsplit(url).hostname in SERVICES, url
    assert env["DATABASE_URL"] == "postgres://portal:pg-secret@db:5432/portal"
    # The database and the object store get the same secrets as the portal.
    assert service_env("db")["POSTGRES_PASSWORD"] == "pg-secret"
    assert service_env("s3")["MINIO_ROOT_PASSWORD"] == env["AWS_SECRET_ACCESS_KEY"]
    # The signing certificate is where the settings look for it.
    assert "signing.p12" in SERVICES[name]["secrets"]
    assert env["SIGNING_PKCS12_PATH"] == "/run/secrets/signing.p12"


def test_a_missing_secret_stops_compose_before_anything_starts():
    for secret in ("SECRET_KEY", "POSTGRES_PASSWORD", "PORTAL_HOST"):
        dotenv = {k: v for k, v in SAMPLE_DOTENV.items() if k != secret}
        with pytest.raises(Unset, match=secret):
            service_env("web", dotenv)


def test_the_production_settings_load_from_the_web_environment():
    env = service_env("web")
    code = (
        "from django.conf import settings as s; import json; print(json.dumps(["
        "s.DATABASES['default']['HOST'], s.CACHES['default']['LOCATION'], "
        "s.STORAGES['private']['OPTIONS']['bucket_name'], "
        "s.STORAGES['default']['OPTIONS']['custom_domain'], s.TASKS['default']['BACKEND'], "
        "s.ALLOWED_HOSTS, s.TRUSTED_PROXY_COUNT]))"
    )
    done = production_settings(env, code)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip().splitlines()[-1] == (
        '["db", "redis://redis:6379/0", "portal-private", "portal.example.org/portal-media", '
        '"django_tasks_db.DatabaseBackend", ["portal.example.org"], 1]'
    )


@pytest.mark.parametrize("dropped", ["SECRET_KEY", "ALLOWED_HOSTS", "REDIS_URL"])
def test_each_required_variable_is_really_required(dropped):
    env = {k: v for k, v in service_env("web").items() if k != dropped}
    done = production_settings(env, "print('loaded')")
    assert done.returncode != 0 and dropped in done.stderr


def test_the_buckets_made_are_the_buckets_used():
    env = service_env("web")
    script = " ".join(SERVICES["buckets"]["command"])
    for bucket in (env["PORTAL_S3_BUCKET"], env["PORTAL_S3_PRIVATE_BUCKET"]):
        assert f"portal/{bucket}" in script
    assert f"mc anonymous set download portal/{env['PORTAL_S3_BUCKET']}" in script
    assert f"anonymous set download portal/{env['PORTAL_S3_PRIVATE_BUCKET']}" not in script


def test_the_commands_and_their_order():
    web, worker, migrate = SERVICES["web"], SERVICES["worker"], SERVICES["migrate"]
    assert web["command"] == ["gunicorn", "-c", "deploy/gunicorn.conf.py"]
    assert (ROOT / "deploy" / "gunicorn.conf.py").exists()
    assert worker["command"] == ["python", "manage.py", "db_worker"]
    assert migrate["command"] == ["python", "manage.py", "migrate", "--noinput"]
    for service in (web, worker):
        assert service["depends_on"]["migrate"]["condition"] == "service_completed_successfully"
        assert service["depends_on"]["buckets"]["condition"] == "service_completed_successfully"
    assert migrate["depends_on"]["db"]["condition"] == "service_healthy"
    # Published on the host's loopback only, where its TLS proxy reaches them.
    assert web["ports"] == ["127.0.0.1:8000:8000"]
    assert service_env("web")["GUNICORN_BIND"] == "0.0.0.0:8000"
    assert all(port.startswith("127.0.0.1:") for port in SERVICES["s3"].get("ports", []))
    for name in ("db", "redis"):
        assert "ports" not in SERVICES[name]


def test_the_web_health_check_asks_healthz_and_passes_against_gunicorn(tmp_path):
    """The health check's own command, run against gunicorn with the web's production
    environment (a port of this suite's range for 8000; no database or Redis behind it:
    /healthz needs neither)."""
    check = SERVICES["web"]["healthcheck"]
    assert check["test"][:3] == ["CMD", "python", "-c"]
    probe = check["test"][3]
    assert '"/healthz"' in probe or '"/readyz"' in probe
    port = 7505  # this suite's ports: 7500-7549
    env = service_env("web") | {
        "GUNICORN_BIND": f"127.0.0.1:{port}",
        "GUNICORN_WORKERS": "1",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'none.sqlite3'}",
        "REDIS_URL": "redis://127.0.0.1:7549/0",  # nothing listens there
        "PROMETHEUS_MULTIPROC_DIR": str(tmp_path / "prometheus"),
        "STATIC_ROOT": str(tmp_path / "static"),
        "PATH": os.environ["PATH"],
    }
    server = subprocess.Popen(
        [str(Path(sys.executable).with_name("gunicorn")), "-c", "deploy/gunicorn.conf.py"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    probe_here = probe.replace("8000", str(port))
    try:
        deadline = time.monotonic() + 90
        while True:
            done = subprocess.run(
                [sys.executable, "-c", probe_here], env=env, capture_output=True, timeout=30
            )
            if done.returncode == 0:
                break
            assert server.poll() is None, "gunicorn stopped"
            assert time.monotonic() < deadline, done.stderr
            time.sleep(0.5)
        # Without the proxy's Host the portal refuses (400): the check must send it.
        bare = probe_here.replace('os.environ["ALLOWED_HOSTS"].split(",")[0]', '"localhost"')
        assert subprocess.run([sys.executable, "-c", bare], env=env, timeout=30).returncode != 0
    finally:
        server.terminate()
        server.wait(timeout=30)


def _instructions():
    """(instruction, argument) of the Dockerfile, continuation lines joined."""
    text = re.sub(r"\\\n", " ", DOCKERFILE)
    for line in text.splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            instruction, _, argument = line.partition(" ")
            yield instruction.upper(), argument.strip()


def test_the_image_builds_from_the_lock_on_debian_12_python_311():
    steps = list(_instructions())
    assert steps[0] == ("FROM", "python:3.11-slim-bookworm")
    runs = [argument for instruction, argument in steps if instruction == "RUN"]
    installs = [run for run in runs if "pip install" in run]
    assert installs and all("-r requirements.lock" in run for run in installs)
    assert all("--no-deps" in run for run in installs)  # nothing outside the lock
    copied_lock = steps.index(("COPY", "requirements.lock ./"))
    first_install = next(i for i, (k, a) in enumerate(steps) if k == "RUN" and "pip install" in a)
    assert copied_lock < first_install
    # WeasyPrint's Debian libraries, as in docs/operations.md's step 1 and the Makefile.
    apt = " ".join(run for run in runs if "apt-get install" in run)
    for package in ("libpango-1.0-0", "libpangoft2-1.0-0", "libharfbuzz-subset0", "gettext"):
        assert package in shlex.split(apt), package
    assert "postgresql-client-15" in apt  # pg_dump for manage.py backup
    build = " ".join(runs)
    assert "manage.py compilemessages" in build and "manage.py collectstatic --noinput" in build


def test_the_image_has_the_pdf_fonts_and_runs_as_a_user():
    steps = list(_instructions())
    copies = [argument for instruction, argument in steps if instruction == "COPY"]
    assert ". ." in copies and "static/fonts/ /usr/local/share/fonts/portal/" in copies
    ignored = (ROOT / ".dockerignore").read_text().split()
    for needed in ("static", "static/fonts", "requirements.lock", "deploy", "templates", "locale"):
        assert needed not in ignored and f"{needed}/" not in ignored, needed
    assert list((ROOT / "static" / "fonts").glob("LiberationSerif-*.ttf"))
    users = [argument for instruction, argument in steps if instruction == "USER"]
    assert users and users[-1] not in ("root", "0")
    # Nothing fetched when a container starts: the commands run what the image holds.
    started = [argument for instruction, argument in steps if instruction in ("CMD", "ENTRYPOINT")]
    started += [str(SERVICES[name]["command"]) for name in ("web", "worker", "migrate")]
    for command in started:
        assert not re.search(r"pip|apt-get|curl|wget|npm", command), command
