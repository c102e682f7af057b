"""`make bench-demo`: how long `seed_demo` takes on a fresh SQLite database (the `make run` path),
and the site search (`/search/`) on that demo, in-process with `DEBUG = False`, median of 15.

Not a test: it prints its figures (and the machine's load average, which they depend on) to be
copied into docs/benchmarks.md with this command.
"""

import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
QUERIES = ["cá tra", "ca tra", "nấm", "zzzz"]


def seed(database_url):
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "DJANGO_SETTINGS_MODULE": "portal.settings.dev",
    }
    manage = [sys.executable, str(ROOT / "manage.py")]
    subprocess.run([*manage, "migrate", "--noinput", "-v0"], env=env, check=True)  # noqa: S603 (a fixed command)
    started = time.monotonic()
    subprocess.run([*manage, "seed_demo"], env=env, check=True, stdout=subprocess.DEVNULL)  # noqa: S603
    return time.monotonic() - started


def search_times(database_url):
    os.environ["DATABASE_URL"] = database_url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings.dev")
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.conf import settings
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    settings.DEBUG = False
    settings.ALLOWED_HOSTS = ["testserver"]
    client = Client()
    rows = []
    for query in QUERIES:
        client.get("/search/", {"q": query})  # the first call warms the templates
        times = []
        for _ in range(15):
            started = time.perf_counter()
            response = client.get("/search/", {"q": query})
            times.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200, response.status_code
        with CaptureQueriesContext(connection) as queries:
            client.get("/search/", {"q": query})
        rows.append((query, statistics.median(times), len(queries)))
    return rows


def main():
    with tempfile.TemporaryDirectory() as folder:
        url = f"sqlite:///{folder}/db.sqlite3"
        seconds = seed(url)
        print(f"load average before: {os.getloadavg()[0]:.2f}")
        print(f"seed_demo on a migrated SQLite database: {seconds:.1f} s wall")
        print("| query | median ms | queries |\n|---|---:|---:|")
        for query, median, count in search_times(url):
            print(f"| `{query}` | {median:.0f} | {count} |")
        print(f"load average after: {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    main()
