"""PostgreSQL's plan of what a page or a function really runs (issue 16: "show EXPLAIN for the
queue, the catalogue search and matching"): the slowest statement of one request (or call) as
captured from Django, run again under `EXPLAIN (ANALYZE, BUFFERS)`, for docs/benchmarks.md."""

import re

from django.db import connection
from django.test.utils import CaptureQueriesContext

MAX_LINES = 40  # of a plan shown in the report


def slowest(function):
    """The SQL of the slowest statement `function()` runs (captured with its parameters bound:
    Django's psycopg 3 backend binds on the client)."""
    with CaptureQueriesContext(connection) as queries:
        function()
    captured = [
        q for q in queries.captured_queries if q["sql"].lstrip().upper().startswith("SELECT")
    ]
    return max(captured, key=lambda q: float(q["time"]))["sql"]


def plan(sql):
    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN (ANALYZE, BUFFERS) {sql}")
        return [row[0] for row in cursor.fetchall()]


def uses_sequential_scan_of_a_big_table(lines, big=("grants_proposal", "transfer_technology")):
    """The tables in `big` read from end to end: what the queue and the catalogue must avoid."""
    return sorted({t for line in lines for t in big if re.search(rf"Seq Scan on {t}\b", line)})


def section(title, what, function):
    """Markdown: the statement, its plan (cut to MAX_LINES) and whether a big table is scanned."""
    sql = slowest(function)
    lines = plan(sql)
    scanned = uses_sequential_scan_of_a_big_table(lines)
    shown = lines[:MAX_LINES] + (
        [f"… ({len(lines) - MAX_LINES} more lines)"] if len(lines) > MAX_LINES else []
    )
    short_sql = sql if len(sql) < 1500 else sql[:1500] + " …"
    return [
        f"#### {title}",
        "",
        f"{what}. Sequential scan of a large table: "
        + (", ".join(f"**{t}**" for t in scanned) if scanned else "none")
        + ".",
        "",
        "<details><summary>statement and plan</summary>",
        "",
        "```sql",
        short_sql,
        "```",
        "",
        "```",
        *shown,
        "```",
        "",
        "</details>",
        "",
    ]
