"""`make cluster-test`: the deadline rush through a load balancer, with one app server killed.

On 127.0.0.1 only (ports 7420-7449 by default): PostgreSQL (DATABASE_URL, `make cluster-test`
starts a throwaway one), redis-server, a moto S3 server, two gunicorn app servers with the
production settings behind haproxy (deploy/haproxy/portal.cfg.template, health check on
`--health-path`), two django-tasks db workers sending mail to files. This process uses the same
Redis and buckets (it seeds as `make loadtest` does, benchmarks/loadtest.py, and reads the files
back). Before the rush, files are uploaded through each server's own port and read through the
other, and a session signed in on each is used on the other. The burst runs through haproxy;
app server A is SIGKILLed in the middle and db worker 1 later, after which `manage.py
requeue_stale_tasks --older-than-seconds 20` runs every 5 s as cron would; each submit whose
connection broke is retried (a second submit of a dossier already submitted is refused by
grants/workflow.py). Then, server A restarted: every success has one receipt, an interrupted
submit committed once or not at all, gapless numbers, every task finished, exactly one receipt
e-mail per accepted submit, every upload and receipt read through A and through B byte for byte
as stored, the sessions valid on both. Figures and verdict go to docs/benchmarks.md.
"""

import argparse
import asyncio
import contextlib
import datetime
import email
import hashlib
import os
import random
import re
import secrets
import signal
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))


def arguments():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--researchers", type=int, default=200)
    parser.add_argument("--proposals", type=int, default=2000)
    parser.add_argument("--burst", type=int, default=200)
    parser.add_argument("--double", type=int, default=5)
    parser.add_argument("--uploads", type=int, default=10, help="dossiers given a file, half on A")
    parser.add_argument("--read-rate", type=float, default=10)
    parser.add_argument("--kill-after", type=float, default=1.5, help="s into the burst")
    parser.add_argument("--kill-worker-after", type=float, default=3.0, help="s after that")
    parser.add_argument("--requeue-every", type=float, default=5.0, help="s between cron runs")
    parser.add_argument("--requeue-older-than", type=int, default=20, help="s RUNNING")
    parser.add_argument("--web-workers", type=int, default=3)
    parser.add_argument("--port", type=int, default=7430, help="haproxy")
    parser.add_argument("--app-ports", default="7431,7432")
    parser.add_argument("--redis-port", type=int, default=7433)
    parser.add_argument("--s3-port", type=int, default=7434)
    parser.add_argument("--health-path", default="/healthz")
    parser.add_argument("--output", default=str(Path(__file__).resolve().parents[1] / "docs" /
                                                "benchmarks.md"))  # fmt: skip
    parser.add_argument("--no-write", action="store_true")
    parser.add_argument("--command", default=None)
    args = parser.parse_args()
    args.app_ports = [int(p) for p in args.app_ports.split(",")]
    args.technologies = args.proposals
    args.think = 0.2
    args.burst = min(args.burst, args.researchers)
    args.uploads = min(args.uploads, args.burst)
    args.mail_dir = tempfile.mkdtemp(prefix="portal-cluster-mail-")
    return args


def shared_env(args):
    """What the app servers, the workers, the cron command and this process share: Redis, the
    S3 buckets; and where the workers' e-mails go (one file per connection, read by check_mail)."""
    return {
        "REDIS_URL": f"redis://127.0.0.1:{args.redis_port}/0",
        "PORTAL_S3_BUCKET": "portal-public",
        "PORTAL_S3_PRIVATE_BUCKET": "portal-private",
        "PORTAL_S3_ENDPOINT_URL": f"http://127.0.0.1:{args.s3_port}",
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "EMAIL_BACKEND": "django.core.mail.backends.filebased.EmailBackend",
        "EMAIL_FILE_PATH": args.mail_dir,
    }


if __name__ == "__main__":
    # Before Django is set up (benchmarks.loadtest does it): this process reads and writes the
    # same Redis and buckets as the servers (benchmarks/settings.py keeps its own mail backend).
    ARGS = arguments()
    os.environ.update(shared_env(ARGS))

from benchmarks import loadtest  # noqa: E402, I001 - sets Django up first

