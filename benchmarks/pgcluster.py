"""A throwaway PostgreSQL primary and its streaming replica on 127.0.0.1, for the replica tests
and `make cluster-test`: initdb, a replication user and pg_hba line for loopback,
`pg_basebackup -R` for the replica, hot standby. Both are stopped and their folder deleted by
`stop()`, whatever happened. As root, the servers run as the `postgres` user (initdb refuses
root)."""

import contextlib
import os
import shutil
import subprocess
import tempfile
import time
from pathlib import Path

import psycopg

PG_BIN = Path(os.environ.get("PG_BIN", "/usr/lib/postgresql/15/bin"))
# Test clusters: durability off, as scripts/with-postgres does.
FAST = "-c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200"


def _as_postgres():
    return ["runuser", "-u", "postgres", "--"] if os.getuid() == 0 else []


def _run(command, **kwargs):
    return subprocess.run(  # noqa: S603 - PostgreSQL's own programs, no shell
        _as_postgres() + [str(c) for c in command],
        check=True,
        capture_output=True,
        text=True,
        **kwargs,
    )


class PrimaryReplica:
    def __init__(self, primary_port, replica_port, *, replica=True):
        self.primary_port, self.replica_port, self.with_replica = (
            primary_port,
            replica_port,
            replica,
        )
        self.dir = Path(tempfile.mkdtemp(prefix="portal-pgcluster."))
        self.dir.chmod(0o755)
        if os.getuid() == 0:
            shutil.chown(self.dir, "postgres")
        self.started = []

    def url(self, port):
        return f"postgres://portal@127.0.0.1:{port}/portal"

    @property
    def primary_url(self):
        return self.url(self.primary_port)

    @property
    def replica_url(self):
        return self.url(self.replica_port)

    def _start(self, data, port):
        _run(
            [PG_BIN / "pg_ctl", "-D", data, "-l", self.dir / f"{port}.log", "-w", "-t", "60",
             "-o", f"-c listen_addresses=127.0.0.1 -k {self.dir} -p {port} {FAST}", "start"]
        )  # fmt: skip
        self.started.append(data)

    def start_primary(self):
        data = self.dir / "primary"
        _run([PG_BIN / "initdb", "-D", data, "-U", "portal", "-A", "trust", "-E", "UTF8",
              "--locale=C.UTF-8"])  # fmt: skip
        with open(data / "postgresql.conf", "a") as conf:
            conf.write("wal_level = replica\nmax_wal_senders = 5\nhot_standby = on\n")
        with open(data / "pg_hba.conf", "a") as hba:
            hba.write("host replication replicator 127.0.0.1/32 trust\n")
        self._start(data, self.primary_port)
        _run([PG_BIN / "createdb", "-h", "127.0.0.1", "-p", self.primary_port, "-U", "portal",
              "portal"])  # fmt: skip
        with psycopg.connect(self.primary_url, autocommit=True) as conn:
            conn.execute("CREATE ROLE replicator WITH REPLICATION LOGIN")
        return self

    def start_replica(self):
        """A hot standby streamed from the primary, started once it has caught up."""
        data = self.dir / "replica"
        _run([PG_BIN / "pg_basebackup", "-h", "127.0.0.1", "-p", self.primary_port, "-U",
              "replicator", "-D", data, "-R", "-X", "stream", "-c", "fast"])  # fmt: skip
        self._start(data, self.replica_port)
        self.wait_replayed()
        return self

    def primary(self):
        return psycopg.connect(self.primary_url, autocommit=True)

    def replica(self):
        return psycopg.connect(self.replica_url, autocommit=True)

    def wait_replayed(self, timeout=30):
        wait_replayed(self.primary_url, self.replica_url, timeout)

    def pause_replay(self):
        pause_replay(self.replica_url)

    def resume_replay(self):
        resume_replay(self.replica_url)

    def postmaster_pid(self, port):
        data = self.dir / ("primary" if port == self.primary_port else "replica")
        return int((data / "postmaster.pid").read_text().split()[0])

    def stop(self):
        for data in reversed(self.started):
            with contextlib.suppress(subprocess.CalledProcessError):
                _run([PG_BIN / "pg_ctl", "-D", data, "-m", "immediate", "stop"])
        self.started = []
        shutil.rmtree(self.dir, ignore_errors=True)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.stop()


def wait_replayed(primary_url, replica_url, timeout=30):
    """Until the replica has replayed everything the primary had written when called."""
    with psycopg.connect(primary_url, autocommit=True) as conn:
        target = conn.execute("SELECT pg_current_wal_lsn()").fetchone()[0]
    deadline = time.monotonic() + timeout
    with psycopg.connect(replica_url, autocommit=True) as conn:
        while time.monotonic() < deadline:
            behind = conn.execute(
                "SELECT pg_wal_lsn_diff(%s, pg_last_wal_replay_lsn()) > 0", [target]
            ).fetchone()[0]
            if not behind:
                return
            time.sleep(0.1)
    raise TimeoutError(f"the replica did not replay up to {target} within {timeout} s")


def pause_replay(replica_url):
    """The replica stops applying the primary's changes (it keeps receiving them)."""
    with psycopg.connect(replica_url, autocommit=True) as conn:
        conn.execute("SELECT pg_wal_replay_pause()")


def resume_replay(replica_url):
    with psycopg.connect(replica_url, autocommit=True) as conn:
        conn.execute("SELECT pg_wal_replay_resume()")
