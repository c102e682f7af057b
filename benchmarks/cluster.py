"""`make cluster-test`: the deadline rush through a load balancer, with one app server killed.

On 127.0.0.1 only (ports 7420-7449 by default): PostgreSQL (DATABASE_URL, `make cluster-test`
starts a throwaway one), redis-server, a moto S3 server, two gunicorn app servers with the
production settings behind haproxy (deploy/haproxy/portal.cfg.template, health check on
`--health-path`), two django-tasks db workers. It seeds as `make loadtest` does
(benchmarks/loadtest.py), runs the burst through haproxy, SIGKILLs app server A in the middle
and db worker 1 later, retries each submit whose connection broke (a second submit of a dossier
already submitted is refused by grants/workflow.py), and then checks: every success has one
receipt, an interrupted submit committed once or not at all, gapless numbers, every queued task
finished once, a session made through the balancer valid on server B, every receipt readable
through server B byte for byte. Figures and verdict go to docs/benchmarks.md.
"""

import argparse
import asyncio
import datetime
import hashlib
import os
import random
import secrets
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks import loadtest  # noqa: E402, I001 - sets Django up first

import aiohttp  # noqa: E402
from django.conf import settings  # noqa: E402
from django.utils import timezone  # noqa: E402
from django_tasks_db.models import DBTaskResult  # noqa: E402

from benchmarks.report import write_section  # noqa: E402
from grants.models import Proposal  # noqa: E402

ROOT = loadtest.ROOT
BIN = loadtest.BIN
SECTION = "cluster-test"


class Processes:
    """What this run started, by process id and group; stopped in reverse order."""

    def __init__(self, logdir):
        self.logdir, self.started = logdir, {}

    def start(self, name, command, env=None):
        log = open(self.logdir / f"{name}.log", "ab")  # noqa: SIM115 - closed in stop()
        process = subprocess.Popen(  # noqa: S603 - our own programs and Debian's, no shell
            [str(c) for c in command], cwd=ROOT, env=env, stdout=log,
            stderr=subprocess.STDOUT, start_new_session=True,
        )  # fmt: skip
        self.started[name] = (process, log)
        return process

    def kill(self, name):
        """SIGKILL the whole group this run started under `name` (gunicorn and its workers)."""
        process, _log = self.started[name]
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=10)

    def stop(self):
        for name in reversed(list(self.started)):
            process, log = self.started.pop(name)
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGTERM)
                try:
                    process.wait(timeout=20)
                except subprocess.TimeoutExpired:
                    os.killpg(process.pid, signal.SIGKILL)
                    process.wait(timeout=10)
            log.close()


def wait_http(url, seconds=60):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=5) as response:  # noqa: S310 - loopback
                if response.status < 500:
                    return
        except OSError:
            time.sleep(0.3)
    raise SystemExit(f"{url} did not answer within {seconds} s")


def haproxy_config(args, path):
    template = (ROOT / "deploy" / "haproxy" / "portal.cfg.template").read_text()
    servers = "\n".join(
        f"    server app{n} 127.0.0.1:{port} check inter 1s fall 3 rise 2"
        for n, port in enumerate(args.app_ports, start=1)
    )
    path.write_text(
        template.format(
            bind=f"127.0.0.1:{args.port}", health_path=args.health_path, servers=servers
        )
    )