import aiohttp  # noqa: E402
from django.conf import settings  # noqa: E402
from django.contrib.auth import get_user_model  # noqa: E402
from django.utils import timezone  # noqa: E402
from django_tasks_db.models import DBTaskResult  # noqa: E402

from benchmarks.report import write_section  # noqa: E402
from core.models import SignedDocument  # noqa: E402
from grants.models import Attachment, AuditEntry, Proposal, TransitionNotice  # noqa: E402
from tests.samples import PDF  # noqa: E402

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


def wait_redis(port, seconds=30):
    import redis

    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            if redis.Redis(host="127.0.0.1", port=port, socket_timeout=1).ping():
                return
        except redis.RedisError:
            time.sleep(0.3)
    raise SystemExit(f"redis-server on {port} did not answer within {seconds} s")


def s3_client(args):
    import boto3

    return boto3.client(
        "s3", endpoint_url=f"http://127.0.0.1:{args.s3_port}", region_name="us-east-1",
        aws_access_key_id="testing", aws_secret_access_key="testing",
    )  # fmt: skip


def start_stores(args, processes):
    """Redis and the S3 server first: seeding (in this process) writes the demo's files to the
    buckets and forgets the cache in Redis, as the servers will."""
    processes.start("redis", ["redis-server", "--bind", "127.0.0.1", "--port", args.redis_port,
                              "--save", "", "--appendonly", "no"])  # fmt: skip
    processes.start("s3", [BIN / "moto_server", "-H", "127.0.0.1", "-p", args.s3_port])
    wait_redis(args.redis_port)
    wait_http(f"http://127.0.0.1:{args.s3_port}/")
    s3 = s3_client(args)
    for bucket in ("portal-public", "portal-private"):
        s3.create_bucket(Bucket=bucket)


def start_app(args, env, processes, name, port):
    processes.start(
        name,
        [BIN / "gunicorn", "portal.wsgi", "--bind", f"127.0.0.1:{port}", "--workers",
         args.web_workers, "--timeout", "60"],
        env,
    )  # fmt: skip


def start_servers(args, env, processes, logdir):
    for n, port in enumerate(args.app_ports, start=1):
        start_app(args, env, processes, f"app{n}", port)
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
    env.update(shared_env(args))  # after server_env: the file e-mail backend, not locmem
    return env


class Cron:
    """`manage.py requeue_stale_tasks --older-than-seconds N` every few seconds, as cron runs it
    every five minutes in production (docs/operations.md), with the workers' environment."""

    def __init__(self, args, env, logdir):
        self.args, self.env, self.log = args, env, logdir / "cron.log"
        self.runs, self.requeued, self.failed = 0, 0, 0
        self.stopping = asyncio.Event()
        self.task = None

    def start(self):
        self.task = asyncio.create_task(self.loop())

    async def loop(self):
        while not self.stopping.is_set():
            process = await asyncio.create_subprocess_exec(
                sys.executable, "manage.py", "requeue_stale_tasks", "--older-than-seconds",
                str(self.args.requeue_older_than), cwd=ROOT, env=self.env,
                stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT,
            )  # fmt: skip
            out, _ = await process.communicate()
            text = out.decode(errors="replace")
            with self.log.open("a") as log:
                log.write(f"{timezone.now():%H:%M:%S} rc={process.returncode} {text}")
            self.runs += 1
            found = re.search(r"(\d+) stale tasks requeued", text)
            if process.returncode or not found:
                self.failed += 1
            else:
                self.requeued += int(found.group(1))
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self.stopping.wait(), self.args.requeue_every)

    async def stop(self):
        if self.task:
            self.stopping.set()
            await self.task


async def rush(args, processes, people, rows, urls, rng, http, base, cron):
    """The burst through haproxy; app server A killed `--kill-after` s in, worker 1 later, and
    from then on the requeue command runs as cron would."""
    events = []

    async def killer():
        await asyncio.sleep(2 + args.kill_after)  # the burst starts 2 s after the readers
        processes.kill("app1")
        events.append((time.time(), "app server A killed (SIGKILL)"))
        await asyncio.sleep(args.kill_worker_after)
        processes.kill("worker1")
        events.append((time.time(), "db worker 1 killed (SIGKILL)"))
        cron.start()

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


