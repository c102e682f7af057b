"""PostgreSQL's own tools (pg_dump, pg_restore) on the connection of DATABASE_URL."""

import os
import shutil
import subprocess
from pathlib import Path

from django.conf import settings
from django.db import connection

from portal.backup import BackupError


def require_postgresql():
    if connection.vendor != "postgresql":
        raise BackupError(
            f"Backup and restore need PostgreSQL; this portal runs on {connection.vendor}. "
            "Set DATABASE_URL to the PostgreSQL database (on SQLite, for `make run`, copy "
            "db.sqlite3 and the media folders while the server is stopped)."
        )


def pg_tool(name):
    """pg_dump / pg_restore matching the server's major version (Debian keeps one folder each)."""
    configured = getattr(settings, "PORTAL_PG_BIN", "")
    candidates = [Path(configured)] if configured else []
    major = connection.pg_version // 10000
    candidates.append(Path(f"/usr/lib/postgresql/{major}/bin"))
    for folder in candidates:
        if (folder / name).is_file():
            return str(folder / name)
    found = shutil.which(name)
    if found is None:
        raise BackupError(
            f"{name} not found: install postgresql-client-{major} or set PG_BIN to its folder."
        )
    return found


def pg_environment():
    """The connection of DATABASE_URL as libpq's variables (no password on a command line)."""
    db = connection.settings_dict
    env = {**os.environ, "PGDATABASE": db["NAME"], "PGCONNECT_TIMEOUT": "10"}
    for key, variable in (("HOST", "PGHOST"), ("PORT", "PGPORT"), ("USER", "PGUSER")):
        if db.get(key):
            env[variable] = str(db[key])
    if db.get("PASSWORD"):
        env["PGPASSWORD"] = db["PASSWORD"]
    for option in ("sslmode", "sslrootcert", "sslcert", "sslkey"):
        if option in db.get("OPTIONS", {}):
            env[f"PG{option.upper()}"] = str(db["OPTIONS"][option])
    return env


def run_tool(arguments):
    # PostgreSQL's own tools with arguments we build (no shell).
    done = subprocess.run(arguments, env=pg_environment(), capture_output=True, text=True)  # noqa: S603
    if done.returncode != 0:
        raise BackupError(f"{Path(arguments[0]).name} failed: {done.stderr.strip()}")