def start_cluster(args, env, processes, logdir):
    processes.start("redis", ["redis-server", "--bind", "127.0.0.1", "--port", args.redis_port,
                              "--save", "", "--appendonly", "no"])  # fmt: skip
    processes.start("s3", [BIN / "moto_server", "-H", "127.0.0.1", "-p", args.s3_port])
    wait_http(f"http://127.0.0.1:{args.s3_port}/")
    import boto3

    s3 = boto3.client(
        "s3", endpoint_url=f"http://127.0.0.1:{args.s3_port}", region_name="us-east-1",
        aws_access_key_id="testing", aws_secret_access_key="testing",
    )  # fmt: skip
    for bucket in ("portal-public", "portal-private"):
        s3.create_bucket(Bucket=bucket)
    for n, port in enumerate(args.app_ports, start=1):
        processes.start(
            f"app{n}",
            [BIN / "gunicorn", "portal.wsgi", "--bind", f"127.0.0.1:{port}", "--workers",
             args.web_workers, "--timeout", "60"],
            env,
        )  # fmt: skip
    for n in (1, 2):
        processes.start(
            f"worker{n}",
            [sys.executable, "manage.py", "db_worker", "--interval", "0.5", "-v0"],
            env,
        )
    for port in args.app_ports:
        wait_http(f"http://127.0.0.1:{port}{args.health_path}")
    config = logdir / "haproxy.cfg"
    haproxy_config(args, config)
    processes.start("haproxy", ["haproxy", "-db", "-f", config])
    wait_http(f"http://127.0.0.1:{args.port}{args.health_path}")


def cluster_env(args, secret):
    env = loadtest.server_env(args, secret)
    s3 = f"http://127.0.0.1:{args.s3_port}"
    env.update(
        REDIS_URL=f"redis://127.0.0.1:{args.redis_port}/0",
        PORTAL_S3_BUCKET="portal-public",
        PORTAL_S3_PRIVATE_BUCKET="portal-private",
        PORTAL_S3_ENDPOINT_URL=s3,
        AWS_ACCESS_KEY_ID="testing",
        AWS_SECRET_ACCESS_KEY="testing",
    )
    return env


async def rush(args, processes, people, rows, urls, rng, http, base):
    """The burst through haproxy; app server A killed `--kill-after` s in, worker 1 later."""
    events = []

    async def killer():
        await asyncio.sleep(2 + args.kill_after)  # the burst starts 2 s after the readers
        processes.kill("app1")
        events.append((time.time(), "app server A killed (SIGKILL)"))
        await asyncio.sleep(args.kill_worker_after)
        processes.kill("worker1")
        events.append((time.time(), "db worker 1 killed (SIGKILL)"))

    killing = asyncio.create_task(killer())
    result = await loadtest.burst(http, base, people, rows, args, rng, urls)
    await killing
    # The clients whose submit broke (no answer) try again once, with the same form.
    # haproxy answers 502 for a request whose server died under it, 503 while none is up.
    broken = [o for o in result["outcomes"] if isinstance(o["status"], str) or o["status"] in
              (502, 503, 504)]  # fmt: skip
    retried = []
    for outcome in broken:
        proposal = next(p for p in rows if p.pk == outcome["proposal"])
        before = len(result["outcomes"])
        await loadtest.submit(
            http, base, result["recorder"], people[proposal.owner_id], proposal,
            result["outcomes"], think=0,
        )  # fmt: skip
        retried.append(result["outcomes"][before])
    result["broken"], result["retried"], result["events"] = broken, retried, events
    return result


def check_retries(result):
    """An interrupted submit committed once or not at all; its retry never a second receipt."""
    problems = []
    retried = {o["proposal"]: o for o in result["retried"]}
    for pk, retry in retried.items():
        p = Proposal.objects.get(pk=pk)
        if p.state != "submitted" or not p.receipt_number:
            problems.append(f"{pk}: interrupted and retried, still not submitted")
        if retry["receipt"] is None and retry["status"] not in (302, 400):
            problems.append(f"{pk}: the retry got {retry['status']}")
    # For loadtest.verify: a refused retry of a submit that had committed is no refusal.
    outcomes = [o for o in result["outcomes"] if not (o in result["retried"] and not o["receipt"])]
    return problems, dict(result, outcomes=outcomes)


async def drain(limit):
    """Seconds until no task waits to be picked (a task left running by the killed worker is
    counted by check_tasks, not waited for)."""
    start = time.perf_counter()
    while time.perf_counter() - start < limit:
        if not DBTaskResult.objects.filter(status="READY").exists():
            return time.perf_counter() - start
        await asyncio.sleep(0.5)
    return None