async def drain(since, limit):
    """Seconds until every task queued since `since` has finished: none waiting, none RUNNING
    (the one the killed worker held is RUNNING until the cron command gives it back)."""
    start = time.perf_counter()
    pending = DBTaskResult.objects.filter(enqueued_at__gte=since, status__in=["READY", "RUNNING"])
    while time.perf_counter() - start < limit:
        if not pending.exists():
            return time.perf_counter() - start
        await asyncio.sleep(0.5)
    return None


def check_tasks(since):
    rows = DBTaskResult.objects.filter(enqueued_at__gte=since)
    counts, twice = {}, 0
    for status, workers in rows.values_list("status", "worker_ids"):
        counts[status] = counts.get(status, 0) + 1
        twice += len(workers) > 1
    problems = [
        f"{n} tasks {s}" + (" (left by the killed worker, never requeued: lost)" if s == "RUNNING"
                            else "")
        for s, n in counts.items()
        if s != "SUCCESSFUL"
    ]  # fmt: skip
    return counts, twice, problems


def receipt_mails(directory):
    """{receipt number: how many e-mails carried its PDF}, from the file backend's files (each
    message followed by a line of 79 dashes)."""
    counts = {}
    for path in sorted(Path(directory).iterdir()):
        for chunk in path.read_bytes().split(b"\n" + b"-" * 79 + b"\n"):
            if not chunk.strip():
                continue
            for part in email.message_from_bytes(chunk).walk():
                found = re.fullmatch(r"bien-nhan-(.+)\.pdf", part.get_filename() or "")
                if found:
                    counts[found.group(1)] = counts.get(found.group(1), 0) + 1
    return counts


def check_mail(args, call):
    """Exactly one receipt e-mail per accepted submit, and a TransitionNotice for each submit."""
    mails = receipt_mails(args.mail_dir)
    numbers = set(
        Proposal.objects.filter(call=call)
        .exclude(receipt_number="")
        .values_list("receipt_number", flat=True)
    )
    problems = []
    for number in sorted(numbers):
        n = mails.get(number, 0)
        if n != 1:
            problems.append(
                f"{number}: {n} receipt e-mails"
                + (" (lost)" if not n else " (sent twice: at-least-once, see the verdict)")
            )
    problems += [f"{n}: a receipt e-mail for no submitted dossier" for n in set(mails) - numbers]
    entries = AuditEntry.objects.filter(proposal__call=call, transition="submit")
    noticed = TransitionNotice.objects.filter(entry__in=entries).count()
    if noticed != entries.count():
        problems.append(f"{entries.count()} submits, {noticed} marked notified")
    return {"mails": sum(mails.values()), "numbers": len(numbers), "noticed": noticed}, problems


# -- through each server directly ---------------------------------------------------------------

CSRF_INPUT = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


async def csrf_form(http, url, jar):
    async with http.get(url, headers={"Cookie": loadtest.cookie_header(jar)}) as response:
        body = await response.text()
        jar.update(loadtest.set_cookies(response))
    found = CSRF_INPUT.search(body)
    if response.status != 200 or not found:
        raise SystemExit(f"{url} answered {response.status} without a form")
    return found.group(1)


async def open_session(http, base, address, password):
    """Sign in through one server's own port (allauth's form): the session cookie it set."""
    jar = {}
    token = await csrf_form(http, f"{base}/accounts/login/", jar)
    async with http.post(
        f"{base}/accounts/login/",
        data={"csrfmiddlewaretoken": token, "login": address, "password": password},
        headers={"Cookie": loadtest.cookie_header(jar), "Referer": f"{base}/accounts/login/"},
        allow_redirects=False,
    ) as response:
        jar.update(loadtest.set_cookies(response))
    if response.status != 302 or settings.SESSION_COOKIE_NAME not in jar:
        raise SystemExit(f"signing in through {base} answered {response.status}")
    return {settings.SESSION_COOKIE_NAME: jar[settings.SESSION_COOKIE_NAME]}


