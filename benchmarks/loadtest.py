"""`make loadtest`: the night a call closes, over HTTP, against the portal as in production.

Runs on the PostgreSQL that DATABASE_URL names (`make loadtest` starts a throwaway one). Seeds the
demo, bulk proposals and technologies (the `make bench` generators), then researchers with
complete drafts in calls of their own, and starts the portal on 127.0.0.1 as the deployment docs
do: `portal.settings.production` (a random test secret, plain HTTP on loopback), gunicorn and the
django-tasks database worker. The researchers are signed in beforehand (a session each, as a
sign-in would make it) and each opens the page of their draft (CSRF cookie and form token). Then:

1. last minute: the submits arrive at random over the final `--duration` seconds before the
   call's deadline, each followed by the receipt download, a few more just around the deadline,
   while anonymous visitors read the catalogue (a search with hits) and the call pages at
   `--read-rate` requests a second;
2. burst: `--burst` submits at the same instant (`--double` of them double-clicked), each then
   downloading its receipt, with the same public reads.

Each submit is the real form POST of the dossier page (CSRF token and cookie, no redirect
followed); its answer is read from the message the portal stores for the next page (the
`messages` cookie, signed with the test secret). After each scenario the database is checked:
every success has exactly one receipt number, one frozen version and one audit entry; numbers
are gapless and unique in the call; nothing accepted at or after the deadline; no dossier text
changed; every receipt downloaded is the stored one, byte for byte. The figures and the checks go
to their own section of docs/benchmarks.md.
"""

import argparse
import asyncio
import datetime
import hashlib
import http.cookies
import io
import os
import random
import re
import secrets
import signal
import statistics
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import quote_plus

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "benchmarks.settings")
# The driver is one asyncio process that also seeds and checks the database between scenarios
# (never while requests are in flight): Django's ORM may be called from its event loop.
os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

import django  # noqa: E402

django.setup()

import aiohttp  # noqa: E402
from django.conf import settings  # noqa: E402
from django.contrib.auth import get_user_model  # noqa: E402
from django.contrib.auth.models import Group  # noqa: E402
from django.contrib.messages import constants as message_levels  # noqa: E402
from django.contrib.messages.storage.cookie import CookieStorage  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.http import HttpRequest  # noqa: E402
from django.test import Client  # noqa: E402
from django.utils import timezone  # noqa: E402

from benchmarks import catalogue, proposals  # noqa: E402
from benchmarks.report import write_section  # noqa: E402
from core.models import SignedDocument  # noqa: E402
from grants.models import (  # noqa: E402
    AuditEntry,
    BudgetLine,
    CallPage,
    Proposal,
    ProposalVersion,
    ReceiptCounter,
    TeamMember,
)
from grants.models.proposals import search_text_of  # noqa: E402
from researchers.models import Organisation, Profile  # noqa: E402
from tests.redis_server import RedisServer, free_port  # noqa: E402

SECTION = "loadtest"
BIN = Path(sys.executable).parent
STATIC_ROOT = ROOT / "var" / "loadtest" / "static"
TEXT_FIELDS = (
    "title", "abstract", "keywords", "rationale", "objectives", "content_methods",
    "expected_products", "application_plan",
)  # fmt: skip
RECEIPT = re.compile(r"\b(AG-LT[AB]\d+-\d{4}-(\d{4,}))\b")
# Public reads: catalogue searches that have hits — varied, as visitors' are: each of the
# catalogue's things alone, with a quality and with a place (benchmarks/catalogue.py writes the
# titles from the same words), 210 addresses, most of them not in the page cache when asked —,
# and call pages, a few hot addresses (filled in after seeding), half the reads.
SEARCHES = [
    "/technologies/?q=" + quote_plus(query)
    for thing in catalogue.THINGS
    for query in [thing]
    + [f"{thing} {quality}" for quality in catalogue.QUALITIES]
    + [f"{thing} {place}" for place in catalogue.PLACES[:6]]
]