def check_tasks(since):
    rows = DBTaskResult.objects.filter(enqueued_at__gte=since)
    counts = {}
    for status in rows.values_list("status", flat=True):
        counts[status] = counts.get(status, 0) + 1
    problems = [
        f"{n} tasks {s}" + (" (left by the killed worker: lost)" if s == "RUNNING" else "")
        for s, n in counts.items()
        if s != "SUCCESSFUL"
    ]
    return counts, problems


async def other_server(args, http, people, rows, successes):
    """Through server B directly: the sessions and receipts made through the balancer."""
    problems, checked = [], 0
    base_b = f"http://127.0.0.1:{args.app_ports[1]}"
    for proposal in rows:
        outcome = successes.get(proposal.pk)
        if not outcome:
            continue
        researcher = people[proposal.owner_id]
        cookie = {"Cookie": loadtest.cookie_header(researcher.jar)}
        async with http.get(f"{base_b}/proposals/{proposal.pk}/", headers=cookie) as response:
            body = await response.text()
            if response.status != 200 or outcome["receipt"] not in body:
                problems.append(f"{proposal.pk}: session not valid on server B")
        async with http.get(f"{base_b}/proposals/{proposal.pk}/receipt.pdf", headers=cookie) as r:
            data = await r.read()
            sha = hashlib.sha256(data).hexdigest()
            if r.status != 200 or (outcome.get("receipt_sha256") not in (None, sha)):
                problems.append(f"{proposal.pk}: receipt through server B differs")
        checked += 1
    return checked, problems


async def run(args, users, env, processes, logdir, rng, urls):
    base = f"http://127.0.0.1:{args.port}"
    call = loadtest.open_call("AG-LTB1", timezone.now() + datetime.timedelta(hours=2))
    rows = loadtest.drafts(call, users[: args.burst])
    before = loadtest.texts(call)
    start_cluster(args, env, processes, logdir)
    since = timezone.now()
    people = await loadtest.sign_in(users[: args.burst], base)
    connector = aiohttp.TCPConnector(limit=0)
    timeout = aiohttp.ClientTimeout(total=60)
    async with aiohttp.ClientSession(
        connector=connector, timeout=timeout, cookie_jar=aiohttp.DummyCookieJar()
    ) as http:
        for proposal in rows:
            await loadtest.open_dossier(http, base, people[proposal.owner_id], proposal)
        result = await rush(args, processes, people, rows, urls + [call.url], rng, http, base)
        drained = await drain(60)
        retry_problems, for_verify = check_retries(result)
        checks = loadtest.verify(call, for_verify, before)
        successes = {o["proposal"]: o for o in for_verify["outcomes"] if o["receipt"]}
        checked, b_problems = await other_server(args, http, people, rows, successes)
    tasks, task_problems = check_tasks(since)
    table = loadtest.stats(result["recorder"])
    problems = checks["problems"] + retry_problems + b_problems + task_problems
    return {
        "result": result, "checks": checks, "table": table, "drained": drained,
        "tasks": tasks, "checked_b": checked, "problems": problems,
    }  # fmt: skip