async def session_valid(http, base, jar):
    """The dashboard answers 200 with this session (302 to the sign-in page without one)."""
    async with http.get(
        f"{base}/dashboard/", headers={"Cookie": loadtest.cookie_header(jar)},
        allow_redirects=False,
    ) as response:  # fmt: skip
        await response.read()
        return response.status == 200


def web_password(user, password):
    """The servers run the production hashers; this process's settings only know MD5."""
    from django.contrib.auth.hashers import PBKDF2PasswordHasher

    user.password = PBKDF2PasswordHasher().encode(password, secrets.token_hex(8))
    user.save(update_fields=["password"])


async def upload(http, base, researcher, proposal, n):
    """A PDF added to the dossier through `base` (the attachments section's form)."""
    url = f"{base}/proposals/{proposal.pk}/edit/attachments/"
    token = await csrf_form(http, url, researcher.jar)
    content = PDF  # the least a PDF check passes (tests/samples.py)
    form = aiohttp.FormData()
    form.add_field("csrfmiddlewaretoken", token)
    form.add_field("template", "")
    form.add_field("label", f"Phụ lục {n}")
    form.add_field("file", content, filename=f"phu-luc-{n}.pdf", content_type="application/pdf")
    async with http.post(
        url, data=form, allow_redirects=False,
        headers={"Cookie": loadtest.cookie_header(researcher.jar), "Referer": url},
    ) as response:  # fmt: skip
        body = await response.text()
    attachment = Attachment.objects.filter(proposal=proposal).order_by("-pk").first()
    if response.status != 302 or attachment is None:
        raise SystemExit(
            f"uploading to {proposal.pk} through {base} answered {response.status}: "
            + loadtest.refusal(body)
        )
    return {"proposal": proposal, "attachment": attachment, "sha256": sha(content), "via": base}


def sha(data):
    return hashlib.sha256(data).hexdigest()


async def fetch(http, url, jar):
    try:
        async with http.get(url, headers={"Cookie": loadtest.cookie_header(jar)}) as response:
            return response.status, sha(await response.read())
    except (TimeoutError, aiohttp.ClientError) as error:
        return f"error: {type(error).__name__}", None


async def check_uploads(http, people, uploads, bases):
    """Each uploaded file as this process reads it from the bucket, and through each server."""
    problems, checked = [], 0
    for item in uploads:
        attachment, proposal = item["attachment"], item["proposal"]
        try:
            with attachment.file.open("rb") as stored:
                if sha(stored.read()) != item["sha256"]:
                    problems.append(f"{proposal.pk}: the uploaded file in the bucket differs")
        except FileNotFoundError:
            problems.append(f"{proposal.pk}: the upload's row names a missing object")
        url = f"/proposals/{proposal.pk}/attachments/{attachment.pk}/"
        for base in bases:
            status, digest = await fetch(http, base + url, people[proposal.owner_id].jar)
            if status != 200 or digest != item["sha256"]:
                problems.append(f"{proposal.pk}: upload through {item['via']} read through "
                                f"{base}: {status}, {'same' if digest == item['sha256'] else 'other'}"
                                " bytes")  # fmt: skip
            checked += 1
    return checked, problems


async def check_receipts(http, people, rows, successes, bases):
    """Each receipt the worker generated: this process reads it from the bucket, and each server
    serves the same bytes (loadtest.fetch_receipt, as the rush downloaded them)."""
    problems, checked = [], 0
    stored = loadtest.stored_receipts([p.pk for p in rows if p.pk in successes])
    documents = {
        int(d.key.split("/")[0]): d
        for d in SignedDocument.objects.filter(kind="receipt", key__in=[f"{pk}/1" for pk in stored])
    }
    for proposal in rows:
        outcome = successes.get(proposal.pk)
        if not outcome:
            continue
        if proposal.pk not in stored:
            problems.append(f"{proposal.pk}: no receipt stored")
            continue
        try:
            with documents[proposal.pk].file.open("rb") as file:
                if sha(file.read()) != stored[proposal.pk]:
                    problems.append(f"{proposal.pk}: the receipt in the bucket is not its checksum")
        except FileNotFoundError:
            problems.append(f"{proposal.pk}: the receipt's row names a missing object")
        researcher = people[proposal.owner_id]
        for base in bases:
            status, digest = await loadtest.fetch_receipt(http, base, researcher, proposal)
            if status != 200 or digest != stored[proposal.pk]:
                problems.append(f"{proposal.pk}: receipt through {base}: {status}")
            checked += 1
    return checked, problems


