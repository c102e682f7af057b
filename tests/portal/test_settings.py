import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def run_manage(*args, **env):
    environment = {
        k: v
        for k, v in os.environ.items()
        if k not in {"SECRET_KEY", "ALLOWED_HOSTS", "DJANGO_ALLOW_ASYNC_UNSAFE"}
    }
    environment["REDIS_URL"] = "redis://127.0.0.1:7199/0"  # not connected to by `check`
    environment.update(env)
    environment = {k: v for k, v in environment.items() if v is not None}
    environment["DJANGO_SETTINGS_MODULE"] = "portal.settings.production"
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_production_settings_pass_check_deploy_without_warnings():
    result = run_manage(
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        SECRET_KEY="k3y-" + "x7Qp9vLm2Rt8Zw4Hn6Bj1Cd5Fg0Ks3Ty" * 2,
        ALLOWED_HOSTS="innovation.angiang.gov.vn",
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_production_refuses_to_start_without_a_secret_key():
    result = run_manage("check", ALLOWED_HOSTS="innovation.angiang.gov.vn")
    assert result.returncode != 0
    assert "SECRET_KEY must be set" in result.stderr


PRODUCTION = {
    "SECRET_KEY": "k3y-" + "x7Qp9vLm2Rt8Zw4Hn6Bj1Cd5Fg0Ks3Ty" * 2,
    "ALLOWED_HOSTS": "innovation.angiang.gov.vn",
}
SHOW_POOL = (
    "from django.conf import settings; d = settings.DATABASES['default']; "
    "print(d['CONN_MAX_AGE'], d['OPTIONS'].get('pool'))"
)


def test_the_connection_pool_is_off_unless_asked_for():
    result = run_manage(
        "shell", "-c", SHOW_POOL, DATABASE_URL="postgres://portal@db.invalid/portal", **PRODUCTION
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines()[-1].split() == ["60", "None"]


def test_database_pool_max_size_turns_on_the_psycopg_pool():
    result = run_manage(
        "shell", "-c", SHOW_POOL, DATABASE_URL="postgres://portal@db.invalid/portal",
        DATABASE_POOL_MAX_SIZE="8", **PRODUCTION,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    # Persistent connections are off: the pool keeps them (Django refuses both at once).
    assert result.stdout.splitlines()[-1] == "0 {'min_size': 1, 'max_size': 8, 'timeout': 10}"


@pytest.mark.postgres
def test_the_pool_serves_queries_on_postgresql():
    if not os.environ.get("DATABASE_URL", "").startswith("postgres"):
        pytest.fail("This test needs PostgreSQL: run it through `make test`.")
    code = (
        "from django.db import connection; "
        "print(connection.pool.max_size, connection.cursor().execute('SELECT 41 + 1').fetchone()[0])"
    )
    result = run_manage("shell", "-c", code, DATABASE_POOL_MAX_SIZE="3", **PRODUCTION)
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines()[-1].split() == ["3", "42"]


def test_production_refuses_to_start_without_redis():
    result = run_manage("check", REDIS_URL=None, **PRODUCTION)
    assert result.returncode != 0
    assert "REDIS_URL must be set" in result.stderr


def test_production_shares_cache_and_sessions_through_redis():
    code = (
        "from django.conf import settings; c = settings.CACHES['default']; "
        "print(c['BACKEND'], c['LOCATION'], c['KEY_PREFIX'], settings.SESSION_ENGINE)"
    )
    result = run_manage(
        "shell", "-c", code, REDIS_URL="redis://cache.internal:6379/2", **PRODUCTION
    )
    assert result.returncode == 0, result.stderr
    # The last line: Django 5.2's shell says first how many objects it imported.
    assert result.stdout.strip().splitlines()[-1].split() == [
        "django.core.cache.backends.redis.RedisCache",
        "redis://cache.internal:6379/2",
        "portal",
        "django.contrib.sessions.backends.cached_db",
    ]


SHOW_DATABASES = (
    "import json; from django.conf import settings; print(json.dumps({alias: {key: d.get(key) "
    "for key in ('HOST', 'PORT', 'NAME', 'USER', 'CONN_MAX_AGE', 'CONN_HEALTH_CHECKS', "
    "'DISABLE_SERVER_SIDE_CURSORS', 'OPTIONS')} for alias, d in settings.DATABASES.items()}))"
)


def show_databases(**env):
    import json

    result = run_manage("shell", "-c", SHOW_DATABASES, **PRODUCTION, **env)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.splitlines()[-1])


def test_the_replica_uses_the_primarys_pool_and_connection_options():
    databases = show_databases(
        DATABASE_URL="postgres://portal@db.invalid:5432/portal",
        DATABASE_REPLICA_URL="postgres://reader:pw@replica.invalid:5433/portal?sslmode=require",
        DATABASE_POOL_MAX_SIZE="8",
        DATABASE_POOL_TIMEOUT="4",
    )
    primary, replica = databases["default"], databases["replica"]
    pool = {"min_size": 1, "max_size": 8, "timeout": 4}
    assert primary["OPTIONS"] == {"pool": pool}
    # Its own address, user and URL options; the primary's pool and connection handling.
    assert (replica["HOST"], replica["PORT"], replica["USER"]) == (
        "replica.invalid",
        5433,
        "reader",
    )
    assert replica["OPTIONS"] == {"pool": pool, "sslmode": "require"}
    for key in ("CONN_MAX_AGE", "CONN_HEALTH_CHECKS", "DISABLE_SERVER_SIDE_CURSORS"):
        assert replica[key] == primary[key], key
    assert (replica["CONN_MAX_AGE"], replica["DISABLE_SERVER_SIDE_CURSORS"]) == (0, True)


def test_without_a_pool_the_replica_keeps_persistent_connections_like_the_primary():
    databases = show_databases(
        DATABASE_URL="postgres://portal@db.invalid/portal",
        DATABASE_REPLICA_URL="postgres://portal@replica.invalid/portal",
        DATABASE_CONN_MAX_AGE="120",
        DATABASE_DISABLE_SERVER_SIDE_CURSORS="false",
    )
    replica = databases["replica"]
    assert replica["OPTIONS"] == {}
    assert (replica["CONN_MAX_AGE"], replica["CONN_HEALTH_CHECKS"]) == (120, True)
    assert replica["DISABLE_SERVER_SIDE_CURSORS"] is False
    assert set(databases) == {"default", "replica"}


def test_no_replica_without_its_url():
    databases = show_databases(
        DATABASE_URL="postgres://portal@db.invalid/portal", DATABASE_REPLICA_URL=None
    )
    assert set(databases) == {"default"}