def call_reads(calls):
    """Call page addresses weighted so that they make about half of `SEARCHES + call_reads`."""
    return [url for url in calls for _ in range(max(1, len(SEARCHES) // 5))]


TARGETS = {
    "last minute": {"submit": 1000, "receipt": 1000, "public read": 300},
    "burst": {"submit max": 10000, "public read": 1000},
}


# -- seeding ------------------------------------------------------------------------------------


def seed(args, rng):
    call_command("migrate", verbosity=0)
    if CallPage.objects.filter(code__startswith="AG-LTA").exists():
        sys.exit("This database was used by a load test already: start from an empty one.")
    start = time.perf_counter()
    call_command("seed_demo", stdout=io.StringIO())
    print(f"demo seeded in {time.perf_counter() - start:.0f} s", flush=True)
    start = time.perf_counter()
    proposals.generate(args.proposals, rng)
    print(
        f"{Proposal.objects.count()} proposals in {time.perf_counter() - start:.0f} s", flush=True
    )
    start = time.perf_counter()
    catalogue.generate(args.technologies, rng)
    print(
        f"{catalogue.Technology.objects.filter(state='published').count()} technologies in "
        f"{time.perf_counter() - start:.0f} s",
        flush=True,
    )
    return researchers(args.researchers + late_count(args.researchers))


def late_count(researchers):
    """Submits sent just around the deadline (half before, half after), beside the others."""
    return max(4, researchers // 50)


def researchers(count):
    """`count` researchers (profile, organisation) who will submit during the scenarios."""
    user_model = get_user_model()
    organisations = list(Organisation.objects.exclude(kind="agency"))
    rng = random.Random(16)
    users = [
        user_model(username=f"rush-{n}", email=f"rush-{n}@example.org", first_name=f"NCV {n}")
        for n in range(count)
    ]
    user_model.objects.bulk_create(users)
    users = list(user_model.objects.filter(username__startswith="rush-").order_by("pk"))
    Group.objects.get(name="researcher").user_set.add(*users)
    Profile.objects.bulk_create(
        [
            Profile(user=u, full_name=f"Trần Thị {u.username[5:]}", organisation=rng.choice(organisations))
            for u in users
        ]
    )  # fmt: skip
    return users


def open_call(code, closes_at):
    """A fresh open call shaped like the demo's AG-NN01, with no required templates."""
    demo = CallPage.objects.get(code="AG-NN01", locale__language_code="vi")
    call = CallPage(
        title=f"Đợt {code}: kiểm thử tải đêm hết hạn",
        slug=code.lower(),
        locale=demo.locale,
        code=code,
        summary=demo.summary,
        opens_at=timezone.now() - datetime.timedelta(days=30),
        closes_at=closes_at,
        total_budget=demo.total_budget,
        max_per_project=demo.max_per_project,
        min_reviewers=7,
    )
    call.sectors = list(demo.sectors.all())
    demo.get_parent().add_child(instance=call)
    return call


def drafts(call, users):
    """A complete draft for each user in `call`: every section written, a principal
    investigator, a budget under the cap (the same text as the demo's dossiers)."""
    sector = call.sectors.first()
    people = dict(Profile.objects.filter(user__in=users).values_list("user_id", "full_name"))
    rows = []
    for n, user in enumerate(users):
        title = f"{proposals.ACTIONS[n % 5]} {proposals.SUBJECTS[n % 12]} ({call.code}, hồ sơ {n})"
        rows.append(
            Proposal(
                call=call, owner=user, state="draft", title=title, sector=sector,
                keywords="nông nghiệp, Đồng bằng sông Cửu Long", abstract=f"{title}: nhiệm vụ cấp tỉnh.",
                rationale="Nhu cầu cấp thiết của địa phương. " * 20,
                objectives="Mục tiêu cụ thể, đo lường được. " * 5,
                content_methods="Nội dung và phương pháp nghiên cứu. " * 40,
                expected_products="Quy trình, mô hình, bài báo.",
                application_plan="Chuyển giao cho doanh nghiệp và hợp tác xã.",
                duration_months=24, counterpart_funding=0,
                search_text=search_text_of(None, title, people.get(user.pk, ""), user.email, ""),
            )
        )  # fmt: skip
    Proposal.objects.bulk_create(rows)
    rows = list(Proposal.objects.filter(call=call).select_related("owner").order_by("owner_id"))
    TeamMember.objects.bulk_create(
        [
            TeamMember(proposal=p, full_name=people.get(p.owner_id, "NCV"), role="principal",
                       organisation_name="Trường Đại học An Giang", email=p.owner.email,
                       user=p.owner, position=0)
            for p in rows
        ]
    )  # fmt: skip
    BudgetLine.objects.bulk_create(
        [
            BudgetLine(proposal=p, category=category, description="Khoản chi", amount=amount,
                       position=position)
            for p in rows
            for position, (category, amount) in enumerate(
                [("labour", 400_000_000), ("materials", 250_000_000), ("services", 100_000_000)]
            )
        ]
    )  # fmt: skip
    return rows


def texts(call):
    """A digest of every dossier's text in the call: the submit must not change a word."""
    digest = {}
    for row in Proposal.objects.filter(call=call).values("pk", *TEXT_FIELDS):
        digest[row.pop("pk")] = hashlib.sha256(repr(sorted(row.items())).encode()).hexdigest()
    return digest


# -- the portal as in production ------------------------------------------------------------------


def server_env(args, secret):
    env = dict(os.environ)
    env.update(
        DJANGO_SETTINGS_MODULE="portal.settings.production",
        SECRET_KEY=secret,
        ALLOWED_HOSTS="127.0.0.1",
        # Plain HTTP on loopback: no redirect to HTTPS, no HSTS (there is no proxy in front).
        SECURE_SSL_REDIRECT="false",
        SECURE_HSTS_SECONDS="0",
        PORTAL_BASE_URL=f"http://127.0.0.1:{args.port}",
        MEDIA_ROOT=str(settings.MEDIA_ROOT),
        PRIVATE_MEDIA_ROOT=str(settings.PRIVATE_MEDIA_ROOT),
        STATIC_ROOT=str(STATIC_ROOT),
        # The receipt e-mails are built (the PDF attached) and kept in the worker's memory.
        EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend",
        # The load generator plays deploy/nginx/portal.conf's part: it sends the visitors' reads
        # to their own pool and stamps each submit with X-Request-Start, so a deadline is
        # judged when the click arrived, as in production (core.http.arrival_time).
        TRUSTED_PROXY_COUNT="1",
    )
    return env


def collectstatic(env):
    """The hashed, compressed static files production serves (WhiteNoise). Kept in
    var/loadtest/static and made again only when a static file or the lock is newer."""
    manifest = STATIC_ROOT / "staticfiles.json"
    newest = max(
        [(ROOT / "requirements.lock").stat().st_mtime]
        + [p.stat().st_mtime for p in (ROOT / "static").rglob("*") if p.is_file()]
    )
    if manifest.exists() and manifest.stat().st_mtime > newest:
        return
    print("collectstatic (once, about a minute) ...", flush=True)
    subprocess.run(
        [sys.executable, "manage.py", "collectstatic", "--noinput", "-v0"],
        cwd=ROOT,
        env=env,
        check=True,
    )


def parse_spec(spec):
    """`sync:5`, `gthread:3x8`, optionally `:pool10` (psycopg pool size per process) and
    `:reads2` (a second gunicorn of 2 sync workers that answers the anonymous public reads, as
    nginx routes requests without a session cookie to it: docs/operations.md)."""
    parts = spec.split(":")
    model, counts = parts[0], parts[1]
    workers, _x, threads = counts.partition("x")
    pool = reads = 0
    for extra in parts[2:]:
        if extra.startswith("pool"):
            pool = int(extra[4:])
        elif extra.startswith("reads"):
            reads = int(extra[5:])
    if model not in ("sync", "gthread"):
        raise SystemExit(f"unknown worker model in {spec!r}: sync or gthread")
    return {
        "spec": spec,
        "model": model,
        "workers": int(workers),
        "threads": int(threads or (1 if model == "sync" else 4)),
        "pool": pool,
        "reads": reads,
    }


class Portal:
    """gunicorn and the db worker, started here and stopped here (by their process ids)."""

    def __init__(self, args, server, env, logdir):
        self.args, self.server, self.env, self.logdir = args, server, dict(env), logdir
        self.processes = []
        # Where the anonymous readers go: the public pool's port when there is one.
        port = args.port + 1 if server["reads"] else args.port
        self.read_base = f"http://127.0.0.1:{port}"

    def __enter__(self):
        env = self.env
        if self.server["pool"]:
            env["DATABASE_POOL_MAX_SIZE"] = str(self.server["pool"])
        command = [
            str(BIN / "gunicorn"), "portal.wsgi", "--bind", f"127.0.0.1:{self.args.port}",
            "--workers", str(self.server["workers"]), "--worker-class", self.server["model"],
            "--timeout", "60", "--backlog", "2048",
        ]  # fmt: skip
        if self.server["model"] == "gthread":
            command += ["--threads", str(self.server["threads"])]
        self._start("gunicorn", command, env)
        if self.server["reads"]:
            self._start(
                "gunicorn-reads",
                [str(BIN / "gunicorn"), "portal.wsgi", "--bind", f"127.0.0.1:{self.args.port + 1}",
                 "--workers", str(self.server["reads"]), "--worker-class", "sync",
                 "--timeout", "60", "--backlog", "2048"],
                env,
            )  # fmt: skip
        # The worker renders receipts and builds e-mails: it yields the CPU to the web workers
        # (docs/operations.md), so that pages are not slowed by background work.
        self._start(
            "worker",
            ["nice", "-n", str(self.args.worker_nice), sys.executable, "manage.py", "db_worker",
             "--interval", "0.5", "-v0"],
            env,
        )  # fmt: skip
        self._wait_ready()
        return self

    def _start(self, name, command, env):
        log = open(self.logdir / f"{name}.log", "ab")  # noqa: SIM115 - closed in __exit__
        process = subprocess.Popen(  # noqa: S603 - our own programs, no shell
            command, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
            start_new_session=True,
        )  # fmt: skip
        self.processes.append((name, process, log))

    def _wait_ready(self):
        import urllib.request

        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            for name, process, _log in self.processes:
                if process.poll() is not None:
                    raise SystemExit(f"{name} stopped at start: see {self.logdir}/{name}.log")
            try:
                for base in {f"http://127.0.0.1:{self.args.port}", self.read_base}:
                    with urllib.request.urlopen(f"{base}/healthz", timeout=5) as response:  # noqa: S310 - loopback only
                        assert response.status == 200
                return
            except OSError:
                time.sleep(0.3)
        raise SystemExit(f"the portal did not answer /healthz within 60 s: see {self.logdir}")

    def __exit__(self, *exc):
        for _name, process, _log in self.processes:
            if process.poll() is None:
                process.send_signal(signal.SIGTERM)
        for _name, process, log in self.processes:
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)  # the group we started, by its id
                process.wait(timeout=10)
            log.close()
        self.processes = []


def _stat(pid):
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except (FileNotFoundError, ProcessLookupError, IndexError):
        return None
    return fields


def _children(parent):
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            fields = _stat(entry.name)
            if fields and int(fields[1]) == parent:
                found.append(int(entry.name))
    return found


def cpu_seconds(pids, parents=()):
    """User + system CPU time the processes have used so far (Linux /proc). For `parents`, the
    CPU of their children that have ended (and been waited for) too: a PostgreSQL backend or a
    recycled gunicorn worker that exits mid-scenario would otherwise take its CPU with it."""
    tick = os.sysconf("SC_CLK_TCK")
    total = 0.0
    for pid in pids:
        fields = _stat(pid)
        if fields:
            total += (int(fields[11]) + int(fields[12])) / tick
            if pid in parents:
                total += (int(fields[13]) + int(fields[14])) / tick
    return total


def postmaster():
    """The PostgreSQL server's process id (scripts/with-postgres: data/postmaster.pid)."""
    host = settings.DATABASES["default"].get("HOST") or ""
    pidfile = Path(host) / "data" / "postmaster.pid"
    try:
        return int(pidfile.read_text().split()[0])
    except (OSError, ValueError, IndexError):
        return None


class CpuMeter:
    """CPU seconds used by the web workers, the db worker, PostgreSQL and this load generator
    between start() and stop(): what the scenario costs, whatever else runs on the machine."""

    def __init__(self, portal):
        self.portal = portal

    def _now(self):
        web, worker, parents = [], [], set()
        for name, process, _log in self.portal.processes:
            if name.startswith("gunicorn"):
                web += [process.pid, *_children(process.pid)]
                parents.add(process.pid)
            else:
                worker.append(process.pid)
        master = postmaster()
        database = [master, *_children(master)] if master else []
        return {
            "web": cpu_seconds(web, parents),
            "worker": cpu_seconds(worker),
            "database": cpu_seconds(database, {master}),
            "load generator": time.process_time(),
        }

    def start(self):
        self.begin, self.started = self._now(), time.perf_counter()

    def stop(self):
        end = self._now()
        self.seconds = time.perf_counter() - self.started
        self.used = {k: end[k] - self.begin[k] for k in end}
        return self


# -- the visitors -------------------------------------------------------------------------------


class Recorder:
    def __init__(self):
        self.samples = {}  # kind -> list of (start, seconds, status, answered from the page cache)

    def add(self, kind, start, seconds, status, cached=False):
        self.samples.setdefault(kind, []).append((start, seconds, status, cached))


def percentile(values, share):
    if not values:
        return None
    values = sorted(values)
    index = min(len(values) - 1, max(0, round(share * len(values) + 0.5) - 1))
    return values[index]


def set_cookies(response):
    jar = {}
    for header in response.headers.getall("Set-Cookie", []):
        cookie = http.cookies.SimpleCookie()
        cookie.load(header)
        for name, morsel in cookie.items():
            jar[name] = morsel.value
    return jar


def cookie_header(jar):
    return "; ".join(f"{name}={value}" for name, value in jar.items())


FORM_TOKEN = re.compile(
    r'action="(/proposals/\d+/transitions/submit/)"[^>]*>\s*<input type="hidden" '
    r'name="csrfmiddlewaretoken" value="([^"]+)"'
)


class Researcher:
    def __init__(self, user, session_cookie):
        self.user = user
        self.jar = {settings.SESSION_COOKIE_NAME: session_cookie}
        self.forms = {}  # proposal pk -> (action, token)


async def open_dossier(http, base, researcher, proposal):
    """GET the dossier page as the browser would: the CSRF cookie and the submit form."""
    async with http.get(
        f"{base}/proposals/{proposal.pk}/", headers={"Cookie": cookie_header(researcher.jar)}
    ) as response:
        body = await response.text()
        researcher.jar.update(set_cookies(response))
    if response.status != 200:
        raise SystemExit(f"the dossier page of {proposal.pk} answered {response.status}")
    match = FORM_TOKEN.search(body)
    if not match or 'aria-describedby="submit-hint"' in body:
        raise SystemExit(f"no enabled submit form on the dossier page of {proposal.pk}")
    researcher.forms[proposal.pk] = match.groups()


def read_messages(jar_update):
    """The messages the portal stored for the next page (signed cookie), as (level, text)."""
    value = jar_update.get("messages")
    if not value:
        return []
    storage = CookieStorage(HttpRequest())
    messages = storage._decode(value) or []
    return [(m.level, str(m.message)) for m in messages]


def refusal(body):
    """The error summary of a refused submit, as the applicant reads it."""
    summary = body.split('class="error-summary"', 1)
    if len(summary) < 2:
        return body[:80]
    text = re.sub(r"<[^>]+>", " ", summary[1].split("</div>", 1)[0])
    return " ".join(text.split())[:160]


async def submit(http, base, recorder, researcher, proposal, outcomes, *, think=0.0):
    action, token = researcher.forms[proposal.pk]
    sent = time.time()
    start = time.perf_counter()
    outcome = {"proposal": proposal.pk, "sent": sent, "status": None, "receipt": None}
    try:
        async with http.post(
            base + action,
            data={"csrfmiddlewaretoken": token},
            headers={
                "Cookie": cookie_header(researcher.jar),
                "Referer": f"{base}/",
                # What nginx writes (deploy/nginx/portal.conf): the moment the request reached it.
                "X-Request-Start": f"t={sent:.3f}",
            },
            allow_redirects=False,
        ) as response:
            body = await response.text()
            outcome["status"] = response.status
            messages = read_messages(set_cookies(response))
            if response.status != 302:
                outcome["refusal"] = refusal(body)
    except (TimeoutError, aiohttp.ClientError) as error:
        outcome["status"] = f"error: {type(error).__name__}"
        messages = []
    seconds = time.perf_counter() - start
    recorder.add("submit", sent, seconds, outcome["status"])
    outcome["seconds"] = seconds
    outcome["messages"] = messages
    for level, text in messages:
        found = RECEIPT.search(text)
        if level == message_levels.SUCCESS and found:
            outcome["receipt"] = found.group(1)
    outcomes.append(outcome)
    if outcome["receipt"]:
        # The browser follows the redirect to the dossier page (which shows the message), and
        # the applicant clicks the receipt link on it a moment later.
        await follow(http, base, recorder, researcher, proposal)
        await asyncio.sleep(think)
        await download_receipt(http, base, recorder, researcher, proposal, outcome)


async def follow(http, base, recorder, researcher, proposal):
    sent = time.time()
    start = time.perf_counter()
    try:
        async with http.get(
            f"{base}/proposals/{proposal.pk}/", headers={"Cookie": cookie_header(researcher.jar)}
        ) as response:
            await response.read()
            status = response.status
    except (TimeoutError, aiohttp.ClientError) as error:
        status = f"error: {type(error).__name__}"
    recorder.add("dossier page after submit", sent, time.perf_counter() - start, status)


async def fetch_receipt(http, base, researcher, proposal):
    """(status, sha256 of the PDF or None): the receipt as `base` serves it to its owner."""
    try:
        async with http.get(
            f"{base}/proposals/{proposal.pk}/receipt.pdf",
            headers={"Cookie": cookie_header(researcher.jar)},
        ) as response:
            body = await response.read()
            if response.status == 200 and body.startswith(b"%PDF"):
                return response.status, hashlib.sha256(body).hexdigest()
            return response.status, None
    except (TimeoutError, aiohttp.ClientError) as error:
        return f"error: {type(error).__name__}", None


async def download_receipt(http, base, recorder, researcher, proposal, outcome):
    sent = time.time()
    start = time.perf_counter()
    status, sha = await fetch_receipt(http, base, researcher, proposal)
    if sha:
        outcome["receipt_sha256"] = sha
    recorder.add("receipt", sent, time.perf_counter() - start, status)


async def read(http, base, recorder, url):
    sent = time.time()
    start = time.perf_counter()
    try:
        # An absolute address is the public pool's (Portal.read_base), a path the portal's.
        async with http.get(url if url.startswith("http") else base + url) as response:
            body = await response.text()
            status = response.status
            cached = response.headers.get("X-Page-Cache") == "hit"
            if status == 200 and "?q=" in url and 'class="card-title"' not in body:
                status = "200 without hits"  # the searches are chosen to have hits
    except (TimeoutError, aiohttp.ClientError) as error:
        status, cached = f"error: {type(error).__name__}", False
    kind = "public read: catalogue search" if "?q=" in url else "public read: call page"
    recorder.add(kind, sent, time.perf_counter() - start, status, cached)


async def readers(http, base, recorder, urls, rate, until, rng):
    """Anonymous visitors at about `rate` requests a second (Poisson arrivals) until `until`
    (a time.time() value, or an asyncio.Event set when the scenario is over)."""
    tasks = []
    while True:
        done = until.is_set() if isinstance(until, asyncio.Event) else time.time() >= until
        if done:
            break
        tasks.append(asyncio.create_task(read(http, base, recorder, rng.choice(urls))))
        await asyncio.sleep(rng.expovariate(rate))
    await asyncio.gather(*tasks)


async def sleep_until(moment):
    delay = moment - time.time()
    if delay > 0:
        await asyncio.sleep(delay)


# -- the scenarios ------------------------------------------------------------------------------


async def last_minute(http, base, people, rows, late_rows, call, args, rng, urls):
    recorder, outcomes = Recorder(), []
    deadline = time.time() + 3 + args.duration
    CallPage.objects.filter(pk=call.pk).update(
        closes_at=datetime.datetime.fromtimestamp(deadline, tz=datetime.UTC)
    )
    plan = [(deadline - rng.uniform(0, args.duration), p) for p in rows]
    half = len(late_rows) // 2
    # Just around the deadline: half in its last second, half in the two seconds after it.
    plan += [(deadline - rng.uniform(0.01, 1.0), p) for p in late_rows[:half]]
    plan += [(deadline + rng.uniform(0.0, 2.0), p) for p in late_rows[half:]]
    started = time.time()

    async def one(moment, proposal):
        await sleep_until(moment)
        await submit(
            http, base, recorder, people[proposal.owner_id], proposal, outcomes, think=args.think
        )

    reading = asyncio.create_task(
        readers(http, base, recorder, urls, args.read_rate, deadline + 2, rng)
    )
    await asyncio.gather(*(one(moment, p) for moment, p in plan))
    await reading
    return {
        "recorder": recorder,
        "outcomes": outcomes,
        "deadline": deadline,
        "elapsed": time.time() - started,
        "window": args.duration,
    }


async def burst(http, base, people, rows, args, rng, urls):
    recorder, outcomes = Recorder(), []
    doubled = {p.pk for p in rng.sample(rows, min(args.double, len(rows)))}
    over = asyncio.Event()
    start = time.time() + 2  # the readers run alone for two seconds first

    async def one(proposal):
        await sleep_until(start)
        researcher = people[proposal.owner_id]
        if proposal.pk in doubled:
            # A double click: the second POST leaves 0.1 s after the first, same form.
            second = asyncio.create_task(later(0.1, proposal, researcher))
            await submit(http, base, recorder, researcher, proposal, outcomes, think=args.think)
            await second
        else:
            await submit(http, base, recorder, researcher, proposal, outcomes, think=args.think)

    async def later(delay, proposal, researcher):
        await asyncio.sleep(delay)
        await submit(http, base, recorder, researcher, proposal, outcomes, think=args.think)

    reading = asyncio.create_task(readers(http, base, recorder, urls, args.read_rate, over, rng))
    await asyncio.gather(*(one(p) for p in rows))
    await asyncio.sleep(1)
    over.set()
    await reading
    return {
        "recorder": recorder,
        "outcomes": outcomes,
        "deadline": None,
        "elapsed": time.time() - start,
        "doubled": doubled,
        "window": None,
    }


# -- the checks ---------------------------------------------------------------------------------


def stored_receipts(pks):
    """{proposal pk: sha256} of the receipt stored for each submitted proposal among `pks`."""
    stored = {}
    for key, sha in SignedDocument.objects.filter(kind="receipt", key__in=[
        f"{pk}/1" for pk in pks
    ]).values_list("key", "sha256"):  # fmt: skip
        stored[int(key.split("/")[0])] = sha
    return stored


def verify(call, result, before):
    """What the database says after the scenario, against what the responses said."""
    problems = []
    outcomes = result["outcomes"]
    successes = {}
    for outcome in outcomes:
        if outcome["receipt"]:
            if outcome["proposal"] in successes:
                problems.append(f"two success answers for proposal {outcome['proposal']}")
            successes[outcome["proposal"]] = outcome
    rows = {p.pk: p for p in Proposal.objects.filter(call=call)}
    versions, submits = {}, {}
    for pk in ProposalVersion.objects.filter(proposal__call=call).values_list(
        "proposal_id", flat=True
    ):
        versions[pk] = versions.get(pk, 0) + 1
    for pk in AuditEntry.objects.filter(proposal__call=call, transition="submit").values_list(
        "proposal_id", flat=True
    ):
        submits[pk] = submits.get(pk, 0) + 1
    stored = stored_receipts(rows)
    deadline = call.closes_at if result["deadline"] else None
    lost = silent = after_timeout = 0
    for pk, p in rows.items():
        outcome = successes.get(pk)
        if outcome:
            if p.receipt_number != outcome["receipt"]:
                lost += 1
                problems.append(f"{pk}: answered {outcome['receipt']}, stored {p.receipt_number}")
            if versions.get(pk, 0) != 1 or submits.get(pk, 0) != 1:
                problems.append(
                    f"{pk}: {versions.get(pk, 0)} frozen versions, {submits.get(pk, 0)} audit entries"
                )
            if "receipt_sha256" in outcome and outcome["receipt_sha256"] != stored.get(pk):
                problems.append(f"{pk}: the receipt downloaded is not the stored one")
        elif p.receipt_number or versions.get(pk) or submits.get(pk) or p.state != "draft":
            answers = [o["status"] for o in outcomes if o["proposal"] == pk]
            whole = versions.get(pk, 0) == 1 and submits.get(pk, 0) == 1 and p.receipt_number
            if whole and all(isinstance(a, str) for a in answers):
                # The client gave up (time-out) and the server took it afterwards, once: the
                # applicant finds it submitted on the next page and gets the receipt e-mail.
                after_timeout += 1
            else:
                silent += 1
                problems.append(f"{pk}: submitted in the database although refused ({answers})")
        if deadline and p.submitted_at and p.submitted_at >= deadline:
            problems.append(f"{pk}: accepted at {p.submitted_at}, at or after the deadline")
    numbers = sorted(
        int(p.receipt_number.rsplit("-", 1)[1]) for p in rows.values() if p.receipt_number
    )
    gapless = numbers == list(range(1, len(numbers) + 1))
    if not gapless:
        problems.append(f"receipt numbers not gapless and unique: {numbers[:20]} …")
    counter = ReceiptCounter.objects.filter(call=call).values_list("last", flat=True).first() or 0
    if counter != len(numbers):
        problems.append(f"receipt counter at {counter}, {len(numbers)} numbers given")
    after = texts(call)
    changed = sum(1 for pk, digest in before.items() if after.get(pk) != digest)
    if changed:
        problems.append(f"{changed} dossiers' text changed")
    late_accepted = late_sent = early_refused = 0
    if deadline:
        for outcome in outcomes:
            if outcome["sent"] >= result["deadline"]:
                late_sent += 1
                late_accepted += bool(outcome["receipt"])
            elif outcome["status"] == 400:
                early_refused += 1  # sent in time, reached the deadline check too late
        if late_accepted:
            problems.append(f"{late_accepted} submits sent after the deadline were accepted")
    doubled = result.get("doubled") or set()
    double_ok = sum(1 for pk in doubled if submits.get(pk, 0) == 1 and versions.get(pk, 0) == 1)
    if doubled and double_ok != len(doubled):
        problems.append(f"double clicks: {len(doubled) - double_ok} did not end with one submit")
    return {
        "successes": len(successes),
        "numbers": len(numbers),
        "gapless": gapless,
        "lost": lost,
        "silent": silent,
        "after_timeout": after_timeout,
        "changed": changed,
        "late_sent": late_sent,
        "late_accepted": late_accepted,
        "early_refused": early_refused,
        "refused": sum(1 for o in outcomes if not o["receipt"] and o["status"] in (302, 400)),
        "receipts_stored": len(stored),
        "double_ok": double_ok,
        "doubled": len(doubled),
        "problems": problems,
        "outcomes": outcomes,
    }


def worker_backlog():
    from django_tasks_db.models import DBTaskResult

    return DBTaskResult.objects.filter(status__in=["READY", "RUNNING"]).count()


async def wait_for_worker(limit):
    """Seconds until the worker has sent every queued e-mail (None: not within `limit`)."""
    start = time.perf_counter()
    while time.perf_counter() - start < limit:
        if worker_backlog() == 0:
            return time.perf_counter() - start
        await asyncio.sleep(0.5)
    return None


# -- the report ---------------------------------------------------------------------------------


def stats(recorder, window=None):
    rows = []
    reads = []
    for kind in sorted(recorder.samples):
        samples = recorder.samples[kind]
        if kind.startswith("public read"):
            reads += samples
        rows.append((kind, samples))
    if reads:
        rows.append(("public read", reads))
    table = {}
    for kind, samples in rows:
        times = [s[1] * 1000 for s in samples]
        errors = [s for s in samples if not (isinstance(s[2], int) and s[2] < 500)]
        server_errors = [s for s in samples if isinstance(s[2], int) and s[2] >= 500]
        span = max(s[0] + s[1] for s in samples) - min(s[0] for s in samples)
        statuses = {}
        for s in samples:
            statuses[str(s[2])] = statuses.get(str(s[2]), 0) + 1
        table[kind] = {
            "count": len(samples),
            "rate": len(samples) / span if span > 0 else 0,
            "p50": percentile(times, 0.50),
            "p95": percentile(times, 0.95),
            "p99": percentile(times, 0.99),
            "max": max(times),
            "mean": statistics.fmean(times),
            "errors": len(errors),
            "server_errors": len(server_errors),
            "statuses": statuses,
            "cached": sum(1 for s in samples if s[3]),
        }
    return table


def verdicts(name, table, checks):
    out = []
    targets = TARGETS[name]
    for kind, limit in targets.items():
        if kind == "submit max":
            row = table.get("submit")
            value = row["max"] if row else None
            label = "every submit answered within 10 s"
        else:
            row = table.get(kind)
            value = row["p95"] if row else None
            label = f"{kind} p95 < {limit} ms"
        out.append((label, value, value is not None and value < limit))
    errors = sum(row["server_errors"] for kind, row in table.items() if kind != "public read")
    failures = sum(row["errors"] for kind, row in table.items() if kind != "public read")
    out.append(("0 server errors, 0 failed connections", errors + failures, errors + failures == 0))
    out.append(("0 lost, 0 duplicate receipts", len(checks["problems"]), not checks["problems"]))
    return out


def fmt(value):
    return "—" if value is None else f"{value:,.0f}".replace(",", " ")


def cpu_line(cpu, table):
    used = ", ".join(f"{k} {v:.0f} s" for k, v in cpu.used.items())
    mine = sum(v for k, v in cpu.used.items() if k != "load generator")
    requests = sum(row["count"] for kind, row in table.items() if kind != "public read")
    return (
        f"CPU used from the start of the scenario until the worker was done ({cpu.seconds:.0f} s): "
        f"{used}; the portal got {mine / cpu.seconds:.2f} cores on average over that time; "
        f"{cpu.used['web'] * 1000 / max(requests, 1):.0f} ms of web CPU per request on average."
    )


def cache_line(table):
    parts = [
        f"{label} {table[kind]['cached']} of {table[kind]['count']}"
        for kind, label in (
            ("public read: call page", "call pages"),
            ("public read: catalogue search", "catalogue searches"),
        )
        if kind in table
    ]
    return (
        "Public reads answered from the page cache (`X-Page-Cache: hit`, "
        f"PUBLIC_PAGE_CACHE_SECONDS={settings_cache_seconds()}): "
        + (", ".join(parts) or "none")
        + "."
    )


def settings_cache_seconds():
    return os.environ.get("PUBLIC_PAGE_CACHE_SECONDS", "15 (production default)")


def print_cpu(cpu, table):
    print("  " + cpu_line(cpu, table))


def scenario_lines(name, result, table, checks, loads, drained, cpu):
    lines = [f"#### {name}", ""]
    if name == "last minute":
        lines.append(
            f"{checks['successes']} submits accepted over the final {result['window']} s, "
            f"{checks['late_sent']} sent at or after the deadline (all refused: "
            f"{'yes' if not checks['late_accepted'] else '**no**'}); {checks['early_refused']} "
            "sent before the deadline were refused as late (the server took them after it); "
            f"load average {loads[0]:.2f} before, {loads[1]:.2f} after."
        )
    else:
        lines.append(
            f"{checks['successes']} submits accepted from one instant in {result['elapsed']:.1f} s "
            f"({checks['doubled']} double-clicked, {checks['double_ok']} of them ending with one "
            f"submit); load average {loads[0]:.2f} before, {loads[1]:.2f} after."
        )
    lines += [
        f"Worker: the receipt e-mails were all sent {fmt(drained)} s after the last answer"
        if drained is not None
        else "Worker: e-mails still queued 120 s after the last answer",
        "",
        cpu_line(cpu, table),
        "",
        cache_line(table),
        "",
        "| request | count | req/s | p50 ms | p95 ms | p99 ms | max ms | errors | answers |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---|",
    ]
    for kind, row in table.items():
        answers = ", ".join(f"{k}: {v}" for k, v in sorted(row["statuses"].items()))
        lines.append(
            f"| {kind} | {row['count']} | {row['rate']:.1f} | {fmt(row['p50'])} | {fmt(row['p95'])} "
            f"| {fmt(row['p99'])} | {fmt(row['max'])} | {row['errors']} | {answers} |"
        )
    lines += [
        "",
        f"Checked in the database: {checks['numbers']} receipt numbers, gapless and unique "
        f"{'yes' if checks['gapless'] else '**no**'}; each success with one number, one frozen "
        f"version and one audit entry; {checks['lost']} lost, {checks['silent']} accepted although "
        f"refused, {checks['after_timeout']} accepted (once) after the client had timed out; "
        f"{checks['changed']} dossiers' text changed; {checks['receipts_stored']} "
        "receipts stored, every download byte-identical to the stored file.",
        "",
        "| target | measured | met |",
        "|---|---:|---|",
    ]
    for label, value, met in verdicts(name, table, checks):
        lines.append(f"| {label} | {fmt(value)} | {'yes' if met else '**no**'} |")
    if checks["problems"]:
        lines += ["", "Problems found:", ""] + [f"- {p}" for p in checks["problems"][:20]]
    lines.append("")
    return lines


def print_table(name, table, checks):
    print(f"== {name}")
    for kind, row in table.items():
        print(
            f"  {kind:32} n={row['count']:4}  {row['rate']:5.1f}/s  p50 {fmt(row['p50']):>6}  "
            f"p95 {fmt(row['p95']):>6}  p99 {fmt(row['p99']):>6}  max {fmt(row['max']):>6} ms  "
            f"errors {row['errors']}  {row['statuses']}"
        )
    for label, value, met in verdicts(name, table, checks):
        print(f"  {'ok ' if met else 'MISS'} {label}: {fmt(value)}")
    for problem in checks["problems"][:20]:
        print(f"  problem: {problem}")
    reasons = {}
    for outcome in checks["outcomes"]:
        if not outcome["receipt"]:
            reason = f"{outcome['status']} {outcome.get('refusal') or outcome['messages']}"
            reasons[reason] = reasons.get(reason, 0) + 1
    for reason, count in sorted(reasons.items(), key=lambda item: -item[1]):
        print(f"  refused ×{count}: {reason}")


# -- the run ------------------------------------------------------------------------------------


async def sign_in(people_users, base):
    """A session for each researcher, as a sign-in makes it (Django's login), beforehand."""
    people = {}
    for user in people_users:
        client = Client()
        client.force_login(user)
        people[user.pk] = Researcher(user, client.cookies[settings.SESSION_COOKIE_NAME].value)
    return people


async def run_server(args, server, env, logdir, users, rng, urls, index):
    base = f"http://127.0.0.1:{args.port}"
    count = args.researchers
    late = late_count(count)
    far = timezone.now() + datetime.timedelta(hours=2)
    call_a = open_call(f"AG-LTA{index}", far)
    call_b = open_call(f"AG-LTB{index}", far)
    rows_a = drafts(call_a, users[: count + late])
    rows_b = drafts(call_b, users[: min(args.burst, count)])
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    urls = urls + call_reads([call_a.url, call_b.url])
    before_a, before_b = texts(call_a), texts(call_b)
    report = {"server": server, "scenarios": []}
    with Portal(args, server, env, logdir) as portal:
        people = await sign_in(users[: count + late], base)
        if portal.read_base != base:
            urls = [portal.read_base + url for url in urls]
        connector = aiohttp.TCPConnector(limit=0, force_close=False)
        timeout = aiohttp.ClientTimeout(total=60)  # gunicorn's own --timeout
        async with aiohttp.ClientSession(
            connector=connector, timeout=timeout, cookie_jar=aiohttp.DummyCookieJar()
        ) as http:
            gate = asyncio.Semaphore(8)

            async def prepare(researcher, dossiers):
                # One after the other: the first page sets the CSRF cookie the others use.
                async with gate:
                    for proposal in dossiers:
                        await open_dossier(http, base, researcher, proposal)

            start = time.perf_counter()
            dossiers = {}
            for proposal in rows_a + rows_b:
                dossiers.setdefault(proposal.owner_id, []).append(proposal)
            await asyncio.gather(*(prepare(people[pk], rows) for pk, rows in dossiers.items()))
            print(
                f"{len(people)} researchers signed in, {len(rows_a) + len(rows_b)} dossier pages "
                f"opened in {time.perf_counter() - start:.0f} s",
                flush=True,
            )
            # Public reads alone, for the baseline.
            baseline = Recorder()
            await readers(
                http, base, baseline, urls, args.read_rate, time.time() + args.baseline, rng
            )
            report["baseline"] = stats(baseline)
            for kind, row in report["baseline"].items():
                print(f"  baseline {kind:32} n={row['count']:4}  p50 {fmt(row['p50']):>6}  "
                      f"p95 {fmt(row['p95']):>6} ms  {row['statuses']}")  # fmt: skip
            for name in args.scenarios:
                loads = [os.getloadavg()[0]]
                meter = CpuMeter(portal)
                meter.start()
                if name == "last minute":
                    result = await last_minute(
                        http, base, people, rows_a[:count], rows_a[count:], call_a, args, rng, urls
                    )
                    call, before = call_a, before_a
                else:
                    result = await burst(http, base, people, rows_b, args, rng, urls)
                    call, before = call_b, before_b
                call.refresh_from_db()
                loads.append(os.getloadavg()[0])
                drained = await wait_for_worker(120)
                cpu = meter.stop()
                checks = verify(call, result, before)
                table = stats(result["recorder"])
                print_table(name, table, checks)
                print_cpu(cpu, table)
                report["scenarios"].append((name, result, table, checks, loads, drained, cpu))
    return report


def write(args, reports, command, started_load):
    server_lines = []
    for report in reports:
        s = report["server"]
        model = (
            f"gunicorn {s['workers']} sync workers"
            if s["model"] == "sync"
            else f"gunicorn {s['workers']} gthread workers × {s['threads']} threads"
        )
        pool = (
            f", psycopg pool of {s['pool']} per process"
            if s["pool"]
            else ", no pool (CONN_MAX_AGE 60)"
        )
        reads = (
            f"; anonymous public reads on a second gunicorn of {s['reads']} sync workers"
            if s["reads"]
            else ""
        )
        server_lines += [f"### `{s['spec']}`: {model}{pool}{reads}", ""]
        base = report["baseline"].get("public read")
        if base:
            server_lines += [
                f"Baseline, public reads alone at {args.read_rate} req/s for {args.baseline} s: "
                f"p50 {fmt(base['p50'])} ms, p95 {fmt(base['p95'])} ms.",
                "",
            ]
        for name, result, table, checks, loads, drained, cpu in report["scenarios"]:
            server_lines += scenario_lines(name, result, table, checks, loads, drained, cpu)
    lines = [
        "## Deadline rush over HTTP (`make loadtest`)",
        "",
        "Written by `benchmarks/loadtest.py` (do not edit by hand): the portal as in production "
        "(`portal.settings.production`, gunicorn, the django-tasks db worker, PostgreSQL from "
        "`scripts/with-postgres`) on 127.0.0.1, driven by asyncio + aiohttp in one process on the "
        "same machine. Submits are the dossier page's form POST with its CSRF token; each "
        "success is followed by the receipt download. The load generator plays nginx's part "
        "(deploy/nginx/portal.conf): with `:readsN` visitors' reads go to their own pool; "
        "each submit carries X-Request-Start, the moment it was sent (TRUSTED_PROXY_COUNT=1), "
        "by which the deadline is judged. Other work on the machine shares its two cores: the "
        "load average is written beside each run, and figures move with it.",
        "",
        f"- Command: `{command}`",
        f"- Date: {timezone.localtime():%Y-%m-%d %H:%M} (Asia/Ho_Chi_Minh); load average at the "
        f"start {started_load[0]:.2f} / {started_load[1]:.2f} / {started_load[2]:.2f} (1, 5, 15 min)",
        f"- Machine: {proposals.machine(load=False)}",
        f"- Data: {Proposal.objects.count():,} proposals, "
        f"{catalogue.Technology.objects.filter(state='published').count():,} published "
        f"technologies; {args.researchers} researchers with complete drafts (last minute: "
        f"{args.researchers} over {args.duration} s + {late_count(args.researchers)} around the "
        f"deadline; burst: {min(args.burst, args.researchers)}, {args.double} double-clicked); "
        f"public reads at {args.read_rate} req/s (catalogue searches with hits, call pages).",
        "- Targets (issue 16): 0 lost, 0 duplicate receipts, 0 server errors; last minute: submit "
        "p95 < 1 s, receipt p95 < 1 s, public reads p95 < 300 ms; burst: every submit within "
        "10 s, public reads p95 < 1 s.",
        "",
    ]
    text = "\n".join(lines + server_lines)
    write_section(Path(args.output), SECTION, text)
    print(f"written to {args.output}")


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--researchers", type=int, default=500)
    parser.add_argument("--proposals", type=int, default=10000)
    parser.add_argument("--technologies", type=int, default=None, help="default: --proposals")
    parser.add_argument("--duration", type=int, default=60, help="the last-minute window, s")
    parser.add_argument("--burst", type=int, default=400)
    parser.add_argument("--double", type=int, default=None, help="default: 5%% of --burst")
    parser.add_argument("--read-rate", type=float, default=20)
    parser.add_argument("--baseline", type=int, default=10, help="seconds of reads alone")
    parser.add_argument(
        "--workers",
        default="sync:5:reads2",
        help="server models to try, comma-separated: sync:N, gthread:NxT, with :poolP, :readsR",
    )
    parser.add_argument(
        "--think",
        type=float,
        default=1.0,
        help="seconds between the dossier page and the receipt download",
    )
    parser.add_argument("--worker-nice", type=int, default=10, help="nice level of db_worker")
    parser.add_argument("--scenarios", default="last minute,burst")
    parser.add_argument("--port", type=int, default=8650)
    parser.add_argument("--output", default=str(ROOT / "docs" / "benchmarks.md"))
    parser.add_argument("--no-write", action="store_true", help="print only")
    parser.add_argument("--command", default=None)
    args = parser.parse_args()
    args.technologies = args.technologies or args.proposals
    args.double = args.double if args.double is not None else max(1, args.burst // 20)
    args.scenarios = [s.strip() for s in args.scenarios.split(",")]
    servers = [parse_spec(spec) for spec in args.workers.split(",")]
    if connection.vendor != "postgresql":
        sys.exit("The load test needs PostgreSQL: run it with `make loadtest`.")
    # Stopped from outside (Ctrl-C, SIGTERM): leave through the `with Portal` blocks, which stop
    # the servers this run started.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit("stopped"))
    started_load = os.getloadavg()
    command = args.command or "python benchmarks/loadtest.py " + " ".join(sys.argv[1:])
    rng = random.Random(57)
    users = seed(args, rng)
    secret = secrets.token_urlsafe(48)  # a test secret, the same for the server and this process
    settings.SECRET_KEY = secret
    env = server_env(args, secret)
    # Production refuses to start without Redis: the run's own, on loopback, nothing on disk.
    redis = RedisServer(free_port(range(7190, 7200))).start()
    env["REDIS_URL"] = redis.url
    try:
        run_all(args, servers, env, users, rng, command, started_load)
    finally:
        redis.stop()


def run_all(args, servers, env, users, rng, command, started_load):
    collectstatic(env)
    logdir = Path(settings.MEDIA_ROOT).parent / "logs"
    logdir.mkdir(exist_ok=True)
    urls = SEARCHES + call_reads(
        [c.url for c in CallPage.objects.live().filter(locale__language_code="vi")[:3]]
    )
    reports = []
    for index, server in enumerate(servers, start=1):
        print(f"-- {server['spec']}", flush=True)
        reports.append(asyncio.run(run_server(args, server, env, logdir, users, rng, urls, index)))
    if not args.no_write:
        write(args, reports, command, started_load)
    print(f"server logs in {logdir}")


if __name__ == "__main__":
    main()