async def check_sessions(http, people, rows, successes, base):
    """The sessions this process made (Django's login, saved in Redis and the database), on one
    server directly: the dossier page shows the receipt number."""
    problems, checked = [], 0
    for proposal in rows:
        outcome = successes.get(proposal.pk)
        if not outcome:
            continue
        cookie = {"Cookie": loadtest.cookie_header(people[proposal.owner_id].jar)}
        async with http.get(f"{base}/proposals/{proposal.pk}/", headers=cookie) as response:
            body = await response.text()
            if response.status != 200 or outcome["receipt"] not in body:
                problems.append(f"{proposal.pk}: session not valid on {base}")
        checked += 1
    return checked, problems


def count_objects(args):
    s3 = s3_client(args)
    return {
        bucket: s3.list_objects_v2(Bucket=bucket).get("KeyCount", 0)
        for bucket in ("portal-public", "portal-private")
    }


async def run(args, users, env, processes, logdir, rng, urls):
    base = f"http://127.0.0.1:{args.port}"
    base_a, base_b = (f"http://127.0.0.1:{port}" for port in args.app_ports)
    call = loadtest.open_call("AG-LTB1", timezone.now() + datetime.timedelta(hours=2))
    rows = loadtest.drafts(call, users[: args.burst])
    before = loadtest.texts(call)
    signer = get_user_model().objects.get(email="researcher@example.org")
    web_password(signer, settings.PORTAL_DEMO_PASSWORD)
    start_servers(args, env, processes, logdir)
    since = timezone.now()
    people = await loadtest.sign_in(users[: args.burst], base)
    connector = aiohttp.TCPConnector(limit=0)
    timeout = aiohttp.ClientTimeout(total=60)
    cron = Cron(args, env, logdir)
    problems = []
    async with aiohttp.ClientSession(
        connector=connector, timeout=timeout, cookie_jar=aiohttp.DummyCookieJar()
    ) as http:
        for proposal in rows:
            await loadtest.open_dossier(http, base, people[proposal.owner_id], proposal)
        # Files uploaded through each server directly, read through the other before the kill.
        uploads = [
            await upload(http, (base_a, base_b)[n % 2], people[p.owner_id], p, n)
            for n, p in enumerate(rows[: args.uploads])
        ]
        for item in uploads:
            other = base_b if item["via"] == base_a else base_a
            problems += (await check_uploads(http, people, [item], [other]))[1]
        # A session opened (signed in) on each server, used on the other.
        session_a = await open_session(http, base_a, signer.email, settings.PORTAL_DEMO_PASSWORD)
        session_b = await open_session(http, base_b, signer.email, settings.PORTAL_DEMO_PASSWORD)
        sessions_before = [await session_valid(http, base_b, session_a),
                           await session_valid(http, base_a, session_b)]  # fmt: skip
        if not all(sessions_before):
            problems.append(f"sessions opened on A / B valid on the other: {sessions_before}")
        result = await rush(
            args,
            processes,
            people,
            rows,
            urls + loadtest.call_reads([call.url]),
            rng,
            http,
            base,
            cron,
        )
        drained = await drain(since, 150)
        await cron.stop()
        retry_problems, for_verify = check_retries(result)
        checks = loadtest.verify(call, for_verify, before)
        successes = {o["proposal"]: o for o in for_verify["outcomes"] if o["receipt"]}
        # Server A back (as its supervisor restarts it): every file through each server.
        start_app(args, env, processes, "app1-restarted", args.app_ports[0])
        wait_http(f"{base_a}{args.health_path}")
        bases = [base_a, base_b]
        read_uploads, upload_problems = await check_uploads(http, people, uploads, bases)
        read_receipts, receipt_problems = await check_receipts(http, people, rows, successes, bases)
        checked_b, b_problems = await check_sessions(http, people, rows, successes, base_b)
        sessions_after = [await session_valid(http, b, s) for s in (session_a, session_b)
                          for b in bases]  # fmt: skip
        if not all(sessions_after):
            problems.append(f"sessions opened on A / B after the kill, on A, B: {sessions_after}")
    tasks, twice, task_problems = check_tasks(since)
    mail, mail_problems = check_mail(args, call)
    table = loadtest.stats(result["recorder"])
    problems += (checks["problems"] + retry_problems + upload_problems + receipt_problems
                 + b_problems + task_problems + mail_problems)  # fmt: skip
    return {
        "result": result, "checks": checks, "table": table, "drained": drained,
        "tasks": tasks, "twice": twice, "mail": mail, "cron": cron, "uploads": len(uploads),
        "read_uploads": read_uploads, "read_receipts": read_receipts, "checked_b": checked_b,
        "sessions": sessions_before + sessions_after, "objects": count_objects(args),
        "problems": problems,
    }  # fmt: skip