def report_lines(args, run_, command, load):
    r, checks, table = run_["result"], run_["checks"], run_["table"]
    verdict = "**passed**" if not run_["problems"] else "**failed**"
    lines = [
        "## Several servers, one killed mid-rush (`make cluster-test`)",
        "",
        "Written by `benchmarks/cluster.py`: PostgreSQL (scripts/with-postgres), redis-server, "
        "moto S3, two gunicorn app servers (production settings) behind haproxy, two db "
        "workers, all on 127.0.0.1 of the shared 2-core machine, which other engineers were "
        "using at the same time (load average beside the figures).",
        "",
        f"- Command: `{command}`",
        f"- Date: {timezone.localtime():%Y-%m-%d %H:%M} (Asia/Ho_Chi_Minh); load average "
        f"{load[0]:.2f} at the start, {os.getloadavg()[0]:.2f} at the end",
        f"- Data: {Proposal.objects.count():,} proposals; burst of {args.burst} submits "
        f"({args.double} double-clicked) with public reads at {args.read_rate} req/s",
        f"- Verdict: {verdict}",
        "",
    ]
    t0 = r["elapsed"]
    lines += [f"- {event}" for _at, event in r["events"]]
    lines += [
        f"- Burst over in {t0:.1f} s; {len(r['broken'])} submits lost their connection "
        f"when server A died, each retried once: {sum(1 for o in r['retried'] if o['receipt'])} "
        "retries got the receipt (the first attempt had not committed), "
        f"{sum(1 for o in r['retried'] if not o['receipt'])} were answered 'already submitted'.",
        f"- {checks['successes']} dossiers submitted, {checks['numbers']} receipt numbers, gapless "
        f"{'yes' if checks['gapless'] else '**no**'}; {checks['after_timeout']} committed "
        "although the client saw no answer (once each).",
        f"- Tasks queued during the run, by status: {run_['tasks']}; the queue was empty "
        + (
            f"{run_['drained']:.0f} s after the burst"
            if run_["drained"] is not None
            else "**never**"
        ),
        f"- Through server B directly: {run_['checked_b']} sessions opened through the balancer "
        "valid, the same receipts downloaded byte for byte.",
        "- Files: on the shared disk in this run (the S3 settings read PORTAL_S3_* once merged; "
        "the moto server is started and its buckets made).",
        "",
        "| request | count | p50 ms | p95 ms | max ms | errors | answers |",
        "|---|---:|---:|---:|---:|---:|---|",
    ]
    for kind, row in table.items():
        answers = ", ".join(f"{k}: {v}" for k, v in sorted(row["statuses"].items()))
        lines.append(
            f"| {kind} | {row['count']} | {loadtest.fmt(row['p50'])} | {loadtest.fmt(row['p95'])} "
            f"| {loadtest.fmt(row['max'])} | {row['errors']} | {answers} |"
        )
    if run_["problems"]:
        lines += ["", "Problems:", ""] + [f"- {p}" for p in run_["problems"][:20]]
    return lines


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--researchers", type=int, default=200)
    parser.add_argument("--proposals", type=int, default=2000)
    parser.add_argument("--burst", type=int, default=200)
    parser.add_argument("--double", type=int, default=5)
    parser.add_argument("--read-rate", type=float, default=10)
    parser.add_argument("--kill-after", type=float, default=1.5, help="s into the burst")
    parser.add_argument("--kill-worker-after", type=float, default=3.0, help="s after that")
    parser.add_argument("--web-workers", type=int, default=3)
    parser.add_argument("--port", type=int, default=7430, help="haproxy")
    parser.add_argument("--app-ports", default="7431,7432")
    parser.add_argument("--redis-port", type=int, default=7433)
    parser.add_argument("--s3-port", type=int, default=7434)
    parser.add_argument("--health-path", default="/healthz")
    parser.add_argument("--output", default=str(ROOT / "docs" / "benchmarks.md"))
    parser.add_argument("--no-write", action="store_true")
    parser.add_argument("--command", default=None)
    args = parser.parse_args()
    args.app_ports = [int(p) for p in args.app_ports.split(",")]
    args.technologies = args.proposals
    args.think = 0.2
    args.burst = min(args.burst, args.researchers)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit("stopped"))
    load = os.getloadavg()
    rng = random.Random(17)
    users = loadtest.seed(args, rng)
    secret = secrets.token_urlsafe(48)
    settings.SECRET_KEY = secret
    env = cluster_env(args, secret)
    loadtest.collectstatic(env)
    logdir = Path(settings.MEDIA_ROOT).parent / "cluster-logs"
    logdir.mkdir(exist_ok=True)
    urls = loadtest.SEARCHES
    processes = Processes(logdir)
    try:
        outcome = asyncio.run(run(args, users, env, processes, logdir, rng, urls))
    finally:
        processes.stop()
    command = args.command or "python benchmarks/cluster.py " + " ".join(sys.argv[1:])
    lines = report_lines(args, outcome, command, load)
    print("\n".join(lines))
    if not args.no_write:
        write_section(Path(args.output), SECTION, "\n".join(lines))
    print(f"logs in {logdir}")
    sys.exit(1 if outcome["problems"] else 0)


if __name__ == "__main__":
    main()