def report_lines(args, run_, command, load):
    r, checks, table = run_["result"], run_["checks"], run_["table"]
    cron, mail = run_["cron"], run_["mail"]
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
        f"- Tasks queued during the run, by status: {run_['tasks']}; {run_['twice']} taken by "
        "two workers (left RUNNING by the killed one, given back by the cron command); all "
        "finished "
        + (
            f"{run_['drained']:.0f} s after the burst"
            if run_["drained"] is not None
            else "**never** (within 150 s)"
        ),
        f"- Cron: `manage.py requeue_stale_tasks --older-than-seconds "
        f"{args.requeue_older_than}` every {args.requeue_every:.0f} s from the worker's death, "
        f"{cron.runs} runs ({cron.failed} failed); tasks requeued: {cron.requeued}.",
        f"- E-mail (file backend, read back): {mail['mails']} receipt e-mails for "
        f"{mail['numbers']} accepted submits, {mail['noticed']} submits marked notified "
        "(grants.TransitionNotice). Delivery is at least once: a task whose worker dies is run "
        "again by another; the notice committed with the sending makes the second run send "
        "nothing, so a receipt e-mail can be doubled only if the worker dies between the mail "
        "server taking it and that commit, and is never lost.",
        f"- Through each server's own port (server A restarted after the run): "
        f"{args.uploads} files uploaded before the kill (half through A, half through B), each "
        f"read through the other; then {run_['read_uploads']} upload and "
        f"{run_['read_receipts']} receipt downloads through A and B, byte for byte the object "
        "this process read from the bucket; sessions signed in on A and on B valid on the "
        f"other before and after the kill: {'yes' if all(run_['sessions']) else '**no**'}; "
        f"{run_['checked_b']} sessions made by this process valid on server B.",
        f"- Files: on the moto S3 server for the app servers, the workers and this process "
        f"(PORTAL_S3_*; objects at the end: {run_['objects']}); cache and sessions in the one "
        "redis-server.",
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


def main(args):
    signal.signal(signal.SIGTERM, lambda *_: sys.exit("stopped"))
    load = os.getloadavg()
    rng = random.Random(17)
    logdir = Path(settings.MEDIA_ROOT).parent / "cluster-logs"
    logdir.mkdir(exist_ok=True)
    processes = Processes(logdir)
    try:
        start_stores(args, processes)
        users = loadtest.seed(args, rng)
        secret = secrets.token_urlsafe(48)
        settings.SECRET_KEY = secret
        env = cluster_env(args, secret)
        loadtest.collectstatic(env)
        urls = loadtest.SEARCHES
        outcome = asyncio.run(run(args, users, env, processes, logdir, rng, urls))
    finally:
        processes.stop()
    command = args.command or "python benchmarks/cluster.py " + " ".join(sys.argv[1:])
    lines = report_lines(args, outcome, command, load)
    print("\n".join(lines))
    if not args.no_write:
        write_section(Path(args.output), SECTION, "\n".join(lines))
    print(f"logs in {logdir}, e-mails in {args.mail_dir}")
    sys.exit(1 if outcome["problems"] else 0)


if __name__ == "__main__":
    main(ARGS)
